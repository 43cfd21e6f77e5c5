/**
 * The handle a facade method returns: one consumer of one wire subscription. It owns the consumer's buffer (an async
 * iterator), its events and its `acknowledged` promise; the hub owns everything shared between consumers.
 *
 * Iterating and listening both work. Items are buffered for the iterator from the start (so nothing arrives before
 * the first `for await` is lost); a handle that is only listened to (`on('data')`, never iterated) stops buffering
 * the moment its first data listener attaches, and that listener first receives what was buffered until then — so
 * listening alone can never fill a buffer, drop quotes or pause the socket.
 */
import { IbkrWsError } from '../errors.js';
import { TypedEvents } from '../events.js';
import { ConsumerStream, isGap, type ConsumerStreamOptions } from './consumer-stream.js';
import type { Gap, HandleEvents, StatusChange, StreamItem, SubscriptionHandle, SubscriptionStatus } from './types.js';

export interface HandleHooks {
  /** The consumer closed the handle (close(), `break`): the hub detaches it. */
  readonly onClose: (handle: Handle<any>) => void;
  /** A listener threw: reported, never allowed to break the hub. */
  readonly onListenerError: (error: unknown) => void;
}

export class Handle<T> implements SubscriptionHandle<T> {
  readonly key: string;
  readonly acknowledged: Promise<void>;
  readonly #stream: ConsumerStream<T>;
  readonly #events: TypedEvents<HandleEvents<T> & Record<string, unknown>>;
  readonly #hooks: HandleHooks;
  #status: SubscriptionStatus = 'pending';
  #iterating = false;
  /** Closed, stopped or failed for good: no more items, events or status changes. */
  #done = false;
  #acknowledgement: 'waiting' | 'resolved' | 'rejected' = 'waiting';
  #resolve!: () => void;
  #reject!: (error: IbkrWsError) => void;

  constructor(key: string, streamOptions: Omit<ConsumerStreamOptions, 'onReturn'>, hooks: HandleHooks) {
    this.key = key;
    this.#hooks = hooks;
    this.#events = new TypedEvents(hooks.onListenerError);
    this.#stream = new ConsumerStream<T>({
      ...streamOptions,
      overflowGap: () => {
        const gap = streamOptions.overflowGap();
        this.#events.emit('gap', gap);
        return gap;
      },
      onReturn: () => this.close(),
    });
    this.acknowledged = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // An unobserved rejection must never crash the process: whoever awaits `acknowledged` still sees it.
    this.acknowledged.catch(() => undefined);
  }

  get status(): SubscriptionStatus {
    return this.#status;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Items waiting in this consumer's buffer (for tests and the subscriptions() view). */
  get buffered(): number {
    return this.#stream.buffered;
  }

  on<E extends keyof HandleEvents<T>>(event: E, listener: (payload: HandleEvents<T>[E]) => void): () => void {
    const first = event === 'data' && !this.#events.hasListeners('data');
    const off = this.#events.on(event, listener as (payload: (HandleEvents<T> & Record<string, unknown>)[E]) => void);
    if (first && !this.#iterating) {
      for (const item of this.#stream.drain()) if (!isGap(item)) this.#events.emit('data', item as T);
    }
    return off;
  }

  close(): void {
    if (this.#done) return;
    this.#hooks.onClose(this);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamItem<T>> {
    this.#iterating = true;
    return this.#stream;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Called by the hub
  // -------------------------------------------------------------------------------------------------------------

  /** Hot path. */
  deliver(item: T): void {
    if (this.#done) return;
    const listening = this.#events.hasListeners('data');
    if (this.#iterating || !listening) this.#stream.push(item);
    if (listening) this.#events.emit('data', item);
  }

  deliverGap(gap: Gap): void {
    if (this.#iterating || !this.#events.hasListeners('data')) this.#stream.pushGap(gap);
    this.#events.emit('gap', gap);
  }

  emitDrop(count: number, reason: string): void {
    if (this.#events.hasListeners('drop')) this.#events.emit('drop', { key: this.key, count, reason });
  }

  setStatus(status: SubscriptionStatus, reason?: string): void {
    if (this.#done || this.#status === status) return;
    this.#status = status;
    const change: StatusChange = reason === undefined ? { key: this.key, status } : { key: this.key, status, reason };
    this.#events.emit('status', change);
  }

  acknowledge(): void {
    if (this.#acknowledgement !== 'waiting') return;
    this.#acknowledgement = 'resolved';
    this.#resolve();
  }

  rejectAcknowledgement(error: IbkrWsError): void {
    if (this.#acknowledgement !== 'waiting') return;
    this.#acknowledgement = 'rejected';
    this.#reject(error);
  }

  /** The consumer is done (closed or stopped): buffered items are still yielded, then the iterator ends. */
  finish(reason: string, error: IbkrWsError): void {
    if (this.#done) return;
    this.rejectAcknowledgement(error);
    this.setStatus('closed', reason);
    this.#done = true;
    this.#stream.end();
  }

  /** The request can never succeed (a failed history request): buffered items, then the iterator throws `error`. */
  fail(error: IbkrWsError): void {
    if (this.#done) return;
    this.rejectAcknowledgement(error);
    this.setStatus('failed', error.message);
    this.#done = true;
    this.#stream.fail(error);
  }
}
