/**
 * The JSON body of a data message: `v`, the contract's `kind`, the wire `key`, then the item as the library yields
 * it — a quote's `conid`, `fields` by id and `named` by name; the other topics' decoded messages (`orders`, `rows`,
 * `entries`, `trades`) unchanged. Quotes, the bulk of the traffic, are written as JSON text straight away.
 */
import { quoteJsonText } from '../subscriptions/quote-json.js';
import type { Quote } from '../subscriptions/types.js';
import { KIND_OF_TOPIC, WIRE_VERSION, type BridgeTopic } from './contract.js';

export function bodyOf(key: string, topic: string, item: unknown): Record<string, unknown> | string {
  if (topic === 'smd') return quoteJsonText(item as Quote, key, `"v":${WIRE_VERSION}`);
  const kind = KIND_OF_TOPIC[topic as BridgeTopic] ?? topic;
  // A class instance's plain form is its toJSON().
  const plain =
    typeof (item as { toJSON?: unknown }).toJSON === 'function'
      ? (item as { toJSON(): object }).toJSON()
      : (item as object);
  return { ...plain, v: WIRE_VERSION, kind, key };
}
