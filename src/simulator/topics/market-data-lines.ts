/**
 * Market data lines belong to the username, not to a socket (§4.2, §4.12): one line per streamed instrument, shared by
 * every socket of the gateway. A line is freed by `umd`, by `/iserver/marketdata/unsubscribeall` and by the stream's
 * expiry, but not when the socket closes: DOTNET reports lines "not released when your process exits" (§3.5).
 * Re-subscribing the same instrument after a reconnect reuses its line.
 */
export class MarketDataLines {
  readonly #limit: number;
  /** Instrument key (`conid` or `conid@EXCHANGE`) → when its line frees itself (stream expiry). */
  readonly #held = new Map<string, number>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Takes (or refreshes) the line of `key` until `expiresAt`; false when every line is in use by other instruments. */
  acquire(key: string, expiresAt: number, now = Date.now()): boolean {
    if (!this.#held.has(key) && this.inUse(now) >= this.#limit) return false;
    this.#held.set(key, expiresAt);
    return true;
  }

  release(key: string): void {
    this.#held.delete(key);
  }

  releaseAll(): void {
    this.#held.clear();
  }

  inUse(now = Date.now()): number {
    for (const [key, expiresAt] of this.#held) if (expiresAt <= now) this.#held.delete(key);
    return this.#held.size;
  }
}
