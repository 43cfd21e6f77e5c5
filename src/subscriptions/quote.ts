/**
 * Accumulates `smd` deltas (only changed fields, docs/PROTOCOL.md §4.2) into the whole quote of one instrument.
 *
 * Each delta produces one new, immutable Quote shared by every consumer of the stream: consumers may hold on to it (a
 * buffered quote must not change under them), and one allocation per delta is the least a snapshot API can do.
 * `reset()` forgets everything: the hub calls it when the socket is lost, so that fields from the old stream can never
 * masquerade as fresh ones on the new stream (the gateway sends a full first message on a new subscription).
 */
import { MarketDataFrame } from '../protocol/market-data-message.js';
import type { MarketDataMessage } from '../protocol/types.js';
import { FIELD_NAMES, decodeAvailability } from './field-names.js';
import type { MarketDataAvailability, Quote, QuoteNamedFields } from './types.js';

const AVAILABILITY_FIELD = '6509';

type FieldValue = string | number;

/**
 * One immutable quote. The accumulated values live in an array indexed by slot (one slot per field id, in the order
 * the ids were first seen); `keys` maps slots to ids and is shared, append-only, by every quote of the stream, so
 * each quote reads only its first `values.length` entries. `fields` and `named` are records built on first read:
 * field ids are sparse integer keys (`31` … `7762`), which V8 keeps as slow dictionary elements, and copying them
 * into a fresh object for every delta was most of the market-data hot path (docs/BENCHMARKS.md). A quote nobody
 * reads a record of never pays for it. `toJSON` includes both, so JSON output is unchanged.
 */
class QuoteSnapshot implements Quote {
  readonly kind = 'quote';
  readonly key: string;
  readonly conid: number;
  readonly exchange: string | undefined;
  readonly availability: MarketDataAvailability | undefined;
  readonly updated: number | undefined;
  readonly receivedAt: number;
  readonly #keys: readonly string[];
  readonly #values: readonly FieldValue[];
  #fields: Readonly<Record<string, FieldValue>> | undefined;
  #named: QuoteNamedFields | undefined;

  constructor(
    key: string,
    conid: number,
    exchange: string | undefined,
    keys: readonly string[],
    values: readonly FieldValue[],
    availability: MarketDataAvailability | undefined,
    updated: number | undefined,
    receivedAt: number,
  ) {
    this.key = key;
    this.conid = conid;
    this.exchange = exchange;
    this.#keys = keys;
    this.#values = values;
    this.availability = availability;
    this.updated = updated;
    this.receivedAt = receivedAt;
    // Frozen like every quote before it; the lazily built records live in private slots, which freezing leaves free.
    Object.freeze(this);
  }

  get fields(): Readonly<Record<string, FieldValue>> {
    if (this.#fields === undefined) {
      const fields: Record<string, FieldValue> = {};
      for (let slot = 0; slot < this.#values.length; slot++)
        fields[this.#keys[slot] as string] = this.#values[slot] as FieldValue;
      this.#fields = Object.freeze(fields);
    }
    return this.#fields;
  }

  get named(): QuoteNamedFields {
    if (this.#named === undefined) {
      const named: Record<string, FieldValue> = {};
      for (let slot = 0; slot < this.#values.length; slot++) {
        const name = FIELD_NAMES[this.#keys[slot] as string];
        if (name !== undefined) named[name] = this.#values[slot] as FieldValue;
      }
      this.#named = Object.freeze(named) as QuoteNamedFields;
    }
    return this.#named;
  }

  toJSON(): Quote {
    const { kind, key, conid, exchange, fields, named, availability, updated, receivedAt } = this;
    return {
      kind,
      key,
      conid,
      ...(exchange === undefined ? {} : { exchange }),
      fields,
      named,
      ...(availability === undefined ? {} : { availability }),
      ...(updated === undefined ? {} : { updated }),
      receivedAt,
    };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): Quote {
    return this.toJSON();
  }

  /** The slot arrays of a snapshot (undefined for any other Quote): for writers that must not build the records. */
  static slotsOf(quote: Quote): QuoteSlots | undefined {
    return #values in quote ? { keys: quote.#keys, values: quote.#values } : undefined;
  }
}

/** A quote's field ids and values by slot: `values.length` slots are set, `keys` may be longer (shared). */
export interface QuoteSlots {
  readonly keys: readonly string[];
  readonly values: readonly FieldValue[];
}

export const quoteSlots: (quote: Quote) => QuoteSlots | undefined = (quote) => QuoteSnapshot.slotsOf(quote);

export class QuoteAccumulator {
  readonly #key: string;
  readonly #conid: number;
  readonly #exchange: string | undefined;
  /** Field id → slot in `#values`. */
  #slots = new Map<string, number>();
  /** Slot → field id; append-only until reset, shared with the quotes handed out. */
  #keys: string[] = [];
  #values: FieldValue[] = [];
  #availability: MarketDataAvailability | undefined;
  #updated: number | undefined;
  #latest: Quote | undefined;

  constructor(key: string, conid: number, exchange: string | undefined) {
    this.#key = key;
    this.#conid = conid;
    this.#exchange = exchange;
  }

  /** The latest quote, if any delta arrived since the last reset. */
  get latest(): Quote | undefined {
    return this.#latest;
  }

  apply(message: MarketDataMessage, receivedAt: number): Quote {
    // Copy-on-write: the previous quote's values stay untouched for whoever still holds it. A small array copies fast.
    const values = this.#values.slice();
    if (message instanceof MarketDataFrame) {
      // The decoder's arrays: no record to build and no integer keys to enumerate.
      const keys = message.fieldKeys;
      const deltaValues = message.fieldValues;
      for (let index = 0; index < keys.length; index++)
        this.#set(values, keys[index] as string, deltaValues[index] as FieldValue);
    } else {
      const fields = message.fields;
      for (const id in fields) if (Object.hasOwn(fields, id)) this.#set(values, id, fields[id] as FieldValue);
    }
    if (message.updated !== undefined) this.#updated = message.updated;
    this.#values = values;
    const quote = new QuoteSnapshot(
      this.#key,
      this.#conid,
      this.#exchange,
      this.#keys,
      values,
      this.#availability,
      this.#updated,
      receivedAt,
    );
    this.#latest = quote;
    return quote;
  }

  reset(): void {
    this.#slots = new Map();
    this.#keys = [];
    this.#values = [];
    this.#availability = undefined;
    this.#updated = undefined;
    this.#latest = undefined;
  }

  #set(values: FieldValue[], id: string, value: FieldValue): void {
    let slot = this.#slots.get(id);
    if (slot === undefined) {
      slot = this.#keys.length;
      this.#keys.push(id);
      this.#slots.set(id, slot);
    }
    values[slot] = value;
    if (id === AVAILABILITY_FIELD && value !== this.#availability?.code)
      this.#availability = decodeAvailability(String(value));
  }
}
