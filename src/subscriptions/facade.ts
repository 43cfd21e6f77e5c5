/**
 * The typed subscription methods of the client: each checks its arguments (a typed `invalid-option` error at the
 * call, never a malformed frame on the wire), builds the wire request and opens a consumer through a narrow
 * `SubscriptionOpener` (the hub implements it; this file does not know the hub).
 */
import { IbkrWsError } from '../errors.js';
import type { JsonObject, ServerMessage } from '../protocol/types.js';
import { fieldId } from './field-names.js';
import type { Handle } from './handle.js';
import type {
  AccountSummaryHandle,
  BookHandle,
  HistoryHandle,
  HistoryParams,
  LedgerHandle,
  MarketDataHandle,
  MarketDataOptions,
  OrdersFilters,
  OrdersHandle,
  PnlHandle,
  RawHandle,
  RawOptions,
  StreamKind,
  StreamOptions,
  SubscriptionSnapshot,
  TradesHandle,
  TradesOptions,
} from './types.js';
import { compact, type WireRequest } from './wire-requests.js';
import { isConid, isIdentifier, parseConid } from '../protocol/wire-grammar.js';

/** What the subscription methods need of the hub: open a consumer of a wire request, open a raw one, list them. */
export interface SubscriptionOpener {
  open<T>(kind: StreamKind, request: WireRequest, options?: MarketDataOptions): Handle<T>;
  openRaw(options?: RawOptions): Handle<ServerMessage>;
  subscriptions(): SubscriptionSnapshot[];
}

export interface SubscriptionFacade {
  /** Quotes of one instrument (`265598`, or `'265598@ISLAND'` for one exchange), fields by id (`'31'`) or name (`'last'`). */
  marketData(
    conid: number | `${number}@${string}`,
    fields: readonly string[],
    options?: MarketDataOptions,
  ): MarketDataHandle;
  /** Live order updates; optional status filters (an array, or `{ filters }`). */
  orders(filters?: readonly string[] | OrdersFilters): OrdersHandle;
  pnl(options?: StreamOptions): PnlHandle;
  trades(options?: TradesOptions): TradesHandle;
  /** The price ladder (needs an L2 subscription). */
  book(acct: string, conid: number, exchange?: string, options?: StreamOptions): BookHandle;
  /** One historical-data response; the iterator ends after it. */
  history(conid: number, params?: HistoryParams, options?: StreamOptions): HistoryHandle;
  accountSummary(
    acct: string,
    keys?: readonly string[],
    fields?: readonly string[],
    options?: StreamOptions,
  ): AccountSummaryHandle;
  ledger(acct: string, keys?: readonly string[], fields?: readonly string[], options?: StreamOptions): LedgerHandle;
  /** The escape hatch: send commands once (queued until ready) and/or receive messages by kind, topic or predicate. */
  raw(options: RawOptions): RawHandle;
  /** Every wire subscription with its status and number of consumers. */
  subscriptions(): SubscriptionSnapshot[];
}

