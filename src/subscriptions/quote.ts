/**
 * Accumulates `smd` deltas (only changed fields, PROTOCOL.md §4.2) into the whole quote of one instrument.
 *
 * Each delta produces one new, immutable Quote shared by every consumer of the stream: consumers may hold on to it (a
 * buffered quote must not change under them), and one allocation per delta is the least a snapshot API can do.
 * `reset()` forgets everything: the hub calls it when the socket is lost, so that fields from the old stream can never
 * masquerade as fresh ones on the new stream (the gateway sends a full first message on a new subscription).
 */
import type { MarketDataMessage } from '../protocol/types.js';
import { FIELD_NAMES, decodeAvailability } from './field-names.js';
import type { MarketDataAvailability, Quote, QuoteNamedFields } from './types.js';

const AVAILABILITY_FIELD = '6509';

/**
 * One immutable quote. `fields` is built on first read: the accumulated field ids are sparse integer keys
 * (`31` … `7762`), which V8 keeps as slow dictionary elements, and copying them into a fresh object for every delta
 * cost ~4 µs, most of the market-data hot path (bench/). The accumulator keeps them in a Map instead, and a quote
 * nobody asks `fields` of never pays for the object. `toJSON` includes `fields`, so JSON output is unchanged.
 */
class QuoteSnapshot implements Quote {
  readonly kind = 'quote';
  readonly key: string;
  readonly conid: number;
  readonly exchange: string | undefined;
  readonly named: QuoteNamedFields;
  readonly availability: MarketDataAvailability | undefined;
  readonly updated: number | undefined;
  readonly receivedAt: number;
  readonly #values: ReadonlyMap<string, string | number>;
  #fields: Readonly<Record<string, string | number>> | undefined;

  constructor(
    key: string,
    conid: number,
    exchange: string | undefined,
    values: ReadonlyMap<string, string | number>,
    named: QuoteNamedFields,
    availability: MarketDataAvailability | undefined,
    updated: number | undefined,
    receivedAt: number,
  ) {
    this.key = key;
    this.conid = conid;
    this.exchange = exchange;
    this.#values = values;
    this.named = named;
    this.availability = availability;
    this.updated = updated;
    this.receivedAt = receivedAt;
    // Frozen like every quote before it; the lazily built `fields` lives in a private slot, which freezing leaves free.
    Object.freeze(this);
  }

  get fields(): Readonly<Record<string, string | number>> {
    return (this.#fields ??= Object.freeze(Object.fromEntries(this.#values)));
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
}

export class QuoteAccumulator {
  readonly #key: string;
  readonly #conid: number;
  readonly #exchange: string | undefined;
  #values = new Map<string, string | number>();
  #named: Record<string, string | number> = {};
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
    // Copy-on-write: the previous quote's values stay untouched for whoever still holds it.
    const values = new Map(this.#values);
    const named = { ...this.#named };
    const delta = message.fields;
    for (const id in delta) {
      if (!Object.hasOwn(delta, id)) continue;
      const value = delta[id] as string | number;
      values.set(id, value);
      const name = FIELD_NAMES[id];
      if (name !== undefined) named[name] = value;
      if (id === AVAILABILITY_FIELD && value !== this.#availability?.code) this.#availability = decodeAvailability(String(value));
    }
    if (message.updated !== undefined) this.#updated = message.updated;
    this.#values = values;
    this.#named = named;
    const quote = new QuoteSnapshot(
      this.#key,
      this.#conid,
      this.#exchange,
      values,
      Object.freeze(named) as QuoteNamedFields,
      this.#availability,
      this.#updated,
      receivedAt,
    );
    this.#latest = quote;
    return quote;
  }

  reset(): void {
    this.#values = new Map();
    this.#named = {};
    this.#availability = undefined;
    this.#updated = undefined;
    this.#latest = undefined;
  }
}
