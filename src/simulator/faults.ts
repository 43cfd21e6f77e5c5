/**
 * The gateway-wide faults that change how new requests and connections are served: the maintenance window, a slow
 * WebSocket handshake, and injected tickle failures. Faults that act on open sockets (linger, drop, close, raw frames)
 * live on the sockets themselves; the control surface in simulator.ts fans them out.
 */
export class GatewayFaults {
  #maintenance = false;
  #handshakeDelayMs = 0;
  #tickleFailuresLeft = 0;
  #tickleFailureStatus = 401;

  /** IBKR's restart window (§5): REST answers 503, sockets are closed 1000 right after they are accepted. */
  get maintenance(): boolean {
    return this.#maintenance;
  }

  set maintenance(on: boolean) {
    this.#maintenance = on;
  }

  /** How long the WebSocket upgrade response is held back (0 = answer at once). */
  get handshakeDelayMs(): number {
    return this.#handshakeDelayMs;
  }

  set handshakeDelayMs(delayMs: number) {
    if (!Number.isFinite(delayMs) || delayMs < 0)
      throw new RangeError(`slowHandshake expects a non-negative delay, got ${delayMs}`);
    this.#handshakeDelayMs = delayMs;
  }

  failNextTickles(count: number, status: number): void {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new RangeError(`failNextTickles expects a non-negative count, got ${count}`);
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new RangeError(`failNextTickles expects an HTTP error status, got ${status}`);
    this.#tickleFailuresLeft = count;
    this.#tickleFailureStatus = status;
  }

  /** The status the next tickle must fail with, consuming one failure; undefined when tickles are served normally. */
  takeTickleFailure(): number | undefined {
    if (this.#tickleFailuresLeft === 0) return undefined;
    this.#tickleFailuresLeft -= 1;
    return this.#tickleFailureStatus;
  }
}
