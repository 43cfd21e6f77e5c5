/**
 * Counters of everything that happens to a connection: the numbers behind "nothing dies silently". Plain integers,
 * bumped on the hot path without allocation; `snapshot()` copies them for the user.
 */
import type { LifecycleState } from '../machines/index.js';

export interface MetricsSnapshot {
  readonly state: LifecycleState;
  readonly reconnects: number;
  readonly lingeringDetections: number;
  readonly lingeringFalseAlarms: number;
  readonly sessionRotations: number;
  readonly loginRequired: number;
  readonly authentications: number;
  /** OAuth: live session tokens obtained, the first and every renewal (refusals count in `errorsByCode`, `oauth-*`). */
  readonly liveSessionTokens: number;
  readonly framesIn: number;
  readonly framesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly dataMessages: number;
  readonly protocolErrors: number;
  readonly protocolErrorsByCode: Readonly<Record<string, number>>;
  readonly errorFrames: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly dropped: number;
  readonly droppedByReason: Readonly<Record<string, number>>;
  /** Total time spent in `authenticated` (and `lingering-detected`, which still holds an authenticated socket). */
  readonly authenticatedMs: number;
}

export class Metrics {
  state: LifecycleState = 'idle';
  reconnects = 0;
  lingeringDetections = 0;
  lingeringFalseAlarms = 0;
  sessionRotations = 0;
  loginRequired = 0;
  authentications = 0;
  liveSessionTokens = 0;
  framesIn = 0;
  framesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  dataMessages = 0;
  protocolErrors = 0;
  errorFrames = 0;
  dropped = 0;
  readonly protocolErrorsByCode: Record<string, number> = {};
  readonly errorsByCode: Record<string, number> = {};
  readonly droppedByReason: Record<string, number> = {};
  #authenticatedSince: number | undefined;
  #authenticatedTotal = 0;

  countProtocolError(code: string): void {
    this.protocolErrors++;
    this.protocolErrorsByCode[code] = (this.protocolErrorsByCode[code] ?? 0) + 1;
  }

  countError(code: string): void {
    this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
  }

  countDrop(reason: string, count = 1): void {
    this.dropped += count;
    this.droppedByReason[reason] = (this.droppedByReason[reason] ?? 0) + count;
  }

  enterState(state: LifecycleState): void {
    this.state = state;
  }

  /** The statechart entered `socket.ready` (its entry action says so): authenticated time runs. */
  dataPlaneReady(now: number): void {
    this.#authenticatedSince ??= now;
  }

  /** The statechart left `socket.ready`. */
  dataPlaneLost(now: number): void {
    if (this.#authenticatedSince === undefined) return;
    this.#authenticatedTotal += now - this.#authenticatedSince;
    this.#authenticatedSince = undefined;
  }

  snapshot(now: number): MetricsSnapshot {
    const running = this.#authenticatedSince === undefined ? 0 : now - this.#authenticatedSince;
    return {
      state: this.state,
      reconnects: this.reconnects,
      lingeringDetections: this.lingeringDetections,
      lingeringFalseAlarms: this.lingeringFalseAlarms,
      sessionRotations: this.sessionRotations,
      loginRequired: this.loginRequired,
      authentications: this.authentications,
      liveSessionTokens: this.liveSessionTokens,
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      dataMessages: this.dataMessages,
      protocolErrors: this.protocolErrors,
      protocolErrorsByCode: { ...this.protocolErrorsByCode },
      errorFrames: this.errorFrames,
      errorsByCode: { ...this.errorsByCode },
      dropped: this.dropped,
      droppedByReason: { ...this.droppedByReason },
      authenticatedMs: this.#authenticatedTotal + running,
    };
  }
}
