/**
 * The bridge's wire contract on NATS (docs/BRIDGE.md): subject, stream, bucket and header names, and the JSON bodies.
 * Pure and dependency-free, so that the bridge and the consumer SDK (`ibkr-ws/bridge-client`) read it from one place,
 * and a consumer in another language needs only what docs/BRIDGE.md says about it.
 */

/** The body version. A breaking change bumps it; consumers ignore unknown fields and kinds. */
export const WIRE_VERSION = 1;

/** Headers on every data and gap message. `Nats-` is reserved by NATS, hence the own prefix. */
export const HEADERS = {
  kind: 'Ibkr-Kind',
  key: 'Ibkr-Key',
  bridge: 'Ibkr-Bridge',
  seq: 'Ibkr-Seq',
  schema: 'Ibkr-Schema',
} as const;

/** One prefix per IBKR username (session): it is a subject token and part of stream and bucket names. */
export const PREFIX_PATTERN = /^[a-z0-9_-]{1,32}$/;
/** Consumer ids are KV keys and appear in logs: short, safe characters. */
export const CONSUMER_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Account ids become subject tokens: no `.`, `*`, `>` or spaces. */
export const ACCOUNT_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const EXCHANGE_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;

/** Topics a consumer may ask for (the library's wire topics; history is one-shot and not bridged). */
export const BRIDGE_TOPICS = ['smd', 'sor', 'str', 'spl', 'ssd', 'sld', 'sbd'] as const;
export type BridgeTopic = (typeof BRIDGE_TOPICS)[number];

/** What `Ibkr-Kind` says a data message is, per wire topic. */
export const KIND_OF_TOPIC: Readonly<Record<BridgeTopic, string>> = {
  smd: 'quote',
  sor: 'orders',
  str: 'trades',
  spl: 'pnl',
  ssd: 'summary',
  sld: 'ledger',
  sbd: 'book',
};

/** Orders and trades are events (kept, de-duplicated); the other topics are last values (one message per subject). */
export const EVENT_TOPICS: ReadonlySet<string> = new Set(['sor', 'str']);

/** One entry of a consumer's desired set, as sent in `ctl.subscribe`. */
export type BridgeSubscription =
  | { readonly topic: 'smd'; readonly conid: number; readonly exchange?: string; readonly fields: readonly string[] }
  | { readonly topic: 'sor' | 'str' | 'spl' }
  | { readonly topic: 'ssd' | 'sld'; readonly acct: string }
  | { readonly topic: 'sbd'; readonly acct: string; readonly conid: number; readonly exchange?: string };

export interface SubscribeRequest {
  readonly v: 1;
  readonly consumer: string;
  readonly leaseMs?: number;
  readonly subs: readonly BridgeSubscription[];
}

export interface ReleaseRequest {
  readonly v: 1;
  readonly consumer: string;
}

export interface WireError {
  readonly code: string;
  readonly message: string;
}

export interface SubscribeResult {
  /** The library's wire key (`smd+265598`), or null when the entry could not even be read. */
  readonly key: string | null;
  readonly subject: string | null;
  readonly status: 'pending' | 'active' | 'failed' | 'expired';
  readonly error?: WireError;
}

export interface ControlReply {
  readonly v: 1;
  readonly ok: boolean;
  /** The run id of the bridge process that answered. */
  readonly bridge: string;
  readonly leaseMs?: number;
  /** In the order of `subs`. */
  readonly results?: readonly SubscribeResult[];
  /** Set when the request as a whole was refused (unreadable JSON, wrong version, bad consumer id). */
  readonly error?: WireError;
}

/** The body of a gap marker. */
export interface GapBody {
  readonly v: 1;
  readonly kind: 'gap';
  readonly key: string;
  readonly reason: string;
  readonly at: number;
  /** Messages known to be lost (outbox overflow), when counted. */
  readonly missed?: number;
}

/** KV `ibkr_<p>_state`, key `connection`. */
export interface ConnectionStateValue {
  readonly state: string;
  readonly reason: string | null;
  readonly at: number;
}

export interface BridgeNames {
  readonly prefix: string;
  readonly root: string;
  quotes(conid: number): string;
  readonly orders: string;
  readonly trades: string;
  readonly pnl: string;
  summary(acct: string): string;
  ledger(acct: string): string;
  book(acct: string, conid: number): string;
  readonly ctlSubscribe: string;
  readonly ctlRelease: string;
  evt(type: string): string;
  /** The last-value stream and its subjects. */
  readonly lvStream: string;
  readonly lvSubjects: readonly string[];
  /** The orders/trades stream and its subjects. */
  readonly evStream: string;
  readonly evSubjects: readonly string[];
  readonly stateBucket: string;
  readonly interestBucket: string;
}

export function bridgeNames(prefix: string): BridgeNames {
  if (!PREFIX_PATTERN.test(prefix))
    throw new Error(`prefix must match ${PREFIX_PATTERN.source}, got ${JSON.stringify(prefix)}`);
  const root = `ibkr.${prefix}`;
  const upper = prefix.toUpperCase();
  return {
    prefix,
    root,
    quotes: (conid) => `${root}.md.${conid}`,
    orders: `${root}.orders`,
    trades: `${root}.trades`,
    pnl: `${root}.pnl`,
    summary: (acct) => `${root}.summary.${acct}`,
    ledger: (acct) => `${root}.ledger.${acct}`,
    book: (acct, conid) => `${root}.book.${acct}.${conid}`,
    ctlSubscribe: `${root}.ctl.subscribe`,
    ctlRelease: `${root}.ctl.release`,
    evt: (type) => `${root}.evt.${type}`,
    lvStream: `IBKR_${upper}_LV`,
    lvSubjects: [`${root}.md.>`, `${root}.pnl`, `${root}.summary.>`, `${root}.ledger.>`, `${root}.book.>`],
    evStream: `IBKR_${upper}_EV`,
    evSubjects: [`${root}.orders`, `${root}.trades`],
    stateBucket: `ibkr_${prefix}_state`,
    interestBucket: `ibkr_${prefix}_interest`,
  };
}

/** The library's wire key of an entry (the same as the client's `handle.key`). */
export function keyOfSubscription(sub: BridgeSubscription): string {
  switch (sub.topic) {
    case 'smd':
      return `smd+${sub.conid}`;
    case 'sor':
    case 'str':
    case 'spl':
      return sub.topic;
    case 'ssd':
    case 'sld':
      return `${sub.topic}+${sub.acct}`;
    case 'sbd':
      return ['sbd', sub.acct, sub.conid, ...(sub.exchange === undefined ? [] : [sub.exchange])].join('+');
  }
}

export function subjectOfSubscription(names: BridgeNames, sub: BridgeSubscription): string {
  switch (sub.topic) {
    case 'smd':
      return names.quotes(sub.conid);
    case 'sor':
      return names.orders;
    case 'str':
      return names.trades;
    case 'spl':
      return names.pnl;
    case 'ssd':
      return names.summary(sub.acct);
    case 'sld':
      return names.ledger(sub.acct);
    case 'sbd':
      return names.book(sub.acct, sub.conid);
  }
}
