/**
 * The client's metrics through `@opentelemetry/api`. Most instruments are observable and read the client's own
 * counters (src/metrics.ts) in one batch callback at collection time: the hot path (frames, messages, drops) gains
 * nothing, and without a registered MeterProvider the API's no-op meter never calls the callback at all. The rest are
 * recorded on rare events (a reconnect, a REST call, a recovery), where a no-op instrument costs one empty call.
 */
import type { Attributes, BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import { LIFECYCLE_STATES, type LifecycleState } from '../../machines/index.js';
import type { RestCallRecord, SocketLifecycleRecord } from '../diagnostics.js';
import type { HealthTracker } from './health.js';
import { ATTRIBUTE, METRIC, RECOVERY_BUCKETS_S, REST_BUCKETS_S } from './metric-names.js';
import { watchRecoveries } from './recovery-clock.js';
import type { ObservedClient } from './source.js';

export interface ClientMetrics {
  attach(client: ObservedClient, health: HealthTracker): void;
  restCall(record: RestCallRecord): void;
  socketOpening(record: SocketLifecycleRecord): void;
  socketOpened(record: SocketLifecycleRecord): void;
}

export function createClientMetrics(meter: Meter): ClientMetrics {
  const reconnects = meter.createCounter(METRIC.reconnects.name, METRIC.reconnects);
  const restCalls = meter.createCounter(METRIC.restCalls.name, METRIC.restCalls);
  const restDuration = meter.createHistogram(METRIC.restDuration.name, {
    ...METRIC.restDuration,
    advice: { explicitBucketBoundaries: REST_BUCKETS_S },
  });
  const recovery = meter.createHistogram(METRIC.recovery.name, {
    ...METRIC.recovery,
    advice: { explicitBucketBoundaries: RECOVERY_BUCKETS_S },
  });
  const handshake = meter.createHistogram(METRIC.handshake.name, {
    ...METRIC.handshake,
    advice: { explicitBucketBoundaries: REST_BUCKETS_S },
  });
  const openingAt = new Map<number, number>();

  return {
    attach(client, health) {
      client.on('reconnect', (event) => reconnects.add(1, { [ATTRIBUTE.reason]: event.reason }));
      watchRecoveries(client, health, (event) =>
        recovery.record(event.durationMs / 1000, { [ATTRIBUTE.reason]: event.reason }),
      );
      observeCounters(meter, client, health, trackStateTime(client));
    },
    restCall(record) {
      const attributes: Attributes = {
        [ATTRIBUTE.method]: record.method,
        [ATTRIBUTE.path]: record.path,
        ...(record.status === undefined ? {} : { [ATTRIBUTE.statusCode]: record.status }),
        ...(record.errorCode === undefined ? {} : { [ATTRIBUTE.errorType]: record.errorCode }),
      };
      restCalls.add(1, attributes);
      restDuration.record(record.durationMs / 1000, attributes);
    },
    socketOpening(record) {
      openingAt.set(record.socketId, record.at);
      // Only the latest socket is ever opening; older entries are sockets that never opened.
      for (const socketId of openingAt.keys()) if (socketId < record.socketId) openingAt.delete(socketId);
    },
    socketOpened(record) {
      const startedAt = openingAt.get(record.socketId);
      openingAt.delete(record.socketId);
      if (startedAt !== undefined) handshake.record((record.at - startedAt) / 1000);
    },
  };
}

/** Milliseconds spent in each state so far, the current one included up to `now`. */
function trackStateTime(client: ObservedClient): (now: number) => ReadonlyMap<LifecycleState, number> {
  const totals = new Map<LifecycleState, number>();
  let current: LifecycleState = client.state();
  let since = Date.now();
  client.on('state', (change) => {
    totals.set(current, (totals.get(current) ?? 0) + (change.at - since));
    current = change.state;
    since = change.at;
  });
  return (now) => {
    const result = new Map(totals);
    result.set(current, (result.get(current) ?? 0) + Math.max(0, now - since));
    return result;
  };
}

function observeCounters(
  meter: Meter,
  client: ObservedClient,
  health: HealthTracker,
  stateTime: (now: number) => ReadonlyMap<LifecycleState, number>,
): void {
  const counter = (spec: { name: string; unit: string; description: string }) =>
    meter.createObservableCounter(spec.name, spec);
  const gauge = (spec: { name: string; unit: string; description: string }) =>
    meter.createObservableGauge(spec.name, spec);
  const lingering = counter(METRIC.lingering);
  const falseAlarms = counter(METRIC.falseAlarms);
  const authentications = counter(METRIC.authentications);
  const loginRequired = counter(METRIC.loginRequired);
  const rotations = counter(METRIC.sessionRotations);
  const tokens = counter(METRIC.liveSessionTokens);
  const protocolErrors = counter(METRIC.protocolErrors);
  const errors = counter(METRIC.errors);
  const dropped = counter(METRIC.dropped);
  const messages = counter(METRIC.messages);
  const frames = counter(METRIC.frames);
  const io = counter(METRIC.io);
  const stateSeconds = counter(METRIC.stateTime);
  const state = gauge(METRIC.state);
  const ready = gauge(METRIC.ready);
  const live = gauge(METRIC.live);
  const subscriptions = meter.createObservableUpDownCounter(METRIC.subscriptions.name, METRIC.subscriptions);

  meter.addBatchObservableCallback(
    (result) => {
      const counters = client.counters();
      result.observe(lingering, counters.lingeringDetections);
      result.observe(falseAlarms, counters.lingeringFalseAlarms);
      result.observe(authentications, counters.authentications);
      result.observe(loginRequired, counters.loginRequired);
      result.observe(rotations, counters.sessionRotations);
      result.observe(tokens, counters.liveSessionTokens);
      result.observe(messages, counters.dataMessages);
      observeByKey(result, protocolErrors, counters.protocolErrorsByCode, ATTRIBUTE.errorType);
      observeByKey(result, errors, counters.errorsByCode, ATTRIBUTE.errorType);
      observeByKey(result, dropped, counters.droppedByReason, ATTRIBUTE.dropReason);
      result.observe(frames, counters.framesIn, { [ATTRIBUTE.direction]: 'receive' });
      result.observe(frames, counters.framesOut, { [ATTRIBUTE.direction]: 'transmit' });
      result.observe(io, counters.bytesIn, { [ATTRIBUTE.direction]: 'receive' });
      result.observe(io, counters.bytesOut, { [ATTRIBUTE.direction]: 'transmit' });
      for (const [name, ms] of stateTime(Date.now()))
        result.observe(stateSeconds, ms / 1000, { [ATTRIBUTE.state]: name });
      for (const name of LIFECYCLE_STATES)
        result.observe(state, name === counters.state ? 1 : 0, { [ATTRIBUTE.state]: name });
      const report = health.health();
      result.observe(ready, report.ready ? 1 : 0);
      result.observe(live, report.live ? 1 : 0);
      const counts = new Map<string, { topic: string; status: string; count: number }>();
      for (const subscription of client.subscriptions()) {
        const key = `${subscription.topic}\u0000${subscription.status}`;
        const entry = counts.get(key) ?? { topic: subscription.topic, status: subscription.status, count: 0 };
        entry.count++;
        counts.set(key, entry);
      }
      for (const entry of counts.values())
        result.observe(subscriptions, entry.count, {
          [ATTRIBUTE.topic]: entry.topic,
          [ATTRIBUTE.status]: entry.status,
        });
    },
    [
      lingering,
      falseAlarms,
      authentications,
      loginRequired,
      rotations,
      tokens,
      protocolErrors,
      errors,
      dropped,
      messages,
      frames,
      io,
      stateSeconds,
      state,
      ready,
      live,
      subscriptions,
    ],
  );
}

function observeByKey(
  result: BatchObservableResult,
  metric: Observable,
  values: Readonly<Record<string, number>>,
  key: string,
): void {
  for (const [name, value] of Object.entries(values)) result.observe(metric, value, { [key]: name });
}
