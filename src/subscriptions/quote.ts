/**
 * Accumulates `smd` deltas (only changed fields, PROTOCOL.md §4.2) into the whole quote of one instrument.
 *
 * Each delta produces one new, frozen Quote shared by every consumer of the stream: consumers may hold on to it (a
 * buffered quote must not change under them), and one allocation per delta is the least a snapshot API can do.
 * `reset()` forgets everything: the hub calls it when the socket is lost, so that fields from the old stream can never
 * masquerade as fresh ones on the new stream (the gateway sends a full first message on a new subscription).
 */
import type { MarketDataMessage } from '../protocol/types.js';
import { FIELD_NAMES, decodeAvailability } from './field-names.js';
import type { MarketDataAvailability, Quote, QuoteNamedFields } from './types.js';

const AVAILABILITY_FIELD = '6509';

export class QuoteAccumulator {
  readonly #key: string;
  readonly #conid: number;
  readonly #exchange: string | undefined;
  #fields: Record<string, string | number> = {};
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
    const fields = { ...this.#fields };
    const named = { ...this.#named };
    const delta = message.fields;
    for (const id in delta) {
      if (!Object.hasOwn(delta, id)) continue;
      const value = delta[id] as string | number;
      fields[id] = value;
      const name = FIELD_NAMES[id];
      if (name !== undefined) named[name] = value;
      if (id === AVAILABILITY_FIELD && value !== this.#availability?.code) this.#availability = decodeAvailability(String(value));
    }
    if (message.updated !== undefined) this.#updated = message.updated;
    this.#fields = fields;
    this.#named = named;
    const quote: Quote = {
      kind: 'quote',
      key: this.#key,
      conid: this.#conid,
      ...(this.#exchange === undefined ? {} : { exchange: this.#exchange }),
      fields: Object.freeze(fields),
      named: Object.freeze(named) as QuoteNamedFields,
      ...(this.#availability === undefined ? {} : { availability: this.#availability }),
      ...(this.#updated === undefined ? {} : { updated: this.#updated }),
      receivedAt,
    };
    this.#latest = Object.freeze(quote);
    return this.#latest;
  }

  reset(): void {
    this.#fields = {};
    this.#named = {};
    this.#availability = undefined;
    this.#updated = undefined;
    this.#latest = undefined;
  }
}
