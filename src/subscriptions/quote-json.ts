/**
 * A quote's JSON text written straight from its slots: exactly `JSON.stringify({ ...quote.toJSON(), key, …extra })`
 * but without building `fields` and `named` (sparse integer keys make those records dictionary objects, and
 * building and stringifying them was a quarter of the NATS bridge's process time at 5,000 quotes/s:
 * docs/BENCHMARKS.md, "Bridge"). A test holds the two forms equal on random quotes.
 *
 * What does not change from quote to quote is written once: a stream's ids are append-only, so the order and the
 * quoted names of its first n slots never change (cached per ids array and n), and an availability object is shared
 * by the quotes of one code (cached per object). Values are quoted by hand when they need no escaping.
 */
import { FIELD_NAMES } from './field-names.js';
import { quoteSlots } from './quote.js';
import type { Quote } from './types.js';

/** For n slots: the `fields` members in JSON order, then the `named` members, as [slot, `"name":`] pairs. */
interface Layout {
  readonly fields: ReadonlyArray<readonly [number, string]>;
  readonly named: ReadonlyArray<readonly [number, string]>;
}

const layouts = new WeakMap<readonly string[], Map<number, Layout>>();
const availabilityText = new WeakMap<object, string>();

/** JSON orders a record's array-index keys ("31", "6509") first, ascending, then the others as inserted. */
function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4_294_967_295;
}

function layoutOf(keys: readonly string[], length: number): Layout {
  let byLength = layouts.get(keys);
  if (byLength === undefined) layouts.set(keys, (byLength = new Map()));
  const cached = byLength.get(length);
  if (cached !== undefined) return cached;
  const indexed: number[] = [];
  const others: number[] = [];
  for (let slot = 0; slot < length; slot++) (isArrayIndex(keys[slot]!) ? indexed : others).push(slot);
  indexed.sort((a, b) => Number(keys[a]) - Number(keys[b]));
  const fields = [...indexed, ...others].map((slot) => [slot, `${JSON.stringify(keys[slot])}:`] as const);
  // Two ids of one name: the later value, in the place of the first (as assignment to a record does).
  const byName = new Map<string, number>();
  for (let slot = 0; slot < length; slot++) {
    const name = FIELD_NAMES[keys[slot]!];
    if (name !== undefined) byName.set(name, slot);
  }
  const named = [...byName].map(([name, slot]) => [slot, `${JSON.stringify(name)}:`] as const);
  const layout: Layout = { fields, named };
  byLength.set(length, layout);
  return layout;
}

/** JSON of a wire value; printable ASCII without `"` or `\` (prices, sizes, symbols) is quoted as it is. */
function valueText(value: string | number): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return JSON.stringify(value);
  }
  return `"${value}"`;
}

function membersText(members: ReadonlyArray<readonly [number, string]>, values: readonly (string | number)[]): string {
  let text = '';
  for (let index = 0; index < members.length; index++) {
    const [slot, name] = members[index]!;
    text += `${index === 0 ? '' : ','}${name}${valueText(values[slot]!)}`;
  }
  return text;
}

/**
 * `key` replaces the quote's own key; `extra` is a JSON fragment of more members (`"v":1`), appended last.
 * Any other Quote than the library's own is stringified the ordinary way.
 */
export function quoteJsonText(quote: Quote, key: string, extra = ''): string {
  const slots = quoteSlots(quote);
  const tail = extra === '' ? '' : `,${extra}`;
  if (slots === undefined) return `${JSON.stringify({ ...quote, key }).slice(0, -1)}${tail}}`;
  const { keys, values } = slots;
  const layout = layoutOf(keys, values.length);
  let availability = '';
  if (quote.availability !== undefined) {
    let text = availabilityText.get(quote.availability);
    if (text === undefined) availabilityText.set(quote.availability, (text = JSON.stringify(quote.availability)));
    availability = `,"availability":${text}`;
  }
  return (
    `{"kind":"quote","key":${valueText(key)},"conid":${valueText(quote.conid)}` +
    (quote.exchange === undefined ? '' : `,"exchange":${valueText(quote.exchange)}`) +
    `,"fields":{${membersText(layout.fields, values)}},"named":{${membersText(layout.named, values)}}` +
    availability +
    (quote.updated === undefined ? '' : `,"updated":${valueText(quote.updated)}`) +
    `,"receivedAt":${valueText(quote.receivedAt)}${tail}}`
  );
}
