/**
 * The one redaction step for everything that leaves the client (log lines and fields, inspection events, the live
 * sink). Three nets, because one is never enough for a secret:
 * 1. values that know they are secret (`Secret`) serialise as `[redacted]` through their `toJSON`;
 * 2. keys that name a secret (`session`, `cookie`, `set-cookie`, `authorization`) are blanked at any depth;
 * 3. strings are scrubbed of every known secret value and of anything shaped like a session (32+ hex digits).
 * The result is plain JSON data (cycles cut, functions named), safe to `JSON.stringify`.
 */
import { REDACTED_TEXT } from './protocol/secret.js';
import { redactWireText } from './protocol/redact-wire-text.js';

const SECRET_KEYS = /^(session|cookie|cookies|set-cookie|authorization)$/i;
const MAX_DEPTH = 16;

export type KnownSecrets = () => Iterable<string>;

export function createRedactor(knownSecrets: KnownSecrets = () => []): (value: unknown) => unknown {
  return (value) => {
    const secrets = [...knownSecrets()].filter((secret) => secret.length >= 4);
    return sanitize(value, secrets, 0, new Set());
  };
}

function sanitize(value: unknown, secrets: readonly string[], depth: number, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return scrub(value, secrets);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (value === undefined) return undefined;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (typeof value !== 'object') return String(value);
  if (depth > MAX_DEPTH) return '[…]';
  if (ancestors.has(value)) return '[circular]';
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const json = (toJSON as () => unknown).call(value);
    if (json !== value) return sanitize(json, secrets, depth + 1, ancestors);
  }
  ancestors.add(value);
  try {
    if (value instanceof Error) return { name: value.name, message: scrub(value.message, secrets) };
    if (Array.isArray(value)) return value.map((item) => sanitize(item, secrets, depth + 1, ancestors) ?? null);
    if (value instanceof Map) return sanitize(Object.fromEntries(value), secrets, depth + 1, ancestors);
    if (value instanceof Set) return sanitize([...value], secrets, depth + 1, ancestors);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const clean =
        SECRET_KEYS.test(key) && item !== undefined && item !== null
          ? REDACTED_TEXT
          : sanitize(item, secrets, depth + 1, ancestors);
      if (clean !== undefined) out[key] = clean;
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED_TEXT);
  return redactWireText(result);
}
