/**
 * Reads an OAuth 1.0a `Authorization` header as IBKR's edge evidently does: clients order the pairs differently,
 * put `realm` first or last, write `", "` or `","` between pairs, and some percent-encode every value, so the parse
 * ignores order and whitespace and percent-decodes each value (`%XX` only; `+` stays a plus).
 */
import { percentDecode } from './percent-encoding.js';

export type OAuthHeaderParse =
  | { readonly ok: true; readonly params: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly problem: string };

const PAIR = /^\s*([A-Za-z0-9_\-.]+)\s*=\s*"([^"]*)"\s*$/;

export function parseOAuthHeader(header: string | undefined): OAuthHeaderParse {
  if (header === undefined || header.trim() === '') return { ok: false, problem: 'missing Authorization header' };
  const trimmed = header.trim();
  if (!/^OAuth\s/i.test(trimmed)) return { ok: false, problem: 'Authorization is not an OAuth header' };
  const params = new Map<string, string>();
  // Values never hold a `"` (all are tokens, hex, base64 or percent-encoded), so splitting on `",` is safe.
  const body = trimmed.slice(trimmed.indexOf(' ') + 1);
  for (const part of splitPairs(body)) {
    const match = PAIR.exec(part);
    if (match === null) return { ok: false, problem: 'malformed OAuth header pair' };
    const key = match[1] as string;
    if (params.has(key)) return { ok: false, problem: `duplicate OAuth parameter ${key}` };
    params.set(key, percentDecode(match[2] as string));
  }
  return { ok: true, params };
}

function splitPairs(body: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of body) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  if (current.trim() !== '') parts.push(current);
  return parts;
}
