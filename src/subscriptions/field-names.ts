/**
 * Market-data field ids and their readable names (docs/PROTOCOL.md §4.2, CPW-SRC swagger), and the decoding of field
 * `6509`, the market-data availability code.
 */
import type { MarketDataAvailability } from './types.js';

/** Field id → the name a quote exposes it under in `named`. Ids without a name are still in `fields`. */
export const FIELD_NAMES: Readonly<Record<string, string>> = Object.freeze({
  '31': 'last',
  '55': 'symbol',
  '70': 'high',
  '71': 'low',
  '82': 'change',
  '83': 'changePercent',
  '84': 'bid',
  '85': 'askSize',
  '86': 'ask',
  '87': 'volume',
  '88': 'bidSize',
  '6008': 'conid',
  '6070': 'secType',
  '6119': 'serverId',
  '6509': 'availabilityCode',
  '7059': 'lastSize',
  '7295': 'open',
  '7296': 'close',
  '7741': 'priorClose',
  '7762': 'volumeExact',
});

/** Readable name → field id, so `marketData(conid, ['last', 'bid'])` works as well as ids. */
export const FIELD_IDS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(FIELD_NAMES).map(([id, name]) => [name, id])),
);

/** A field given by name or id → its id; anything else is passed through for the gateway to judge. */
export function fieldId(field: string): string {
  return FIELD_IDS[field] ?? field;
}

const TIMELINES: Readonly<Record<string, MarketDataAvailability['timeline']>> = {
  R: 'realtime',
  D: 'delayed',
  Z: 'frozen',
  Y: 'frozen-delayed',
  N: 'not-subscribed',
};

/**
 * `6509`: first character the timeline (R realtime, D delayed, Z frozen, Y frozen delayed, N not subscribed); then
 * any of `P` (snapshot available), `p` (consolidated), `B` (book). `RpB` = realtime, consolidated, with book.
 * Letters we do not know are ignored rather than guessed at; `code` keeps the wire value.
 */
export function decodeAvailability(code: string): MarketDataAvailability {
  const rest = code.slice(1);
  return {
    code,
    timeline: TIMELINES[code.charAt(0)] ?? 'unknown',
    snapshot: rest.includes('P'),
    consolidated: rest.includes('p'),
    book: rest.includes('B'),
  };
}
