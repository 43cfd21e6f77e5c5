/**
 * The bridge's side of the client: one publisher handle per wire key, opened with the union of what consumers want,
 * through the client's public subscription methods only. Handles are listened to (`on('data')`) and never iterated,
 * so the bridge never buffers or pauses the socket (docs/SUBSCRIPTIONS.md). When the fields widen, a handle with the
 * union is opened first (the hub re-sends `smd` with it) and the narrower one closed after: one wire subscription all
 * along. When the last holder goes, the handle is closed and the hub sends the unsubscribe.
 */
import type { IbkrWs } from '../client.js';
import { IbkrWsError } from '../errors.js';
import type { Gap, SubscriptionHandle, SubscriptionStatus } from '../subscriptions/index.js';
import type { BridgeSubscription } from './contract.js';
import { covers, widen } from './interest.js';

export type UpstreamClient = Pick<
  IbkrWs,
  'marketData' | 'orders' | 'trades' | 'pnl' | 'accountSummary' | 'ledger' | 'book'
>;

export interface UpstreamListener {
  data(key: string, item: unknown): void;
  gap(key: string, gap: Gap): void;
  /** A key was opened upstream (first time in this run, or again after it was closed). */
  opened(key: string, sub: BridgeSubscription): void;
  closed(key: string): void;
}

interface Open {
  sub: BridgeSubscription;
  handle: SubscriptionHandle<unknown>;
  offs: Array<() => void>;
}

export class Upstream {
  readonly #client: UpstreamClient;
  readonly #listener: UpstreamListener;
  readonly #open = new Map<string, Open>();

  constructor(client: UpstreamClient, listener: UpstreamListener) {
    this.#client = client;
    this.#listener = listener;
  }

  keys(): IterableIterator<string> {
    return this.#open.keys();
  }

  has(key: string): boolean {
    return this.#open.has(key);
  }

  status(key: string): SubscriptionStatus | undefined {
    return this.#open.get(key)?.handle.status;
  }

  /**
   * Makes `key` streamed upstream with at least `want`'s fields. Throws the client's typed error (limit, conflict,
   * bad option) and leaves the previous state untouched when it cannot.
   */
  ensure(key: string, want: BridgeSubscription): void {
    const current = this.#open.get(key);
    if (current === undefined) {
      const handle = this.#subscribe(want);
      this.#open.set(key, { sub: want, handle, offs: this.#listen(key, handle) });
      this.#listener.opened(key, want);
      return;
    }
    if (exchangeOf(current.sub) !== exchangeOf(want)) {
      throw new IbkrWsError(
        'subscription-conflict',
        `${key} is streamed ${describeExchange(current.sub)}; asked ${describeExchange(want)}`,
      );
    }
    if (covers(current.sub, want)) return;
    const widened = widen(current.sub, want);
    const handle = this.#subscribe(widened);
    // Swap listeners in one turn: the hub yields each quote to every handle synchronously, so none is doubled or missed.
    for (const off of current.offs.splice(0)) off();
    current.handle.close();
    this.#open.set(key, { sub: widened, handle, offs: this.#listen(key, handle) });
  }

  /** Closes the handle of `key` (the hub unsubscribes upstream when it was the last). */
  close(key: string): void {
    const current = this.#open.get(key);
    if (current === undefined) return;
    this.#open.delete(key);
    for (const off of current.offs.splice(0)) off();
    current.handle.close();
    this.#listener.closed(key);
  }

  closeAll(): void {
    for (const key of [...this.#open.keys()]) {
      const current = this.#open.get(key)!;
      this.#open.delete(key);
      for (const off of current.offs.splice(0)) off();
      current.handle.close();
    }
  }

  #listen(key: string, handle: SubscriptionHandle<unknown>): Array<() => void> {
    return [
      handle.on('data', (item) => this.#listener.data(key, item)),
      handle.on('gap', (gap) => this.#listener.gap(key, gap)),
    ];
  }

  #subscribe(sub: BridgeSubscription): SubscriptionHandle<unknown> {
    switch (sub.topic) {
      case 'smd':
        return this.#client.marketData(
          sub.exchange === undefined ? sub.conid : `${sub.conid}@${sub.exchange}`,
          sub.fields,
        );
      case 'sor':
        return this.#client.orders();
      case 'str':
        return this.#client.trades();
      case 'spl':
        return this.#client.pnl();
      case 'ssd':
        return this.#client.accountSummary(sub.acct);
      case 'sld':
        return this.#client.ledger(sub.acct);
      case 'sbd':
        return this.#client.book(sub.acct, sub.conid, sub.exchange);
    }
  }
}

function exchangeOf(sub: BridgeSubscription): string | undefined {
  return sub.topic === 'smd' || sub.topic === 'sbd' ? sub.exchange : undefined;
}

function describeExchange(sub: BridgeSubscription): string {
  const exchange = exchangeOf(sub);
  return exchange === undefined ? 'from the default exchange' : `from ${exchange}`;
}
