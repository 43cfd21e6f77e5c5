/**
 * The bounded queue of orders and trades waiting for a JetStream acknowledgement. A full outbox drops its oldest
 * entries not yet attempted, counted per key: the next message of that key is preceded by a gap that says how many
 * were lost, so an overflow is a marked gap, never silent loss. Entries keep the sequence number of their first
 * attempt, so a retry carries the same `Nats-Msg-Id` and the stream stores it once.
 */

/** A body as an object, or as its JSON text already written (quotes: src/subscriptions/quote-json.ts). */
export type Body = object | string;

export interface OutboxEntry {
  readonly key: string;
  readonly subject: string;
  readonly kind: string;
  readonly body: Body;
  /** Assigned on the first attempt; a retry reuses it. */
  seq?: number;
}

export class Outbox {
  readonly #max: number;
  readonly #entries: OutboxEntry[] = [];
  /** Dropped, not yet announced, per key. */
  readonly #lost = new Map<string, number>();
  #dropped = 0;

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Entries dropped since the start (every one announced by a gap). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Returns the number of entries dropped to make room (0 or 1). */
  push(entry: OutboxEntry): number {
    this.#entries.push(entry);
    if (this.#entries.length <= this.#max) return 0;
    // The head may be in flight (it has a seq): it stays; the oldest never-attempted entry goes.
    const index = this.#entries.findIndex((candidate) => candidate.seq === undefined);
    const [dropped] = this.#entries.splice(index, 1);
    this.#lost.set(dropped!.key, (this.#lost.get(dropped!.key) ?? 0) + 1);
    this.#dropped++;
    return 1;
  }

  peek(): OutboxEntry | undefined {
    return this.#entries[0];
  }

  shift(): void {
    this.#entries.shift();
  }

  /** A gap announcing a loss, put before the entry it precedes (outside the bound: at most one per key). */
  unshift(entry: OutboxEntry): void {
    this.#entries.unshift(entry);
  }

  /** A gap announcing a loss with nothing of its key left queued: last in line (outside the bound). */
  append(entry: OutboxEntry): void {
    this.#entries.push(entry);
  }

  /** Lost entries of `key` to announce before its next message (and forgets them). */
  takeLost(key: string): number {
    const lost = this.#lost.get(key) ?? 0;
    this.#lost.delete(key);
    return lost;
  }

  /** Keys with lost entries and nothing left queued behind them: their gap goes out on its own. */
  orphanedLosses(): string[] {
    const queued = new Set(this.#entries.map((entry) => entry.key));
    return [...this.#lost.keys()].filter((key) => !queued.has(key));
  }
}
