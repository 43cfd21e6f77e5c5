/**
 * A fault run (a false alarm, a lingering socket, a close 1000, a logout and a login) with OpenTelemetry's SDK and its
 * in-memory exporters as the application would register them: the spans and metrics of docs/OBSERVABILITY.md come
 * out, with the right parents, statuses and counts, and not one of them carries a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { METRIC, SPAN } from '../../src/observability/index.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import { createTestClient, eventually, recordStates, startSimulator, stopWhatWasStarted } from '../support/harness.js';

let simulator: GatewaySimulator;
const spanExporter = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
const sessionValues: string[] = [];
const logLines: unknown[] = [];
let spans: ReadableSpan[];
let metrics: MetricData[];

beforeAll(async () => {
  simulator = await startSimulator();
  sessionValues.push(simulator.sessionValue);
  const log = (...args: unknown[]) => logLines.push(args);
  const client = createTestClient(simulator, {
    telemetry: { meterProvider, tracerProvider },
    logger: { debug: log, info: log, warn: log, error: log },
  });
  const states = recordStates(client);
  const quotes = client.marketData(265598, ['31']);
  void (async () => {
    for await (const item of quotes) void item;
  })();
  await client.start();
  await quotes.acknowledged;
  const readyAgain = async (what: string) => eventually(() => client.health().ready, what);

  // A false alarm: silence noticed, then the heartbeats come back before the probe times out.
  simulator.linger();
  await states.waitForState('lingering-detected');
  simulator.resume();
  await eventually(() => client.metrics().lingeringFalseAlarms === 1, 'a false alarm');
  await readyAgain('ready after the false alarm');

  // A lingering socket, given up after its probe.
  simulator.linger();
  await eventually(() => client.metrics().reconnects === 1, 'the lingering socket replaced');
  await readyAgain('ready after the lingering socket');

  simulator.closeSockets(1000);
  await eventually(() => client.metrics().reconnects === 2, 'the closed socket replaced');
  await readyAgain('ready after close 1000');

  simulator.logout();
  await states.waitForState('login-required');
  sessionValues.push(simulator.sessionValue);
  simulator.login();
  await readyAgain('ready after the login');
  sessionValues.push(simulator.sessionValue);

  await reader.forceFlush();
  await client.stop();
  spans = spanExporter.getFinishedSpans();
  metrics =
    metricExporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((scope) => scope.metrics) ?? [];
}, 60_000);

afterAll(async () => {
  await stopWhatWasStarted();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

function metric(name: string): MetricData {
  const found = metrics.find((candidate) => candidate.descriptor.name === name);
  if (found === undefined)
    throw new Error(`no metric ${name}; have ${metrics.map((candidate) => candidate.descriptor.name).join(', ')}`);
  return found;
}

function valueOf(name: string, attributes: Record<string, unknown> = {}): number {
  const data = metric(name);
  let sum = 0;
  for (const point of data.dataPoints) {
    if (!Object.entries(attributes).every(([key, value]) => point.attributes[key] === value)) continue;
    const value = point.value;
    sum += typeof value === 'number' ? value : (value as { count: number }).count;
  }
  return sum;
}

describe('traces of a fault run', () => {
  it('one attempt span per connection attempt, ended OK on authenticated or ERROR with the reason', () => {
    const attempts = spans.filter((span) => span.name === SPAN.attempt);
    // start, after the lingering socket, after close 1000, after the logout (login-required), after the login.
    expect(attempts.length).toBeGreaterThanOrEqual(5);
    const ok = attempts.filter((span) => span.status.code === SpanStatusCode.OK);
    expect(ok.length).toBe(4);
    for (const span of ok) expect(span.attributes['ibkr_ws.outcome']).toBe('authenticated');
    const loginRequired = attempts.find((span) => span.attributes['ibkr_ws.outcome'] === 'login-required');
    expect(loginRequired?.status.code).toBe(SpanStatusCode.ERROR);
    expect(loginRequired?.attributes['ibkr_ws.reason']).toBeTypeOf('string');
  });

  it('REST calls and socket handshakes are children of their attempt, timed by the diagnostics tap', () => {
    const attempts = spans.filter((span) => span.name === SPAN.attempt);
    const first = attempts[0] as ReadableSpan;
    const children = spans.filter((span) => span.parentSpanContext?.spanId === first.spanContext().spanId);
    const tickle = children.find((span) => span.name === 'POST /v1/api/tickle');
    expect(tickle).toBeDefined();
    expect(tickle?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.path': '/v1/api/tickle',
      'http.response.status_code': 200,
    });
    expect(children.some((span) => span.name === SPAN.handshake)).toBe(true);
    for (const child of children) {
      expect(child.spanContext().traceId).toBe(first.spanContext().traceId);
      expect(durationMs(child)).toBeGreaterThanOrEqual(0);
      expect(startMs(child)).toBeGreaterThanOrEqual(startMs(first) - 1);
    }
    // The REST answer of the logout is a 401: an ERROR span.
    expect(
      spans.some(
        (span) => span.attributes['http.response.status_code'] === 401 && span.status.code === SpanStatusCode.ERROR,
      ),
    ).toBe(true);
  });

  it('session spans carry lingering and false-alarm events and end with the reason the socket was given up', () => {
    const sessions = spans.filter((span) => span.name === SPAN.session);
    expect(sessions.length).toBe(4);
    const events = sessions.flatMap((span) => span.events.map((event) => event.name));
    expect(events.filter((name) => name === 'lingering').length).toBe(2);
    expect(events.filter((name) => name === 'false-alarm').length).toBe(1);
    const reasons = sessions.map((span) => span.attributes['ibkr_ws.reason']);
    expect(reasons).toEqual(expect.arrayContaining(['probe-timeout', 'auth-lost', 'stop']));
    for (const session of sessions) expect(session.links.length).toBe(1);
  });
});

describe('metrics of a fault run', () => {
  it('counts reconnects by reason, lingering detections and false alarms', () => {
    expect(valueOf(METRIC.reconnects.name)).toBe(2);
    expect(valueOf(METRIC.reconnects.name, { 'ibkr_ws.reason': 'probe-timeout' })).toBe(1);
    expect(valueOf(METRIC.lingering.name)).toBe(2);
    expect(valueOf(METRIC.falseAlarms.name)).toBe(1);
    expect(valueOf(METRIC.loginRequired.name)).toBe(1);
    expect(valueOf(METRIC.authentications.name)).toBe(4);
  });

  it('records one recovery per lost socket, fault to data again', () => {
    const recovery = metric(METRIC.recovery.name);
    expect(recovery.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(recovery.descriptor.unit).toBe('s');
    expect(valueOf(METRIC.recovery.name)).toBe(3);
    expect(valueOf(METRIC.recovery.name, { 'ibkr_ws.reason': 'auth-lost' })).toBe(1);
  });

  it('counts frames and bytes both ways, time in each state, subscriptions by status, REST calls by path and status', () => {
    expect(valueOf(METRIC.frames.name, { 'network.io.direction': 'receive' })).toBeGreaterThan(10);
    expect(valueOf(METRIC.frames.name, { 'network.io.direction': 'transmit' })).toBeGreaterThan(2);
    expect(valueOf(METRIC.io.name, { 'network.io.direction': 'receive' })).toBeGreaterThan(100);
    expect(metric(METRIC.io.name).descriptor.unit).toBe('By');
    expect(valueOf(METRIC.stateTime.name, { 'ibkr_ws.state': 'authenticated' })).toBeGreaterThan(0.1);
    expect(valueOf(METRIC.stateTime.name, { 'ibkr_ws.state': 'lingering-detected' })).toBeGreaterThan(0);
    expect(valueOf(METRIC.state.name, { 'ibkr_ws.state': 'authenticated' })).toBe(1);
    expect(
      valueOf(METRIC.subscriptions.name, {
        'ibkr_ws.subscription.topic': 'smd',
        'ibkr_ws.subscription.status': 'active',
      }),
    ).toBe(1);
    expect(
      valueOf(METRIC.restCalls.name, { 'url.path': '/v1/api/tickle', 'http.response.status_code': 200 }),
    ).toBeGreaterThanOrEqual(4);
    expect(valueOf(METRIC.restCalls.name, { 'http.response.status_code': 401 })).toBeGreaterThanOrEqual(1);
    expect(valueOf(METRIC.restDuration.name)).toBe(valueOf(METRIC.restCalls.name));
    expect(valueOf(METRIC.handshake.name)).toBe(4);
    expect(valueOf(METRIC.ready.name)).toBe(1);
    expect(valueOf(METRIC.live.name)).toBe(1);
  });

  it('every instrument of the table is there', () => {
    const names = new Set(metrics.map((data) => data.descriptor.name));
    const missing = Object.values(METRIC)
      .map((spec) => spec.name)
      .filter(
        (name) =>
          !names.has(name) &&
          name !== METRIC.protocolErrors.name &&
          name !== METRIC.dropped.name &&
          name !== METRIC.errors.name,
      );
    expect(missing).toEqual([]);
  });
});

describe('secrets', () => {
  it('no span, metric or log line carries a session value', () => {
    const everything = JSON.stringify({
      spans: spans.map((span) => ({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        links: span.links,
        status: span.status,
      })),
      metrics,
      logLines,
    });
    expect(sessionValues.length).toBeGreaterThan(0);
    for (const value of sessionValues) expect(everything).not.toContain(value);
  });

  it('log lines written inside a span carry its trace id', () => {
    const traced = logLines.filter(
      (line) =>
        typeof (line as unknown[])[0] === 'object' && (line as [Record<string, unknown>])[0]['trace_id'] !== undefined,
    );
    expect(traced.length).toBeGreaterThan(0);
    const traceIds = new Set(spans.map((span) => span.spanContext().traceId));
    for (const line of traced)
      expect(traceIds.has((line as [Record<string, string>])[0]['trace_id'] as string)).toBe(true);
  });
});

function startMs(span: ReadableSpan): number {
  return span.startTime[0] * 1000 + span.startTime[1] / 1e6;
}

function durationMs(span: ReadableSpan): number {
  return span.duration[0] * 1000 + span.duration[1] / 1e6;
}
