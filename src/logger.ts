/**
 * Logging: the user's logger (console or pino), called pino-style `(fields, message)` which console prints sensibly
 * too. Every call goes through redaction: the session value and cookies can never reach a log line, even if some
 * error message or frame happened to quote them.
 */
import { REDACTED_TEXT, Secret } from './protocol/secret.js';

type LogMethod = (...args: unknown[]) => void;

/** Anything with console- or pino-like level methods. Missing levels are skipped. */
export interface Logger {
  debug?: LogMethod;
  info?: LogMethod;
  warn?: LogMethod;
  error?: LogMethod;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface RedactingLogger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/** Replaces every known secret value in strings, recursively; Secrets print as `[redacted]` by themselves. */
export function redact(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrub(value, secrets);
  if (value instanceof Secret) return REDACTED_TEXT;
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: scrub(value.message, secrets), ...(code === undefined ? {} : { code }) };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = /^(cookie|session|set-cookie|authorization)$/i.test(key) ? REDACTED_TEXT : redact(item, secrets, depth + 1);
  }
  return out;
}

function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4 && result.includes(secret)) result = result.split(secret).join(REDACTED_TEXT);
  }
  return result;
}

export function createRedactingLogger(logger: Logger | undefined, knownSecrets: () => readonly string[]): RedactingLogger {
  return {
    log(level, message, fields) {
      const method = logger?.[level];
      if (typeof method !== 'function') return;
      const secrets = knownSecrets();
      const safeMessage = scrub(message, secrets);
      if (fields === undefined) method.call(logger, safeMessage);
      else method.call(logger, redact(fields, secrets), safeMessage);
    },
  };
}
