/**
 * What a topic handler may do with its socket: send JSON frames, see how much is still queued (for flood pacing),
 * and start timers that die with the socket. Handlers never touch the ws object, so linger, frame type and counting
 * stay in one place (socket-session.ts).
 */
import type { ResolvedSimulatorOptions } from '../options.js';
import type { Timers } from '../timers.js';
import type { ClientFrameOutcome } from '../types.js';

export interface TopicOutlet {
  /** Sends one JSON frame. `onWritten` runs once it has left the process (or failed). False when nothing was sent. */
  send(message: Record<string, unknown>, onWritten?: () => void): boolean;
  /** Bytes queued on the socket and not yet written. */
  readonly bufferedAmount: number;
  /** Timers owned by the socket: cleared when it closes. */
  readonly timers: Timers;
  readonly options: ResolvedSimulatorOptions;
}

/** One topic family on one socket. */
export interface TopicHandler {
  /** Ends every subscription of this family (socket closed, brokerage session lost). Sends nothing. */
  clear(): void;
}

export type TopicOutcome = Extract<ClientFrameOutcome, 'handled' | 'refused-limit'>;

/** Epoch seconds: the unit of the `ssd`/`sld` timestamps (§4.8). */
export function epochSeconds(now = Date.now()): number {
  return Math.floor(now / 1000);
}
