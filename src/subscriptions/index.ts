/**
 * The subscription layer: what the client wires in (SubscriptionHub), what users see (handles, items, options).
 */
export { SubscriptionHub } from './hub.js';
export { createFacade, type SubscriptionFacade, type SubscriptionOpener } from './facade.js';
export { SUBSCRIPTION_DEFAULTS, BUFFER_DEFAULTS } from './defaults.js';
export { ACK_RULES, type AckRule } from './ack-rules.js';
export { FIELD_NAMES, decodeAvailability } from './field-names.js';
export { isGap } from './consumer-stream.js';
export type {
  AccountSummaryHandle,
  BookHandle,
  BufferSetting,
  Clock,
  DropEvent,
  Gap,
  HandleEvents,
  HistoryHandle,
  HistoryParams,
  LedgerHandle,
  MarketDataAvailability,
  MarketDataHandle,
  MarketDataOptions,
  OrdersFilters,
  OrdersHandle,
  OverflowPolicy,
  PnlHandle,
  Quote,
  QuoteNamedFields,
  RawHandle,
  RawOptions,
  StatusChange,
  StreamItem,
  StreamKind,
  StreamOptions,
  SubscriptionHandle,
  SubscriptionHubDeps,
  SubscriptionOptions,
  SubscriptionSnapshot,
  SubscriptionStatus,
  TradesHandle,
  TradesOptions,
} from './types.js';
