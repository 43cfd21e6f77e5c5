/**
 * A quote's JSON text written straight from its slots: exactly `JSON.stringify({ ...quote.toJSON(), key, …extra })`
 * but without building `fields` and `named` (sparse integer keys make those records dictionary objects, and
 * building and stringifying them was a quarter of the NATS bridge's process time at 5,000 quotes/s:
 * docs/BENCHMARKS.md, "Bridge"). A test holds the two forms equal on random quotes.
 */
import { FIELD_NAMES } from './field-names.js';
import { quoteSlots } from './quote.js';
import type { Quote } from './types.js';

/** JSON orders a record's array-index keys ("31", "6509") first, ascending, then the others as inserted. */
function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4_294_967_295;
}

/**
 * `key` replaces the quote's own key; `extra` is a JSON fragment of more members (`"v":1`), appended last.
 * Any other Quote than the library's own is stringified the ordinary way.
 */
export function quoteJsonText(quote: Quote, key: string, extra = ''): string {
  const slots = quoteSlots(quote);
  const tail = extra === '' ? '' : `,${extra}`;
  if (slots === undefined) {
    const text = JSON.stringify({ ...quote, key });
    return `${text.slice(0, -1)}${tail}}`;
  }
  const { keys, values } = slots;
  const indexed: number[] = [];
  const named: number[] = [];
  for (let slot = 0; slot < values.length; slot++) (isArrayIndex(keys[slot]!) ? indexed : named).push(slot);
  indexed.sort((a, b) => Number(keys[a]) - Number(keys[b]));
  let fields = '';
  for (const slot of indexed) fields += `,${JSON.stringify(keys[slot])}:${JSON.stringify(values[slot])}`;
  for (const slot of named) fields += `,${JSON.stringify(keys[slot])}:${JSON.stringify(values[slot])}`;
  // Two ids of one name: the later value, in the place of the first (as assignment to a record does).
  const byName = new Map<string, string>();
  for (let slot = 0; slot < values.length; slot++) {
    const name = FIELD_NAMES[keys[slot]!];
    if (name !== undefined) byName.set(name, JSON.stringify(values[slot]));
  }
  let names = '';
  for (const [name, value] of byName) names += `,${JSON.stringify(name)}:${value}`;
  return (
    `{"kind":"quote","key":${JSON.stringify(key)},"conid":${JSON.stringify(quote.conid)}` +
    (quote.exchange === undefined ? '' : `,"exchange":${JSON.stringify(quote.exchange)}`) +
    `,"fields":{${fields.slice(1)}},"named":{${names.slice(1)}}` +
    (quote.availability === undefined ? '' : `,"availability":${JSON.stringify(quote.availability)}`) +
    (quote.updated === undefined ? '' : `,"updated":${JSON.stringify(quote.updated)}`) +
    `,"receivedAt":${JSON.stringify(quote.receivedAt)}${tail}}`
  );
}
