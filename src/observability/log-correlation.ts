/**
 * Logs keep their shape (console- or pino-style, redacted by src/logger.ts) and gain `trace_id`, `span_id` and
 * `trace_flags` — the field names of OpenTelemetry's log data model, which pino's and winston's OTel instrumentations
 * use too — when a span is active: the client's own (its current attempt or session span) or else the caller's.
 * Without a TracerProvider no span context is ever valid, and every line is exactly as before.
 *
 * It wraps the user's logger, under the redaction: a trace id is 32 hex digits, which the redactor would take for a
 * session value, and it is no secret.
 */
import { isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';
import type { Logger, LogLevel } from '../logger.js';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function correlateLogs(logger: Logger | undefined, current: () => SpanContext | undefined): Logger | undefined {
  if (logger === undefined) return undefined;
  const correlated: Logger = {};
  for (const level of LEVELS) {
    const method = logger[level];
    if (typeof method !== 'function') continue;
    correlated[level] = (...args: unknown[]) => {
      const context = current() ?? trace.getActiveSpan()?.spanContext();
      if (context === undefined || !isSpanContextValid(context)) {
        method.apply(logger, args);
        return;
      }
      const ids = {
        trace_id: context.traceId,
        span_id: context.spanId,
        trace_flags: `0${context.traceFlags.toString(16)}`.slice(-2),
      };
      // The redacting logger calls `(fields, message)` or `(message)`: pino's and console's shapes both.
      const [first, ...rest] = args;
      if (typeof first === 'object' && first !== null) method.call(logger, { ...first, ...ids }, ...rest);
      else method.call(logger, ids, ...args);
    };
  }
  return correlated;
}
