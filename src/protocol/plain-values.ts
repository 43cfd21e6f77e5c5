/**
 * A conservative look at a parsed frame's text: when it says yes, every value at the top level of the object is a
 * string or a finite number, so the market-data fields need no per-key check. When it says no, the caller checks
 * each field (a false "no" only costs time).
 *
 * Why this is sound for text that JSON.parse accepted as an object:
 * - a nested object or array needs a `{` after the outer one, or a `[`;
 * - `true`, `false` and `null` appear literally (escapes exist only inside strings);
 * - a JSON number is non-finite only with an exponent (`e`/`E` right after a digit, e.g. `1e400`) or with an integer
 *   part of at least 309 digits (Number.MAX_VALUE is about 1.8e308).
 * Each test is a native substring search: a few tens of nanoseconds on a typical frame, where walking the keys of an
 * object with integer keys (`"31"`, `"84"`) costs more than half of the parse itself.
 */

const OPEN_BRACE = 0x7b;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
/** The shortest integer part that can overflow a double. */
const OVERFLOW_DIGITS = 309;
const LONG_DIGIT_RUN = new RegExp(`\\d{${OVERFLOW_DIGITS}}`);

export function hasOnlyPlainValues(text: string): boolean {
  const open = text.charCodeAt(0) === OPEN_BRACE ? 0 : text.indexOf('{');
  if (text.indexOf('[') !== -1 || text.indexOf('{', open + 1) !== -1) return false;
  // `false` and `null` both hold an `l`, a letter market-data frames rarely carry: one character search usually does.
  if (text.includes('true') || (text.includes('l') && (text.includes('false') || text.includes('null')))) return false;
  if (followsDigit(text, 'e') || followsDigit(text, 'E')) return false;
  return text.length < OVERFLOW_DIGITS || !LONG_DIGIT_RUN.test(text);
}

/** Whether some occurrence of `letter` comes right after a digit (an exponent, or text that looks like one). */
function followsDigit(text: string, letter: string): boolean {
  for (let index = text.indexOf(letter, 1); index !== -1; index = text.indexOf(letter, index + 1)) {
    const previous = text.charCodeAt(index - 1);
    if (previous >= DIGIT_0 && previous <= DIGIT_9) return true;
  }
  return false;
}
