/**
 * The recorder's memory: the last events as serialised lines, bounded three ways (count, age, bytes) so a recorder
 * left on for days holds the same few megabytes. What the bounds push out is counted, never silently lost.
 */
import type { RecordBounds } from './record-format.js';

interface Entry {
  readonly t: number;
  readonly line: string;
}

export class EventRing {
  readonly #bounds: RecordBounds;
  #entries: Entry[] = [];
  #head = 0;
  #bytes = 0;
  #dropped = 0;

  constructor(bounds: RecordBounds) {
    this.#bounds = bounds;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** Events pushed out by the bounds since the start. */
  get dropped(): number {
    return this.#dropped;
  }

  push(t: number, line: string): void {
    this.#entries.push({ t, line });
    this.#bytes += line.length + 1;
    this.trim(t);
  }

  /** Applies the bounds as of `now` (age counts from the newest moment the caller knows). */
  trim(now: number): void {
    const { maxEvents, maxAgeMs, maxBytes } = this.#bounds;
    const oldest = maxAgeMs > 0 ? now - maxAgeMs : -Infinity;
    while (this.size > 0) {
      const first = this.#entries[this.#head] as Entry;
      if (this.size <= maxEvents && this.#bytes <= maxBytes && first.t >= oldest) break;
      this.#bytes -= first.line.length + 1;
      this.#head += 1;
      this.#dropped += 1;
    }
    // Compact now and then: amortised O(1) per event, no unbounded dead prefix.
    if (this.#head > 1_024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  lines(): string[] {
    return this.#entries.slice(this.#head).map((entry) => entry.line);
  }
}