export function createFacade(hub: SubscriptionOpener): SubscriptionFacade {
  return {
    marketData(conid, fields, options) {
      const { id, exchange } = parseInstrument(conid);
      return hub.open(
        'marketData',
        compact({ topic: 'smd' as const, conid: id, exchange, fields: fieldIds(fields) }),
        options,
      );
    },
    orders(filters) {
      const options: OrdersFilters = Array.isArray(filters)
        ? { filters: filters as readonly string[] }
        : ((filters as OrdersFilters | undefined) ?? {});
      const list = optionalWords('orders filters', options.filters);
      return hub.open('orders', compact({ topic: 'sor' as const, filters: list }), options);
    },
    pnl(options) {
      return hub.open('pnl', { topic: 'spl' }, options);
    },
    trades(options = {}) {
      if (options.days !== undefined && (!Number.isInteger(options.days) || options.days < 1 || options.days > 7)) {
        throw new IbkrWsError(
          'invalid-option',
          `trades: days must be an integer from 1 to 7, got ${String(options.days)}`,
        );
      }
      if (options.realtimeUpdatesOnly !== undefined && typeof options.realtimeUpdatesOnly !== 'boolean') {
        throw new IbkrWsError('invalid-option', 'trades: realtimeUpdatesOnly must be a boolean');
      }
      const realtimeUpdatesOnly = options.realtimeUpdatesOnly === true ? true : undefined;
      return hub.open('trades', compact({ topic: 'str' as const, realtimeUpdatesOnly, days: options.days }), options);
    },
    book(acct, conid, exchange, options) {
      requireWord('book: acct', acct);
      requireConid('book', conid);
      if (exchange !== undefined) requireWord('book: exchange', exchange);
      return hub.open('book', compact({ topic: 'sbd' as const, acct, conid, exchange }), options);
    },
    history(conid, params = {}, options) {
      requireConid('history', conid);
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw new IbkrWsError(
          'invalid-option',
          'history: params must be an object such as { period: "1d", bar: "5min" }',
        );
      }
      // A JSON round trip drops undefined members and proves the params can be sent at all.
      const sendable = JSON.parse(JSON.stringify(params)) as JsonObject;
      return hub.open('history', { topic: 'smh', conid, params: sendable }, options);
    },
    accountSummary(acct, keys, fields, options) {
      return hub.open('accountSummary', accountRequest('ssd', 'accountSummary', acct, keys, fields), options);
    },
    ledger(acct, keys, fields, options) {
      return hub.open('ledger', accountRequest('sld', 'ledger', acct, keys, fields), options);
    },
    raw(options) {
      return hub.openRaw(options);
    },
    subscriptions() {
      return hub.subscriptions();
    },
  };
}

function parseInstrument(conid: number | string): { id: number; exchange: string | undefined } {
  if (typeof conid === 'number') {
    requireConid('marketData', conid);
    return { id: conid, exchange: undefined };
  }
  const at = typeof conid === 'string' ? conid.indexOf('@') : -1;
  const id = at === -1 ? undefined : parseConid(conid.slice(0, at));
  const exchange = at === -1 ? '' : conid.slice(at + 1);
  if (id === undefined || !isIdentifier(exchange)) {
    throw new IbkrWsError(
      'invalid-option',
      `marketData: expected a conid or 'conid@EXCHANGE', got ${JSON.stringify(conid)}`,
    );
  }
  return { id, exchange };
}

function fieldIds(fields: readonly string[]): string[] {
  if (!Array.isArray(fields) || fields.length === 0) {
    throw new IbkrWsError(
      'invalid-option',
      "marketData: fields must be a non-empty array such as ['31', '84', '86'] or ['last', 'bid', 'ask']",
    );
  }
  const ids: string[] = [];
  for (const field of fields) {
    if (typeof field !== 'string' || field.length === 0)
      throw new IbkrWsError(
        'invalid-option',
        `marketData: every field must be a non-empty string, got ${JSON.stringify(field)}`,
      );
    const id = fieldId(field);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

function accountRequest(
  topic: 'ssd' | 'sld',
  method: string,
  acct: string,
  keys: readonly string[] | undefined,
  fields: readonly string[] | undefined,
) {
  requireWord(`${method}: acct`, acct);
  return compact({
    topic,
    acct,
    keys: optionalWords(`${method}: keys`, keys),
    fields: optionalWords(`${method}: fields`, fields),
  });
}

/** An optional list of non-empty strings; empty means "all", the same as absent. */
function optionalWords(what: string, list: readonly string[] | undefined): readonly string[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw new IbkrWsError('invalid-option', `${what} must be an array of non-empty strings`);
  }
  return list.length === 0 ? undefined : [...new Set(list)];
}

/** Account ids and exchanges travel between `+` separators on the wire (§4.1): the grammar keeps them to safe characters. */
function requireWord(what: string, value: unknown): void {
  if (typeof value !== 'string' || !isIdentifier(value))
    throw new IbkrWsError(
      'invalid-option',
      `${what} must be letters, digits, '.', '_' or '-', got ${JSON.stringify(value)}`,
    );
}

function requireConid(what: string, conid: unknown): void {
  if (!isConid(conid)) {
    throw new IbkrWsError('invalid-option', `${what}: a conid is a positive integer, got ${String(conid)}`);
  }
}
