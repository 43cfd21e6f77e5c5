/**
 * The hot path's reader: one pass over the text of a market-data frame, straight to a MarketDataFrame, without
 * `JSON.parse` and without an intermediate object.
 *
 * Why not JSON.parse: a parsed `smd` frame is an object whose field ids are integer keys (`"31"`, `"6119"`), which V8
 * stores as dictionary elements. Building that object, then walking its keys (which turns every integer back into a
 * string) and looking each one up again cost about three times the parse of a frame with named keys (profile in
 * docs/BENCHMARKS.md). Here each key is read once, next to its value (the usual ids interned, see fieldKey).
 *
 * It reads exactly the frames it can prove are market data of the simplest shape: one JSON object whose values are
 * strings, numbers, `true`, `false` or `null` (no nesting), no escape sequence anywhere, a `topic` string starting
 * `smd+` with a valid conid, no `error` key, a body `conid` absent or equal to the topic's, and every field value a
 * string or a finite number. For any other text it returns `undefined`, and decodeFrame takes the general path
 * (`JSON.parse`, classify.ts), which alone decides what the frame is and reports errors. So the scanner never has to
 * be right about a frame it refuses, only about the ones it accepts: for those, the message is the one the general
 * path would build (test/protocol/scan-market-data.test.ts compares the two on the fixtures and on generated frames).
 *
 * JSON details kept exact for accepted frames: whitespace is only space, tab, LF and CR; numbers follow the JSON
 * grammar (no `+`, no leading zeros, no bare `.`) and convert like JSON.parse; duplicate keys keep the last value.
 */
import { MarketDataFrame } from './market-data-message.js';
import { marketDataConid } from './market-data-topic.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const FIRST_NON_CONTROL = 0x20;
/** Integers with at most this many digits are exact in a double, so they are summed here instead of re-read. */
const EXACT_DIGITS = 15;

const MARKET_DATA_PREFIX = 'smd+';

/** What readValue found; its text ends at `valueEnd`, a string's content starts at `stringStart`, a number is `numberValue`. */
const STRING = 0;
const NUMBER = 1;
/** `true`, `false` and `null`: a value no market-data field may have, and none of the keys read here. */
const LITERAL = 2;
const INVALID = -1;

/** readValue's results beside its return value (one scan at a time, never re-entered: no allocation per value). */
let valueEnd = 0;
let stringStart = 0;
let numberValue = 0;

export function scanMarketData(text: string): MarketDataFrame | undefined {
  const length = text.length;
  let index = skipWhitespace(text, 0);
  if (text.charCodeAt(index) !== OPEN_BRACE) return undefined;
  index = skipWhitespace(text, index + 1);
  let topic: string | undefined;
  /** The body's `conid`: NaN while absent, anything else that is not the topic's conid refuses the frame. */
  let bodyConid = Number.NaN;
  let bodyConidSeen = false;
  let updated: number | undefined;
  let count = 0;
  for (;;) {
    if (text.charCodeAt(index) !== QUOTE) return clearScratch(count);
    const keyStart = index + 1;
    const keyEnd = stringEnd(text, keyStart, length);
    if (keyEnd === -1) return clearScratch(count);
    index = skipWhitespace(text, keyEnd + 1);
    if (text.charCodeAt(index) !== COLON) return clearScratch(count);
    const kind = readValue(text, skipWhitespace(text, index + 1), length);
    if (kind === INVALID) return clearScratch(count);
    const first = text.charCodeAt(keyStart);
    if (first >= DIGIT_0 && first <= DIGIT_9) {
      const key = fieldKey(text, keyStart, keyEnd);
      if (key !== undefined) {
        // A field must be a string or a finite number; anything else is the general path's invalid-field error.
        if (kind === STRING) SCRATCH_VALUES[count] = text.slice(stringStart, valueEnd - 1);
        else if (kind === NUMBER && Number.isFinite(numberValue)) SCRATCH_VALUES[count] = numberValue;
        else return clearScratch(count);
        SCRATCH_KEYS[count++] = key;
      }
    } else if (isKey(text, keyStart, keyEnd, 'topic')) {
      if (kind !== STRING) return clearScratch(count);
      topic = text.slice(stringStart, valueEnd - 1);
    } else if (isKey(text, keyStart, keyEnd, 'conid')) {
      bodyConidSeen = true;
      bodyConid = kind === NUMBER ? numberValue : Number.NaN;
    } else if (isKey(text, keyStart, keyEnd, '_updated')) {
      updated = kind === NUMBER && Number.isFinite(numberValue) ? numberValue : undefined;
    } else if (isKey(text, keyStart, keyEnd, 'error')) {
      return clearScratch(count);
    }
    index = skipWhitespace(text, valueEnd);
    const next = text.charCodeAt(index);
    if (next === COMMA) {
      index = skipWhitespace(text, index + 1);
      continue;
    }
    if (next !== CLOSE_BRACE || skipWhitespace(text, index + 1) !== length) return clearScratch(count);
    break;
  }
  const keys = SCRATCH_KEYS.slice(0, count);
  const values = SCRATCH_VALUES.slice(0, count);
  clearScratch(count);
  if (topic === undefined || !topic.startsWith(MARKET_DATA_PREFIX)) return undefined;
  const conid = marketDataConid(topic, MARKET_DATA_PREFIX.length - 1);
  // NaN never equals: a body conid that is not a number refuses the frame, as the general path does.
  if (conid === undefined || (bodyConidSeen && bodyConid !== conid)) return undefined;
  return new MarketDataFrame(topic, conid, updated, keys, values);
}

