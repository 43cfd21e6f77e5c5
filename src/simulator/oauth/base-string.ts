/**
 * The OAuth 1.0a signature base string as IBKR documents it and IBind builds it:
 *
 *   prepend + METHOD + "&" + quote_plus(url without query) + "&" + quote_plus(k1=v1&k2=v2…)
 *
 * with the pairs sorted by key (then value) by code unit, raw values joined (not encoded one by one) and the whole
 * list encoded once. `prepend` is only used for the live-session-token request (hex of the decrypted access token
 * secret). `realm` and `oauth_signature` never take part. The list is encoded by `quotePlus` unless the caller asks
 * for IBKR's sample's `quote()` form.
 */
import { quoteKeepSlash, quotePlus } from './percent-encoding.js';

export interface BaseStringInput {
  readonly method: string;
  /** Scheme, host, port and path, as the client addressed the server; a query here is signed as part of the URL. */
  readonly url: string;
  readonly params: ReadonlyArray<readonly [string, string]>;
  readonly prepend?: string;
  readonly listEncoding?: 'quote_plus' | 'quote';
}

/** Parameters that are never signed. */
const UNSIGNED = new Set(['realm', 'oauth_signature']);

export function signatureBaseString(input: BaseStringInput): string {
  const pairs = input.params.filter(([key]) => !UNSIGNED.has(key)).map(([key, value]) => [key, value] as const);
  pairs.sort(([keyA, valueA], [keyB, valueB]) => compare(keyA, keyB) || compare(valueA, valueB));
  const joined = pairs.map(([key, value]) => `${key}=${value}`).join('&');
  const encodeList = input.listEncoding === 'quote' ? quoteKeepSlash : quotePlus;
  return `${input.prepend ?? ''}${input.method.toUpperCase()}&${quotePlus(input.url)}&${encodeList(joined)}`;
}

/** Python's `sorted` on str: by code point (equal to code unit order for the ASCII names used here). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
