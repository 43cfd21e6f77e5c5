/**
 * One consumer stream of the SDK: the messages of one subject turned back into the library's items — data, and
 * `Gap`s for everything that may have been missed: the bridge's in-band gaps, a seq jump within a run, a new bridge
 * run, and this process's own disconnect. Duplicates (same run, seq already seen: a last value read after live data)
 * are dropped. Iterate it, or listen with `on('data')` (a listener alone never fills the buffer, as in the library).
 */
import type { Msg } from '@nats-io/transport-node';
import { HEADERS, type SubscribeResult } from '../bridge/contract.js';
import type { Gap } from '../subscriptions/types.js';

export interface BridgeStreamEvents<T> {
  data: T;
  gap: Gap;
}

export interface BridgeStream<T> extends AsyncIterable<T | Gap> {
  /** The library's wire key, e.g. `smd+265598`. */
  readonly key: string;
  readonly subject: string;
  /** The bridge's answer for this entry (its latest), once it answered. */
  readonly result: SubscribeResult | undefined;
  on<E extends keyof BridgeStreamEvents<T>>(
    event: E,
    listener: (payload: BridgeStreamEvents<T>[E]) => void,
  ): () => void;
  /** Gives the entry up (the set is re-sent without it) and ends the iterator. Idempotent. */
  close(): void;
}

const decoder = new TextDecoder();

export class StreamState<T> implements BridgeStream<T> {
  readonly key: string;
  readonly subject: string;
  result: SubscribeResult | undefined;
  readonly #buffer: Array<T | Gap> = [];
  readonly #bufferSize: number;
  readonly #listeners = { data: new Set<(item: T) => void>(), gap: new Set<(gap: Gap) => void>() };
  readonly #onClose: () => void;
  #wake: (() => void) | undefined;
  #closed = false;
  #run: string | undefined;
  #seq = 0;
  /** A gap was already yielded for what follows (own disconnect): the next jump is not reported again. */
  #covered = false;

  constructor(key: string, subject: string, bufferSize: number, onClose: () => void) {
    this.key = key;
    this.subject = subject;
    this.#bufferSize = bufferSize;
    this.#onClose = onClose;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A message of this subject, live or read back from the last-value stream. */
  receive(msg: Pick<Msg, 'data' | 'headers'>): void {
    if (this.#closed) return;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(decoder.decode(msg.data)) as Record<string, unknown>;
    } catch {
      this.gap('malformed-message');
      return;
    }
    // The body repeats the headers (docs/BRIDGE.md, "Messages"): reading it spares nats.js's header decoding, which
    // costs about as much as the JSON.parse above. The headers are the fallback for a message that lacks them.
    const run = typeof body['bridge'] === 'string' ? body['bridge'] : (msg.headers?.get(HEADERS.bridge) ?? '');
    const seq = typeof body['seq'] === 'number' ? body['seq'] : Number(msg.headers?.get(HEADERS.seq) ?? NaN);
    const kind = typeof body['kind'] === 'string' ? body['kind'] : (msg.headers?.get(HEADERS.kind) ?? '');
    if (run === this.#run && seq <= this.#seq) return;
    if (kind !== 'gap' && !this.#covered) {
      if (this.#run !== undefined && run !== this.#run) this.gap('bridge-restart');
      else if (this.#run !== undefined && seq !== this.#seq + 1) this.gap(`missed-${seq - this.#seq - 1}`);
    }
    this.#run = run;
    this.#seq = seq;
    this.#covered = false;
    if (kind === 'gap') {
      this.#emitGap({
        kind: 'gap',
        key: this.key,
        reason: String(body['reason'] ?? 'gap'),
        at: Number(body['at'] ?? Date.now()),
      });
      return;
    }
    const { v: _version, bridge: _bridge, seq: _seq, ...item } = body;
    this.#emit(item as T);
  }

  /** A gap of this process's own making (its NATS disconnect, an unreachable bridge). */
  gap(reason: string): void {
    if (this.#closed) return;
    this.#covered = true;
    this.#emitGap({ kind: 'gap', key: this.key, reason, at: Date.now() });
  }

  on<E extends keyof BridgeStreamEvents<T>>(
    event: E,
    listener: (payload: BridgeStreamEvents<T>[E]) => void,
  ): () => void {
    const set = this.#listeners[event] as Set<(payload: BridgeStreamEvents<T>[E]) => void>;
    set.add(listener);
    if (event === 'data') {
      // Listening replaces buffering: hand over the buffered data (gap listeners had the gaps), then stop buffering.
      for (const item of this.#buffer.splice(0))
        if ((item as Gap).kind !== 'gap') (listener as (item: T) => void)(item as T);
    }
    return () => set.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    this.#wake?.();
  }

  #emitGap(gap: Gap): void {
    for (const listener of this.#listeners.gap) listener(gap);
    if (this.#listeners.data.size === 0) this.#push(gap);
  }

  #emit(item: T): void {
    if (this.#listeners.data.size > 0) {
      for (const listener of this.#listeners.data) listener(item);
      return;
    }
    this.#push(item);
  }

  #push(item: T | Gap): void {
    this.#buffer.push(item);
    if (this.#buffer.length > this.#bufferSize) {
      // Newest wins (they are snapshots), and the loss is marked where it happened.
      this.#buffer.splice(0, 2, { kind: 'gap', key: this.key, reason: 'overflow', at: Date.now() });
    }
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T | Gap> {
    try {
      while (true) {
        if (this.#buffer.length > 0) {
          yield this.#buffer.shift()!;
          continue;
        }
        if (this.#closed) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
      }
    } finally {
      this.close();
    }
  }
}
