/**
 * The percent-encodings found in IBKR OAuth 1.0a signatures, written on the server side independently of any client:
 *
 * - `quotePlus`: Python's `urllib.parse.quote_plus` (what IBind and IBKR's guide use): keeps `A–Z a–z 0–9 - . _ ~`,
 *   space → `+`, every other byte → `%XX` (upper-case hex, UTF-8). The documented form.
 * - `quoteKeepSlash`: Python's `quote()` with its default safe `/` (IBKR's own sample joins the parameter list with it):
 *   space → `%20`, `/` kept.
 *
 * `percentDecode` undoes `%XX` only: in an Authorization header a `+` is a literal plus (RFC 5849 §3.5.1), never a space.
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function encodeBytes(text: string, keep: (char: string) => boolean, space: string): string {
  let out = '';
  for (const char of text) {
    if (char === ' ') out += space;
    else if (keep(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function quotePlus(text: string): string {
  return encodeBytes(text, (char) => UNRESERVED.test(char), '+');
}

export function quoteKeepSlash(text: string): string {
  return encodeBytes(text, (char) => char === '/' || UNRESERVED.test(char), '%20');
}

/** `%XX` → byte, everything else kept; a malformed escape is kept literally (the signature check then fails). */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    const hex = text.slice(index + 1, index + 3);
    if (char === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A query string's pairs, decoded as a form (`+` → space, then `%XX`), in their order of appearance. */
export function decodeQuery(query: string): Array<[string, string]> {
  if (query === '') return [];
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const key = at === -1 ? pair : pair.slice(0, at);
      const value = at === -1 ? '' : pair.slice(at + 1);
      return [percentDecode(key.replace(/\+/g, ' ')), percentDecode(value.replace(/\+/g, ' '))];
    });
}

/** The same pairs exactly as the client wrote them (IBKR's sample signs the values undecoded). */
export function rawQuery(query: string): Array<[string, string]> {
  if (query === '') return [];
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at === -1 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    });
}