/**
 * A frame's fields are collected here, then copied into arrays of exactly their size: arrays grown by `push` start
 * with room for 17 elements, which made the two of every delta cost more than the rest of the decode together.
 */
const SCRATCH_KEYS: string[] = [];
const SCRATCH_VALUES: Array<string | number> = [];

/** Drops the scratch's references (a frame's strings must not outlive it here); returns undefined for the callers. */
function clearScratch(count: number): undefined {
  for (let index = 0; index < count; index++) {
    SCRATCH_KEYS[index] = '';
    SCRATCH_VALUES[index] = 0;
  }
  return undefined;
}

function skipWhitespace(text: string, index: number): number {
  for (;;) {
    const code = text.charCodeAt(index);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return index;
    index++;
  }
}

/** The index of the closing quote of the string whose text starts at `start`; -1 for an escape or a control char. */
function stringEnd(text: string, start: number, length: number): number {
  for (let index = start; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) return index;
    if (code === BACKSLASH || code < FIRST_NON_CONTROL) return -1;
  }
  return -1;
}

/** The kind of the value starting at `start` (a string, a number or a literal), or INVALID for anything else. */
function readValue(text: string, start: number, length: number): number {
  const code = text.charCodeAt(start);
  if (code === QUOTE) {
    const end = stringEnd(text, start + 1, length);
    if (end === -1) return INVALID;
    stringStart = start + 1;
    valueEnd = end + 1;
    return STRING;
  }
  if (code === MINUS || (code >= DIGIT_0 && code <= DIGIT_9)) return readNumber(text, start) ? NUMBER : INVALID;
  for (const literal of LITERALS) {
    if (text.startsWith(literal, start)) {
      valueEnd = start + literal.length;
      return LITERAL;
    }
  }
  return INVALID;
}

const LITERALS = ['true', 'false', 'null'] as const;

/** A JSON number, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, into `numberValue` as JSON.parse converts it. */
function readNumber(text: string, start: number): boolean {
  let index = start;
  const negative = text.charCodeAt(index) === MINUS;
  if (negative) index++;
  const integerStart = index;
  let integer = 0;
  let code = text.charCodeAt(index);
  if (code === DIGIT_0) {
    index++;
  } else if (code > DIGIT_0 && code <= DIGIT_9) {
    do {
      integer = integer * 10 + (code - DIGIT_0);
      code = text.charCodeAt(++index);
    } while (code >= DIGIT_0 && code <= DIGIT_9);
  } else {
    return false;
  }
  const integerDigits = index - integerStart;
  let exact = integerDigits <= EXACT_DIGITS;
  if (text.charCodeAt(index) === DOT) {
    exact = false;
    const fractionStart = ++index;
    while (isDigit(text.charCodeAt(index))) index++;
    if (index === fractionStart) return false;
  }
  code = text.charCodeAt(index);
  if (code === LOWER_E || code === UPPER_E) {
    exact = false;
    code = text.charCodeAt(++index);
    if (code === PLUS || code === MINUS) index++;
    const exponentStart = index;
    while (isDigit(text.charCodeAt(index))) index++;
    if (index === exponentStart) return false;
  }
  valueEnd = index;
  numberValue = exact ? (negative ? -integer : integer) : Number(text.slice(start, index));
  return true;
}

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

/**
 * Field ids already seen, by value: a frame's `"31"` becomes the same string every time instead of a new slice, so
 * nothing is allocated for it and the accumulator's map hashes it once. Bounded: ids are a small vocabulary (about a
 * hundred documented), and a hostile stream of made-up ids only fills the table, then is sliced as usual.
 */
const INTERNED_KEYS = new Map<number, string>();
const MAX_INTERNED_KEYS = 4_096;
/** Longer ids are sliced: six digits cover every documented one, and stay far from the limits of a double. */
const MAX_INTERNED_DIGITS = 6;

/** wire-grammar.ts `isFieldId` on a range of the text (digits, optionally `_raw`): the key, or undefined if not one. */
function fieldKey(text: string, start: number, end: number): string | undefined {
  let index = start;
  let id = 0;
  for (
    let code = text.charCodeAt(index);
    index < end && code >= DIGIT_0 && code <= DIGIT_9;
    code = text.charCodeAt(++index)
  ) {
    id = id * 10 + (code - DIGIT_0);
  }
  if (index === start) return undefined;
  if (index !== end) return index === end - 4 && text.startsWith('_raw', index) ? text.slice(start, end) : undefined;
  // `031` is a field id of its own, not `31`: only canonical numbers share the table.
  const canonical = end - start <= MAX_INTERNED_DIGITS && (text.charCodeAt(start) !== DIGIT_0 || end - start === 1);
  if (!canonical) return text.slice(start, end);
  let key = INTERNED_KEYS.get(id);
  if (key === undefined) {
    key = text.slice(start, end);
    if (INTERNED_KEYS.size < MAX_INTERNED_KEYS) INTERNED_KEYS.set(id, key);
  }
  return key;
}

function isKey(text: string, start: number, end: number, key: string): boolean {
  return end - start === key.length && text.startsWith(key, start);
}
