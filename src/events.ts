/**
 * A tiny typed event emitter: `on(name, listener)` returns the function that removes the listener. A listener that
 * throws is reported as an `error` event instead of breaking the client's own bookkeeping. An `error` listener that
 * throws cannot be reported that way (it would loop): its exception is rethrown asynchronously, as xstate's
 * `reportUnhandledError` does, so it reaches the process's uncaught-exception handling instead of vanishing.
 */
export class TypedEvents<Events extends Record<string, unknown>> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  on<Name extends keyof Events>(name: Name, listener: (payload: Events[Name]) => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<Name extends keyof Events>(name: Name, payload: Events[Name]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (payload: Events[Name]) => void)(payload);
      } catch (error) {
        if (name === 'error') rethrowLater(error);
        else this.#onListenerError(error);
      }
    }
  }

  hasListeners(name: keyof Events): boolean {
    return (this.#listeners.get(name)?.size ?? 0) > 0;
  }

  clear(): void {
    this.#listeners.clear();
  }
}

function rethrowLater(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}
