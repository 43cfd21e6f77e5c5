/**
 * Logs keep their shape (console- or pino-style, redacted by src/logger.ts) and gain `trace_id`, `span_id` and
 * `trace_flags` — the field names of OpenTelemetry's log data model, which pino's and winston's OTel instrumentations
 * use too — when a span is active: the client's own (its current attempt or session span) or else the caller's.
 * Without a TracerProvider no span context is ever valid, and every line is exactly as before.
 */
import { isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';
import type { LogFields, RedactingLogger } from '../logger.js';

export function correlateLogs(logger: RedactingLogger, current: () => SpanContext | undefined): RedactingLogger {
  return {
    log(level, message, fields) {
      const context = current() ?? trace.getActiveSpan()?.spanContext();
      if (context === undefined || !isSpanContextValid(context)) {
        logger.log(level, message, fields);
        return;
      }
      const traced: LogFields = {
        ...fields,
        trace_id: context.traceId,
        span_id: context.spanId,
        trace_flags: `0${context.traceFlags.toString(16)}`.slice(-2),
      };
      logger.log(level, message, traced);
    },
  };
}
