/**
 * Reading the parts of a server topic (`smd+265598`, `sbd+DU12345+265598+ARCA`, `ssd+DU1234567`) by character codes:
 * the market-data topic is read for every frame on the hot path, where a regex or a split would allocate.
 */

const DIGIT_0 = 48;
const DIGIT_9 = 57;
/** MAX_SAFE_INTEGER has 16 digits; anything longer cannot be a conid. */
const MAX_CONID_DIGITS = 16;

/** A conid: decimal digits only, positive, a safe integer. `undefined` when `text[start, end)` is not one. */
export function readConid(text: string, start: number, end: number): number | undefined {
  const length = end - start;
  if (length <= 0 || length > MAX_CONID_DIGITS) return undefined;
  let value = 0;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code < DIGIT_0 || code > DIGIT_9) return undefined;
    value = value * 10 + (code - DIGIT_0);
  }
  return value > 0 && Number.isSafeInteger(value) ? value : undefined;
}

/**
 * An account id or exchange name: letters, digits, `.`, `_` and `-` (the client command grammar uses the same set),
 * so it can never swallow a `+` or `@` separator.
 */
export function isIdentifier(text: string, start = 0, end = text.length): boolean {
  if (end <= start) return false;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    const isAlphanumeric =
      (code >= DIGIT_0 && code <= DIGIT_9) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    if (!isAlphanumeric && code !== 46 && code !== 95 && code !== 45) return false;
  }
  return true;
}

/** A market-data field id: digits, optionally followed by `_raw` (`31`, `87_raw`). */
export function isFieldId(key: string): boolean {
  const length = key.length;
  let index = 0;
  while (index < length) {
    const code = key.charCodeAt(index);
    if (code < DIGIT_0 || code > DIGIT_9) break;
    index++;
  }
  if (index === 0) return false;
  return index === length || (index === length - 4 && key.endsWith('_raw'));
}
