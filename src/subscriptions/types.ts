/**
 * The public vocabulary of the subscription layer: statuses, the items a stream yields (data, gap markers, quotes),
 * per-call and client-wide options, and the handle every facade method returns. Types only, in one place, so the
 * hub, the handles and the docs cannot drift apart.
 */
import type { IbkrWsError } from '../errors.js';
import type {
  AccountSummaryMessage,
  BookMessage,
  ClientCommand,
  HistoryMessage,
  LedgerMessage,
  OrdersMessage,
  PnlMessage,
  ServerMessage,
  ServerMessageKind,
  SubscribableTopic,
  TradesMessage,
} from '../protocol/types.js';

/**
 * - `pending`: wanted, not (yet) acknowledged on the current socket (also: waiting for the socket to be ready);
 * - `active`: acknowledged (or, for topics without an acknowledgement, sent) on the current socket;
 * - `failed`: no acknowledgement after every retry, or the gateway sent an error on its topic; tried again after the
 *   next re-authentication;
 * - `expired`: a market-data stream delivered nothing for longer than its lifetime; re-requested at once;
 * - `closed`: the handle was closed (or the hub stopped); final.
 */
export type SubscriptionStatus = 'pending' | 'active' | 'failed' | 'expired' | 'closed';

/** What happens when a consumer's buffer is full. */
export type OverflowPolicy =
  /** Drop the oldest buffered item (counted, `drop` event). Right for snapshots: the newest supersedes the rest. */
  | 'drop-oldest'
  /** Never drop while the consumer keeps up: pause reading the socket, for at most `maxPauseMs` (see docs). */
  | 'backpressure';

/** A marker in a stream: data may be missing between the items before and after it. */
export interface Gap {
  readonly kind: 'gap';
  /** The wire subscription, e.g. `smd+265598`. */
  readonly key: string;
  /** Why: the reason the socket was lost, `expired`, or `overflow`. */
  readonly reason: string;
  /** Epoch ms (the hub's clock). */
  readonly at: number;
}

/** The `6509` availability code decoded (docs/PROTOCOL.md §4.2). */
export interface MarketDataAvailability {
  /** The wire value, e.g. `RpB`. */
  readonly code: string;
  readonly timeline: 'realtime' | 'delayed' | 'frozen' | 'frozen-delayed' | 'not-subscribed' | 'unknown';
  /** `P`: a snapshot request is available for the contract. */
  readonly snapshot: boolean;
  /** `p`: aggregated across several exchanges (consolidated). */
  readonly consolidated: boolean;
  /** `B`: book (depth) data is available. */
  readonly book: boolean;
}

/** Readable names for the common field ids; values are the wire values, unchanged (strings mostly, see docs). */
export interface QuoteNamedFields {
  readonly last?: string | number;
  readonly symbol?: string | number;
  readonly high?: string | number;
  readonly low?: string | number;
  readonly change?: string | number;
  readonly changePercent?: string | number;
  readonly bid?: string | number;
  readonly askSize?: string | number;
  readonly ask?: string | number;
  readonly volume?: string | number;
  readonly bidSize?: string | number;
  readonly lastSize?: string | number;
  readonly open?: string | number;
  readonly close?: string | number;
  readonly priorClose?: string | number;
  readonly volumeExact?: string | number;
  readonly [name: string]: string | number | undefined;
}

/** The whole quote of one instrument, as accumulated from `smd` deltas since the stream (re)started. */
export interface Quote {
  readonly kind: 'quote';
  readonly key: string;
  readonly conid: number;
  readonly exchange?: string;
  /** Every field id seen, with its latest wire value (`31`, `87_raw`, `6509`, …). */
  readonly fields: Readonly<Record<string, string | number>>;
  readonly named: QuoteNamedFields;
  readonly availability?: MarketDataAvailability;
  /** The gateway's `_updated` of the latest delta, when it sent one. */
  readonly updated?: number;
  /** When the latest delta arrived (the hub's clock). */
  readonly receivedAt: number;
}

export type StreamItem<T> = T | Gap;

/** Options every facade method accepts (all optional). */
export interface StreamOptions {
  /** Items buffered for this consumer before the overflow policy applies. */
  readonly bufferSize?: number;
  readonly overflow?: OverflowPolicy;
  /** Wait this long for the acknowledgement of each attempt. */
  readonly ackTimeoutMs?: number;
  /** Re-sends after the first attempt before the subscription is `failed`. */
  readonly retries?: number;
}

export interface MarketDataOptions extends StreamOptions {
  /** No data for this long = the gateway expired the stream: status `expired`, re-requested at once. */
  readonly expiryMs?: number;
}

