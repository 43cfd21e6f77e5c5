/**
 * The decoded `smd` message, built for the hot path: market data is nearly all of the traffic.
 *
 * `fields` is materialised on first read, not at decode time. Picking the field ids out of a parsed frame means
 * walking its keys, and the field ids are integer keys (`"31"`, `"7059"`), which V8 enumerates slowly: eagerly, that
 * walk alone would cost more than half of `JSON.parse`. The values need no check then: decodeFrame has already proved
 * them strings or finite numbers (plain-values.ts), or checked each one (and built `fields`) when it could not.
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
 * The frame's own field-id keys with their wire values, as a record: the parsed frame itself, with every other own
 * key deleted. Reusing it is cheaper than copying into a new object (integer keys make each insert a hash insert),
 * and it is safe: decodeFrame parsed it and nothing else holds it. Keys are deleted newest first, so each delete
 * takes V8's fast path for the most recently added property.
 *
 * `strict`: a field value that is not a string or a finite number is an `invalid-field` error. Otherwise the values
 * were already proved plain, so such a value cannot occur; it would be dropped like any non-field key.
 */
export function collectFields(frame: JsonObject, strict: boolean): Fields {
  let dropped: string[] | undefined;
  for (const key in frame) {
    if (!hasOwn(frame, key)) continue;
    if (isFieldId(key)) {
      const value = frame[key];
      if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) continue;
      if (strict) throw invalidField('every smd field value must be a string or a finite number');
    }
    (dropped ??= []).push(key);
  }
  if (dropped !== undefined) for (let index = dropped.length - 1; index >= 0; index--) delete frame[dropped[index] as string];
  return frame as Fields;
}
