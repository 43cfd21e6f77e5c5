/**
 * The `Authorization: OAuth …` header as IBind writes it (and the reference vectors record): `realm` first, then the
 * signed parameters plus `oauth_signature`, sorted by key, each `key="value"`, joined by `", "`. Values go raw, except
 * the signature, which is `quote_plus`-encoded (base64 carries `+`, `/`, `=`). IBKR parses the header in any order.
 */
import { quotePlus } from './percent-encode.js';

export function authorizationHeader(
  realm: string,
  params: Readonly<Record<string, string>>,
  signatureBase64: string,
): string {
  const all: Record<string, string> = { ...params, oauth_signature: quotePlus(signatureBase64) };
  const pairs = Object.keys(all)
    .sort()
    .map((key) => `${key}="${all[key]}"`);
  return `OAuth realm="${realm}", ${pairs.join(', ')}`;
}
