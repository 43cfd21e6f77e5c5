/**
 * The decoded `smd` message, built for the hot path: market data is nearly all of the traffic.
 *
 * A delta's fields are kept as two parallel arrays, keys (`"31"`, `"87_raw"`) and wire values, in frame order.
 * `fieldKeys` / `fieldValues` hand them over without a copy: the quote accumulator (src/subscriptions/quote.ts) walks
 * them once. The `fields` record of MarketDataMessage is built from them on first read only: field ids are integer
 * keys, which V8 stores as slow dictionary elements, and a record nobody reads should not cost anything.
 *
 * The getters live on the prototype, so `JSON.stringify` and `util.inspect` are given the plain shape explicitly;
 * `{ ...message }` would not carry `fields` (read `message.fields`, or spread `message.toJSON()`).
 */
import { invalidField } from './errors.js';
import { isFieldId } from './wire-grammar.js';
import type { JsonObject, MarketDataMessage } from './types.js';

type Fields = Readonly<Record<string, string | number>>;
export type FieldValue = string | number;

const hasOwn = Object.hasOwn;

export class MarketDataFrame implements MarketDataMessage {
  readonly kind = 'smd';
  readonly topic: string;
  readonly conid: number;
  readonly updated?: number;
  readonly #keys: readonly string[];
  readonly #values: readonly FieldValue[];
  #fields: Fields | undefined;

  /** `keys[i]` has the value `values[i]`; a key may repeat, and then its last value counts (as in JSON.parse). */
  constructor(
    topic: string,
    conid: number,
    updated: number | undefined,
    keys: readonly string[],
    values: readonly FieldValue[],
  ) {
    this.topic = topic;
    this.conid = conid;
    this.updated = updated;
    this.#keys = keys;
    this.#values = values;
  }

  /** The delta's field ids, in frame order. */
  get fieldKeys(): readonly string[] {
    return this.#keys;
  }

  /** The delta's wire values, `fieldValues[i]` for `fieldKeys[i]`. */
  get fieldValues(): readonly FieldValue[] {
    return this.#values;
  }

  get fields(): Fields {
    if (this.#fields === undefined) {
      const fields: Record<string, FieldValue> = {};
      for (let index = 0; index < this.#keys.length; index++)
        fields[this.#keys[index] as string] = this.#values[index] as FieldValue;
      this.#fields = fields;
    }
    return this.#fields;
  }

  /** The plain MarketDataMessage, with `fields` as an own property. */
  toJSON(): MarketDataMessage {
    const { kind, topic, conid, updated, fields } = this;
    return updated === undefined ? { kind, topic, conid, fields } : { kind, topic, conid, fields, updated };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): MarketDataMessage {
    return this.toJSON();
  }
}

/**
 * The general path's market-data message, from a frame JSON.parse built (classify.ts): its own field-id keys with
 * their values. A field value that is not a string or a finite number is an `invalid-field` error.
 */
export function marketDataFromObject(
  frame: JsonObject,
  topic: string,
  conid: number,
  updated: number | undefined,
): MarketDataFrame {
  const keys: string[] = [];
  const values: FieldValue[] = [];
  for (const key in frame) {
    if (!hasOwn(frame, key) || !isFieldId(key)) continue;
    const value = frame[key];
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
      throw invalidField('every smd field value must be a string or a finite number');
    }
    keys.push(key);
    values.push(value);
  }
  return new MarketDataFrame(topic, conid, updated, keys, values);
}