export interface OrdersFilters extends StreamOptions {
  /** Order statuses to stream (`Submitted`, `Filled`, …); all when absent. Shared streams use the union. */
  readonly filters?: readonly string[];
}

export interface TradesOptions extends StreamOptions {
  readonly realtimeUpdatesOnly?: boolean;
  /** 1..7 */
  readonly days?: number;
}

/** `smh` parameters, sent as given (docs/PROTOCOL.md §4.3). */
export interface HistoryParams {
  readonly exchange?: string;
  readonly period?: string;
  readonly bar?: string;
  readonly outsideRth?: boolean;
  readonly source?: string;
  readonly format?: string;
  readonly [name: string]: unknown;
}

export interface RawOptions extends StreamOptions {
  /** Sent once when the socket is ready (queued until then). Never restored after a reconnect. */
  readonly send?: ClientCommand | readonly ClientCommand[];
  /** Deliver server messages of these kinds… */
  readonly kinds?: readonly ServerMessageKind[];
  /** …and/or whose `topic` is one of these (e.g. `smd+265598`, `ntf`)… */
  readonly topics?: readonly string[];
  /** …and/or that this predicate accepts (it runs on the hot path: keep it cheap). */
  readonly match?: (message: ServerMessage) => boolean;
}

export interface BufferSetting {
  readonly size?: number;
  readonly overflow?: OverflowPolicy;
}

/** The kinds of consumer stream, each with its own buffer default. */
export type StreamKind =
  'marketData' | 'orders' | 'pnl' | 'trades' | 'book' | 'history' | 'accountSummary' | 'ledger' | 'raw';

/** Client-wide options (`createIbkrWs({ subscriptions })`); every default lives in defaults.ts with its reason. */
export interface SubscriptionOptions {
  readonly ackTimeoutMs?: number;
  readonly retries?: number;
  readonly marketDataLines?: number;
  readonly maxHistoryStreams?: number;
  readonly marketDataExpiryMs?: number;
  readonly maxPauseMs?: number;
  readonly commandQueueSize?: number;
  readonly buffers?: Partial<Record<StreamKind, BufferSetting>>;
}

export interface StatusChange {
  readonly key: string;
  readonly status: SubscriptionStatus;
  readonly reason?: string;
}

export interface DropEvent {
  readonly key: string;
  readonly count: number;
  readonly reason: string;
}

export interface HandleEvents<T> {
  status: StatusChange;
  gap: Gap;
  data: T;
  drop: DropEvent;
}

/** What every facade method returns. */
export interface SubscriptionHandle<T> extends AsyncIterable<StreamItem<T>> {
  /** The wire subscription this consumer shares, e.g. `smd+265598`, `sor`, `ssd+DU1234567`. */
  readonly key: string;
  readonly status: SubscriptionStatus;
  /** Resolves on the first acknowledgement; rejects (typed IbkrWsError) on failure, close or stop before it. */
  readonly acknowledged: Promise<void>;
  on<E extends keyof HandleEvents<T>>(event: E, listener: (payload: HandleEvents<T>[E]) => void): () => void;
  /** Ends this consumer; the wire subscription is unsubscribed when its last consumer closes. Idempotent. */
  close(): void;
}

export type MarketDataHandle = SubscriptionHandle<Quote>;
export type OrdersHandle = SubscriptionHandle<OrdersMessage>;
export type PnlHandle = SubscriptionHandle<PnlMessage>;
export type TradesHandle = SubscriptionHandle<TradesMessage>;
export type BookHandle = SubscriptionHandle<BookMessage>;
export type HistoryHandle = SubscriptionHandle<HistoryMessage>;
export type AccountSummaryHandle = SubscriptionHandle<AccountSummaryMessage>;
export type LedgerHandle = SubscriptionHandle<LedgerMessage>;
export type RawHandle = SubscriptionHandle<ServerMessage>;

/** One row of `subscriptions()`. */
export interface SubscriptionSnapshot {
  readonly key: string;
  readonly topic: SubscribableTopic;
  readonly status: SubscriptionStatus;
  readonly consumers: number;
  /** Sends of the current subscribe on the current socket (1 + retries so far). */
  readonly attempts: number;
  readonly reason?: string;
  readonly lastDataAt?: number;
}

/** Time, injected so that tests drive it (never real sleeps). */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SubscriptionHubDeps {
  readonly options: SubscriptionOptions;
  /** Sends on the authenticated socket: called only between onReady and onNotReady, when that socket is open. */
  send(commands: readonly ClientCommand[]): void;
  pauseReading(paused: boolean): void;
  countDrop(reason: string, count: number): void;
  reportError(error: IbkrWsError): void;
  onStatus?(change: StatusChange): void;
  onGap?(event: { key: string; reason: string }): void;
  clock?: Clock;
}
