/**
 * The OAuth 1.0a signature base string in IBKR's form (RFC 5849 §3.4.1 with IBKR's two twists):
 *
 *   [prepend] METHOD & quote_plus(url without query) & quote_plus(k1=v1&k2=v2…)
 *
 * The parameters are the `oauth_*` header pairs (never `realm`, never `oauth_signature`), the Diffie-Hellman challenge
 * for the live-session-token request, and the request's query parameters, decoded. They are sorted by code point and
 * joined with their raw values, and the joined list is encoded once (not each value, as RFC 5849 would). JSON bodies
 * are never part of it. The LST request prefixes the hex of the decrypted access-token secret with no separator.
 * Sources: IBKR's "OAuth 1.0a Extended" guide (https://www.interactivebrokers.com/campus/ibkr-api-page/oauth-1-0a-extended/),
 * IBind's `generate_base_string` (https://github.com/Voyz/ibind/blob/master/ibind/oauth/oauth1a.py).
 */
import { quotePlus } from './percent-encode.js';

export interface BaseStringInput {
  readonly method: string;
  /** The URL exactly as requested; its query joins the parameter list and is cut from the URL part. */
  readonly url: string | URL;
  /** The `oauth_*` parameters (and `diffie_hellman_challenge`), without `realm` and `oauth_signature`. */
  readonly params: Readonly<Record<string, string>>;
  /** Lower-case hex of the decrypted access-token secret: only on the LST request. */
  readonly prepend?: string;
}

export function signatureBaseString(input: BaseStringInput): string {
  const url = new URL(String(input.url));
  const pairs: Array<readonly [string, string]> = Object.entries(input.params);
  for (const [key, value] of url.searchParams) pairs.push([key, value]);
  // Code-point order (Python's `sorted`), by key then value: `localeCompare` would differ for mixed case.
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  const joined = pairs.map(([key, value]) => `${key}=${value}`).join('&');
  const bare = `${url.protocol}//${url.host}${url.pathname}`;
  return `${input.prepend ?? ''}${input.method.toUpperCase()}&${quotePlus(bare)}&${quotePlus(joined)}`;
}
