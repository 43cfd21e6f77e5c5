/**
 * Account summary and ledger messages as last values. The gateway sends a ledger currency "blank" (only `key` and
 * `timestamp`) when it did not change in the interval (docs/PROTOCOL.md §4.8), so a single message is not the state:
 * the bridge merges entries by `key` and publishes the whole accumulated list, which a late joiner can read alone.
 * Reset at every gap: after a reconnect the gateway's first message is complete again.
 */
export class EntryState {
  readonly #byKey = new Map<string, Map<string, Record<string, unknown>>>();

  /** The accumulated entries of `key` after merging `entries` in. Entries without a string `key` are kept as sent. */
  merge(key: string, entries: readonly unknown[]): unknown[] {
    let state = this.#byKey.get(key);
    if (state === undefined) {
      state = new Map();
      this.#byKey.set(key, state);
    }
    const unkeyed: unknown[] = [];
    for (const entry of entries) {
      const entryKey = (entry as { key?: unknown } | null)?.key;
      if (typeof entryKey !== 'string') {
        unkeyed.push(entry);
        continue;
      }
      state.set(entryKey, { ...state.get(entryKey), ...(entry as Record<string, unknown>) });
    }
    return [...state.values(), ...unkeyed];
  }

  reset(key: string): void {
    this.#byKey.delete(key);
  }
}
