/**
 * Logging: the user's logger (console or pino), called pino-style `(fields, message)` which console prints sensibly
 * too. Every call goes through redaction: the session value and cookies can never reach a log line, even if some
 * error message or frame happened to quote them.
 */
import { createRedactor } from './redaction.js';

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

export function createRedactingLogger(
  logger: Logger | undefined,
  knownSecrets: () => readonly string[],
): RedactingLogger {
  const redact = createRedactor(knownSecrets);
  return {
    log(level, message, fields) {
      const method = logger?.[level];
      if (typeof method !== 'function') return;
      const safeMessage = redact(message) as string;
      if (fields === undefined) method.call(logger, safeMessage);
      else method.call(logger, redact(fields), safeMessage);
    },
  };
}
