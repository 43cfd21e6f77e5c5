/** Log lines are unchanged without a span, and gain the span's ids (not redacted) when one is current. */
import { describe, expect, it } from 'vitest';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { correlateLogs } from '../../src/observability/log-correlation.js';
import { createRedactingLogger } from '../../src/logger.js';

function capture() {
  const lines: unknown[][] = [];
  return {
    lines,
    logger: { info: (...args: unknown[]) => lines.push(args), warn: (...args: unknown[]) => lines.push(args) },
  };
}

describe('log correlation', () => {
  it('passes every call through unchanged when no span is current', () => {
    const { lines, logger } = capture();
    const redacting = createRedactingLogger(
      correlateLogs(logger, () => undefined),
      () => [],
    );
    redacting.log('info', 'plain');
    redacting.log('warn', 'with fields', { code: 'timeout' });
    expect(lines).toEqual([['plain'], [{ code: 'timeout' }, 'with fields']]);
  });

  it('adds trace_id, span_id and trace_flags of the current span, after redaction', () => {
    const span = new BasicTracerProvider().getTracer('test').startSpan('x');
    const context = span.spanContext();
    const { lines, logger } = capture();
    const secret = 'a'.repeat(32);
    const redacting = createRedactingLogger(
      correlateLogs(logger, () => context),
      () => [secret],
    );
    redacting.log('info', 'plain');
    redacting.log('warn', `quoting ${secret}`, { code: 'timeout' });
    span.end();
    expect(lines[0]).toEqual([{ trace_id: context.traceId, span_id: context.spanId, trace_flags: '01' }, 'plain']);
    expect(lines[1]?.[0]).toMatchObject({ code: 'timeout', trace_id: context.traceId });
    expect(JSON.stringify(lines)).not.toContain(secret);
  });

  it('leaves a missing logger missing and skips levels it lacks', () => {
    expect(correlateLogs(undefined, () => undefined)).toBeUndefined();
    expect(Object.keys(correlateLogs({ info: () => undefined }, () => undefined) ?? {})).toEqual(['info']);
  });
});
