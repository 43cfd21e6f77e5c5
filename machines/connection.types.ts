/**
 * The types of the connection statechart: its input, context, events and emitted events. The machine
 * (connection.machine.ts) and its pure helpers (connection.reasons.ts) share them.
 */
import type { Secret } from '../src/protocol/secret.js';
import type { SocketEvent } from '../src/protocol/session.js';
import type { Cadence } from './cadence.js';
import type { ConnectionTiming } from './connection.defaults.js';

export interface ConnectionInput {
  readonly timing?: Partial<ConnectionTiming>;
  /** Consecutive reconnect attempts before `failed`. Default: never give up. */
  readonly maxAttempts?: number;
  /** In `login-required`, ask the gateway to reclaim the brokerage session (never while a competing session holds it). */
  readonly autoReauthenticate?: boolean;
  /** Jitter source in [0, 1): tests inject a fixed one. */
  readonly random?: () => number;
  /** Learn the silence threshold from the heartbeats (default); false: a fixed `heartbeatTimeoutMs`. */
  readonly learnCadence?: boolean;
  /** Direct OAuth path: a live session token is obtained (`authorizing`) before any session check. */
  readonly oauth?: boolean;
}

export interface ConnectionContext {
  readonly timing: ConnectionTiming;
  readonly maxAttempts: number;
  readonly autoReauthenticate: boolean;
  readonly random: () => number;
  /** The tickle `session` value, wrapped: the inspector and logs print `[redacted]`. */
  readonly session: Secret | undefined;
  /** Id of the socket of the current (or last) `socket` state; 0 before the first. */
  readonly socketId: number;
  /** Consecutive reconnect attempts; reset after `stableAfterMs` authenticated, and by RETRY. */
  readonly attempt: number;
  /** The delay chosen for the current `reconnect` wait. */
  readonly backoffDelayMs: number;
  /** Why the last state was left (`probe-timeout`, `closed-1000`, …): shown by the CLI and in state events. */
  readonly lastReason: string | undefined;
  /** What the last session check said about a competing session. */
  readonly competing: boolean;
  /** Whether the gateway holds a login (so `/iserver/reauthenticate` can help). */
  readonly gatewayLoggedIn: boolean;
  readonly learnCadence: boolean;
  /** The heartbeats of the current socket: the liveness watch's threshold is learnt from them (cadence.ts). */
  readonly cadence: Cadence;
  /** Login polls since the last authenticated session check: the first ones are fast (login-poll.ts). */
  readonly loginPolls: number;
  readonly oauth: boolean;
  /**
   * OAuth: where the live session token stands. `fresh` until a session check succeeds with it (a 401 then means
   * the new token is refused too: no second renewal, but backoff); `refused`/`failed` re-authorize after backoff.
   */
  readonly authorization: 'none' | 'fresh' | 'proven' | 'refused' | 'failed';
}

export type ConnectionEvent =
  | { type: 'START' }
  | { type: 'STOP' }
  | { type: 'RETRY' }
  /** A failure that retrying cannot heal (the client decides with `isFatal(code)`): straight to `failed`. */
  | { type: 'FATAL'; code: string }
  /** OAuth: the live session token nears its expiry (sent by the client's renewal timer). */
  | { type: 'AUTHORIZATION.EXPIRING' }
  | SocketEvent;

/** Emitted for observers (`actor.on(...)`): the client turns them into its typed events and metrics. */
export type ConnectionEmitted =
  | { type: 'authenticated'; socketId: number }
  | { type: 'lingering'; socketId: number }
  | { type: 'false-alarm'; socketId: number }
  | { type: 'reconnect'; attempt: number; delayMs: number; reason: string }
  | { type: 'login-required'; reason: string; competing: boolean }
  | { type: 'session-rotated' }
  | { type: 'failed'; attempts: number; reason: string };
