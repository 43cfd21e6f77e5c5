/**
 * The wire grammar's rules, one definition each (as ws keeps its rules in `lib/validation.js`): what a conid, an
 * account id or exchange, an action name and a market-data field id look like between the `+` and `@` separators of
 * topics and commands (docs/PROTOCOL.md §4.1). The encoder, the decoder, the client's subscription methods, the
 * simulator's command parser and the CLI all ask here. Written over character codes: the market-data topic is read
 * for every frame on the hot path, where a regex or a split would allocate.
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

/** A conid as a value: a positive safe integer. */
export function isConid(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** A whole text that is a conid (`'265598'`), or `undefined`. */
export function parseConid(text: string): number | undefined {
  return readConid(text, 0, text.length);
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

/** An action name of `shs`/`inp` commands: an identifier without `.`. */
export function isActionName(text: string): boolean {
  return isIdentifier(text) && !text.includes('.');
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
