/**
 * The base strings a signed (HMAC-SHA256) request may have been signed over. The documented form (IBKR's guide and
 * staff sample, deno-ibkr, IBind's unmerged PR #153) is the only one accepted by default:
 *
 * - `standard`: query parameters decoded and in the sorted list, the URL without query, the list `quote_plus`-ed.
 *
 * The lenient switch also accepts what clients in use sign, all of which IBKR evidently accepts:
 *
 * - `query-omitted`: IBind master never signs the query (URL without query, no query pairs in the list);
 * - `query-in-url`: IbkrConduit signs the full request URL, query included, and no query pairs in the list;
 * - `quote`: IBKR's Python sample joins the undecoded query pairs and encodes the list with `quote()` (`/` kept).
 *
 * A request without a query matches `standard` in every case (the forms only differ on the query).
 */
import { signatureBaseString } from './base-string.js';
import { decodeQuery, rawQuery } from './percent-encoding.js';

export type SignedRequestVariant = 'standard' | 'query-omitted' | 'query-in-url' | 'quote';

export const LENIENT_VARIANTS: readonly SignedRequestVariant[] = ['query-omitted', 'query-in-url', 'quote'];

export interface SignedRequestShape {
  readonly method: string;
  /** e.g. `https://localhost:5000`: the address the client was given, never the Host header. */
  readonly baseUrl: string;
  /** The request target as received: path and optional `?query`, undecoded. */
  readonly target: string;
  readonly oauthParams: ReadonlyMap<string, string>;
}

export function variantBaseString(shape: SignedRequestShape, variant: SignedRequestVariant): string {
  const at = shape.target.indexOf('?');
  const path = at === -1 ? shape.target : shape.target.slice(0, at);
  const query = at === -1 ? '' : shape.target.slice(at + 1);
  const oauth = [...shape.oauthParams];
  const base = { method: shape.method, url: `${shape.baseUrl}${path}` };
  switch (variant) {
    case 'standard':
      return signatureBaseString({ ...base, params: [...oauth, ...decodeQuery(query)] });
    case 'query-omitted':
      return signatureBaseString({ ...base, params: oauth });
    case 'query-in-url':
      return signatureBaseString({ ...base, url: `${shape.baseUrl}${shape.target}`, params: oauth });
    case 'quote':
      return signatureBaseString({ ...base, params: [...oauth, ...rawQuery(query)], listEncoding: 'quote' });
  }
}
