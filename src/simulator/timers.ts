/**
 * Every timer the simulator starts goes through a Timers set, so closing a socket or the whole simulator clears all of
 * them in one call: a forgotten timer would keep the user's process (or the test runner) alive.
 */
export class Timers {
  readonly #timeouts = new Set<NodeJS.Timeout>();
  readonly #immediates = new Set<NodeJS.Immediate>();
  #closed = false;

  setTimeout(callback: () => void, delayMs: number): NodeJS.Timeout | undefined {
    if (this.#closed) return undefined;
    const handle = setTimeout(() => {
      this.#timeouts.delete(handle);
      callback();
    }, delayMs);
    this.#timeouts.add(handle);
    return handle;
  }

  setInterval(callback: () => void, intervalMs: number): NodeJS.Timeout | undefined {
    if (this.#closed) return undefined;
    const handle = setInterval(callback, intervalMs);
    this.#timeouts.add(handle);
    return handle;
  }

  setImmediate(callback: () => void): NodeJS.Immediate | undefined {
    if (this.#closed) return undefined;
    const handle = setImmediate(() => {
      this.#immediates.delete(handle);
      callback();
    });
    this.#immediates.add(handle);
    return handle;
  }

  /** Clears a timeout or an interval (Node uses one clear function for both). */
  clear(handle: NodeJS.Timeout | undefined): void {
    if (handle === undefined) return;
    clearTimeout(handle);
    this.#timeouts.delete(handle);
  }

  clearImmediate(handle: NodeJS.Immediate | undefined): void {
    if (handle === undefined) return;
    clearImmediate(handle);
    this.#immediates.delete(handle);
  }

  /** Clears everything and refuses new timers: used when the owner is gone for good. */
  close(): void {
    this.#closed = true;
    for (const handle of this.#timeouts) clearTimeout(handle);
    for (const handle of this.#immediates) clearImmediate(handle);
    this.#timeouts.clear();
    this.#immediates.clear();
  }

  get size(): number {
    return this.#timeouts.size + this.#immediates.size;
  }
}
