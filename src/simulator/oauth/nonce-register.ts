/**
 * Remembers every (access token, nonce) accepted within the timestamp window, so a replayed request is refused; an
 * entry older than the window can go, since its timestamp alone would now be refused.
 */
export class NonceRegister {
  readonly #seen = new Map<string, number>();
  readonly #windowMs: number;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  has(token: string, nonce: string): boolean {
    return this.#seen.has(`${token}\u0000${nonce}`);
  }

  remember(token: string, nonce: string, now: number): void {
    this.#prune(now);
    this.#seen.set(`${token}\u0000${nonce}`, now);
  }

  #prune(now: number): void {
    // Insertion order is time order (the clock only moves forward), so the oldest entries come first.
    for (const [key, at] of this.#seen) {
      if (now - at <= 2 * this.#windowMs) break;
      this.#seen.delete(key);
    }
  }
}
