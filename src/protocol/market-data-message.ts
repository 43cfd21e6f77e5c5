/**
 * The decoded `smd` message, built for the hot path: market data is nearly all of the traffic.
 *
 * `fields` is materialised on first read, not at decode time. Picking the field ids out of a parsed frame means
 * walking its keys, and the field ids are integer keys (`"31"`, `"7059"`), which V8 enumerates slowly: eagerly, that
 * walk alone would cost more than half of `JSON.parse`. The values need no check then: decodeFrame has already proved
 * them strings or finite numbers (plain-values.ts), or checked each one when that proof was not available.
 *
 * The getter lives on the prototype, so `JSON.stringify` and `util.inspect` are given the plain shape explicitly;
 * `{ ...message }` would not carry `fields` (read `message.fields`, or spread `message.toJSON()`).
 */
import { invalidField } from './errors.js';
import { isFieldId } from './topic-parts.js';
import type { JsonObject, MarketDataMessage } from './types.js';

type Fields = Readonly<Record<string, string | number>>;

const hasOwn = Object.hasOwn;

export class MarketDataFrame implements MarketDataMessage {
  readonly kind = 'smd';
  readonly topic: string;
  readonly conid: number;
  readonly updated?: number;
  /** The parsed frame until `fields` is read; dropped then, so only the fields stay alive. */
  #frame: JsonObject | undefined;
  #fields: Fields | undefined;

  constructor(topic: string, conid: number, updated: number | undefined, frame: JsonObject, fields: Fields | undefined) {
    this.topic = topic;
    this.conid = conid;
    this.updated = updated;
    this.#frame = frame;
    this.#fields = fields;
  }

  get fields(): Fields {
    if (this.#fields === undefined) {
      this.#fields = collectFields(this.#frame ?? {}, false);
      this.#frame = undefined;
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
 * Every own key that is a field id, with its wire value. `strict`: a value that is not a string or a finite number
 * is an `invalid-field` error; otherwise (values already proved plain) such a value could not occur and is skipped.
 */
export function collectFields(frame: JsonObject, strict: boolean): Fields {
  const fields: Record<string, string | number> = {};
  for (const key in frame) {
    if (!isFieldId(key) || !hasOwn(frame, key)) continue;
    const value = frame[key];
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) fields[key] = value;
    else if (strict) throw invalidField('every smd field value must be a string or a finite number');
  }
  return fields;
}
