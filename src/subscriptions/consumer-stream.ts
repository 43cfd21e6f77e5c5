/**
 * One consumer's bounded buffer and its async iterator (after nats.js `queued_iterator.ts`): the hub pushes, the
 * consumer pulls with `for await`. Nothing is lost silently: every drop is reported through `onDrop`, and a gap
 * marker stands where items are missing.
 *
 * Overflow policies (docs/SUBSCRIPTIONS.md, "Buffers"):
 * - `drop-oldest`: at `size` items the oldest data item goes (gap markers stay: they say something about what follows).
 * - `backpressure`: at `size` items reading of the socket is paused (shared ReadingPause) until the buffer is down to
 *   half. Frames already in flight still arrive, so the buffer may hold up to `2 × size`. A pause is capped at
 *   `maxPauseMs` — a paused socket reads no heartbeats, and the liveness watch would declare it dead — after which
 *   reading resumes, `onStall` reports it, and items beyond `2 × size` are dropped (counted, one gap marker) until
 *   the consumer catches up.
 */
import { Deque } from './deque.js';
import type { ReadingPause } from './reading-pause.js';
import type { BufferSetting, Clock, Gap, StreamItem } from './types.js';

export interface ConsumerStreamOptions {
  readonly buffer: Required<BufferSetting>;
  readonly maxPauseMs: number;
  readonly clock: Clock;
  readonly pause: ReadingPause;
  /** Items dropped by the overflow policy. */
  readonly onDrop: (count: number, reason: 'drop-oldest' | 'overflow') => void;
  /** A backpressure pause hit `maxPauseMs`: reading resumed, drops may follow. */
  readonly onStall: () => void;
  /** The consumer left its loop (`break`, `return()`): close the handle. */
  readonly onReturn: () => void;
  /** Builds the gap marker that stands where items were dropped after a stall (called once per run of drops). */
  readonly overflowGap: () => Gap;
}

type Waiter<T> = {
  resolve: (result: IteratorResult<StreamItem<T>>) => void;
  reject: (error: unknown) => void;
};

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class ConsumerStream<T> implements AsyncIterableIterator<StreamItem<T>> {
  readonly #options: ConsumerStreamOptions;
  readonly #buffer = new Deque<StreamItem<T>>();
  /** Pending next() calls, oldest first (two loops over one handle share its items rather than lose any). */
  readonly #waiters: Array<Waiter<T>> = [];
  #ended = false;
  #error: unknown;
  #holding = false;
  #stalled = false;
  #pauseTimer: unknown;

  constructor(options: ConsumerStreamOptions) {
    this.#options = options;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  /** Hot path: hand the item to a waiting consumer, or buffer it under the policy. */
  push(item: T): void {
    if (this.#ended) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve({ done: false, value: item });
      return;
    }
    const { size, overflow } = this.#options.buffer;
    if (overflow === 'drop-oldest') {
      if (this.#buffer.length >= size) this.#dropOldestData();
      this.#buffer.push(item);
      return;
    }
    if (this.#buffer.length >= 2 * size) {
      this.#options.onDrop(1, 'overflow');
      if (!isGap(this.#buffer.peekLast())) this.#buffer.push(this.#options.overflowGap());
      return;
    }
    this.#buffer.push(item);
    if (this.#buffer.length >= size && !this.#holding && !this.#stalled) this.#hold();
  }

  /** A gap marker is never dropped; two in a row say no more than one. */
  pushGap(gap: Gap): void {
    if (this.#ended) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve({ done: false, value: gap });
      return;
    }
    this.#pushGapOnce(gap);
  }

  /** Takes everything buffered (for a listener that arrives before anyone iterates). */
  drain(): Array<StreamItem<T>> {
    const items: Array<StreamItem<T>> = [];
    for (let item = this.#buffer.shift(); item !== undefined; item = this.#buffer.shift()) items.push(item);
    this.#afterTake();
    return items;
  }

  /** No more items: the consumer gets what is buffered, then `done`. */
  end(): void {
    this.#finish(undefined);
  }

  /** Like end(), but after the buffered items the iterator throws `error` (once), then is done. */
  fail(error: unknown): void {
    this.#finish(error);
  }

  next(): Promise<IteratorResult<StreamItem<T>>> {
    const item = this.#buffer.shift();
    if (item !== undefined) {
      this.#afterTake();
      return Promise.resolve({ done: false, value: item });
    }
    if (this.#ended) {
      const error = this.#error;
      if (error !== undefined) {
        this.#error = undefined;
        return Promise.reject(error);
      }
      return Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  /** `break` in a for-await loop: end now, drop what is buffered (the consumer asked for no more), close the handle. */
  return(): Promise<IteratorResult<StreamItem<T>>> {
    this.#buffer.clear();
    this.#error = undefined;
    this.#finish(undefined);
    this.#options.onReturn();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamItem<T>> {
    return this;
  }

  #finish(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#releaseHold();
    this.#stalled = false;
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      if (this.#error === undefined) {
        waiter.resolve(DONE);
      } else {
        const failure = this.#error;
        this.#error = undefined;
        waiter.reject(failure);
      }
    }
  }

  #pushGapOnce(gap: Gap): void {
    const last = this.#buffer.peekLast() as StreamItem<T> | undefined;
    if (isGap(last)) return;
    this.#buffer.push(gap);
  }

  /** Drops the oldest data item, keeping a gap marker that precedes it in place. */
  #dropOldestData(): void {
    const first = this.#buffer.shift();
    if (isGap(first)) {
      this.#buffer.shift();
      this.#buffer.unshift(first);
    }
    this.#options.onDrop(1, 'drop-oldest');
  }

  #afterTake(): void {
    if (this.#options.buffer.overflow !== 'backpressure') return;
    if (this.#buffer.length > this.#options.buffer.size / 2) return;
    this.#releaseHold();
    this.#stalled = false;
  }

  #hold(): void {
    this.#holding = true;
    this.#options.pause.hold();
    this.#pauseTimer = this.#options.clock.setTimeout(() => {
      this.#pauseTimer = undefined;
      if (!this.#holding) return;
      this.#releaseHold();
      this.#stalled = true;
      this.#options.onStall();
    }, this.#options.maxPauseMs);
  }

  #releaseHold(): void {
    if (this.#pauseTimer !== undefined) {
      this.#options.clock.clearTimeout(this.#pauseTimer);
      this.#pauseTimer = undefined;
    }
    if (!this.#holding) return;
    this.#holding = false;
    this.#options.pause.release();
  }
}

export function isGap(item: unknown): item is Gap {
  return typeof item === 'object' && item !== null && (item as { kind?: unknown }).kind === 'gap';
}
