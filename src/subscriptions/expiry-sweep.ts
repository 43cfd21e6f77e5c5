/**
 * Finds market-data streams the gateway has silently ended (docs/PROTOCOL.md §4.2: no close, no message, the data just
 * stops). One timer serves every stream, and only while the socket is ready: a per-stream timer reset on every
 * delta would cost a clearTimeout/setTimeout pair per message on the hot path.
 *
 * A stream is expired when it delivered nothing for longer than its lifetime, counted from its last data or its last
 * request, so a quiet instrument is re-requested at most once per lifetime rather than in a loop.
 */
import type { Registry } from './registry.js';
import type { Clock } from './types.js';
import type { WireSubscription } from './wire-subscription.js';

export class ExpirySweep {
  readonly #clock: Clock;
  readonly #registry: Registry;
  readonly #onExpired: (streams: readonly WireSubscription[], now: number) => void;
  #timer: unknown;

  constructor(
    clock: Clock,
    registry: Registry,
    onExpired: (streams: readonly WireSubscription[], now: number) => void,
  ) {
    this.#clock = clock;
    this.#registry = registry;
    this.#onExpired = onExpired;
  }

  /** Arms the timer if market data is wanted and it is not armed yet; it checks four times per shortest lifetime. */
  schedule(): void {
    if (this.#timer !== undefined) return;
    let shortest = Infinity;
    for (const wire of this.#registry.wires.values())
      if (wire.topic === 'smd') shortest = Math.min(shortest, wire.expiryMs);
    if (shortest === Infinity) return;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#sweep();
        this.schedule();
      },
      Math.max(1, Math.floor(shortest / 4)),
    );
  }

  stop(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    const now = this.#clock.now();
    const expired: WireSubscription[] = [];
    for (const wire of this.#registry.wires.values()) {
      if (wire.topic !== 'smd' || !wire.sent || (wire.status !== 'active' && wire.status !== 'expired')) continue;
      const since = Math.max(wire.lastDataAt ?? 0, wire.lastRequestAt ?? 0);
      if (now - since >= wire.expiryMs) expired.push(wire);
    }
    if (expired.length > 0) this.#onExpired(expired, now);
  }
}
