/**
 * Everything the client needs from the observability layer, behind one object with a few wiring points: a
 * diagnostics tap (REST calls and socket handshakes, never frames: the hot path is untouched), a log wrapper, and
 * `attach()` once the client's events exist. Health is always on (it is a few listeners on rare events); metrics and
 * traces go through `@opentelemetry/api`, which is a no-op until the application registers a provider.
 */
import { metrics, trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import type { ConnectionDiagnostics } from '../diagnostics.js';
import type { Logger } from '../logger.js';
import { HealthTracker, type HealthReport } from './health.js';
import { correlateLogs } from './log-correlation.js';
import { createClientMetrics } from './otel-metrics.js';
import type { ObservedClient } from './source.js';
import { createConnectionTracing } from './tracing.js';

export interface TelemetryOptions {
  /**
   * Where the client's instruments come from. Default: the global provider at construction time
   * (`metrics.setGlobalMeterProvider()` must run before `createIbkrWs()`: the OpenTelemetry metrics API has no proxy).
   */
  readonly meterProvider?: MeterProvider;
  /** Default: the global provider (the API's proxy: a provider registered later is picked up). */
  readonly tracerProvider?: TracerProvider;
}

/** The instrumentation scope: the package's name; its version is not read at run time (no package.json import). */
export const INSTRUMENTATION_SCOPE = 'ibkr-ws';

export interface ClientTelemetry {
  /** The tap to add to the client's diagnostics fan-out; undefined when telemetry is off. */
  readonly diagnostics: ConnectionDiagnostics | undefined;
  /** The user's logger with trace ids added when a span is active (wrapped before redaction, see log-correlation.ts). */
  correlate(logger: Logger | undefined): Logger | undefined;
  attach(client: ObservedClient): void;
  health(): HealthReport;
}

/**
 * `false` turns metrics, traces and log correlation off (the benchmarks' baseline); health stays. The options were
 * validated by src/options.ts.
 */
export function createClientTelemetry(options: TelemetryOptions | false | undefined): ClientTelemetry {
  let tracker: HealthTracker | undefined;
  const health = (): HealthReport => {
    if (tracker === undefined) throw new Error('telemetry used before attach()');
    return tracker.health();
  };
  if (options === false) {
    return {
      diagnostics: undefined,
      correlate: (logger) => logger,
      attach: (client) => {
        tracker = new HealthTracker(client);
      },
      health,
    };
  }
  const meter = (options?.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
  const tracer = (options?.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
  const clientMetrics = createClientMetrics(meter);
  const tracing = createConnectionTracing(tracer);
  const diagnostics: ConnectionDiagnostics = {
    restCall(record) {
      clientMetrics.restCall(record);
      tracing.restCall(record);
    },
    socketOpening(record) {
      clientMetrics.socketOpening(record);
      tracing.socketOpening(record);
    },
    socketOpened(record) {
      clientMetrics.socketOpened(record);
      tracing.socketOpened(record);
    },
    socketClosed: (record) => tracing.socketClosed(record),
  };
  return {
    diagnostics,
    correlate: (logger) => correlateLogs(logger, () => tracing.current()),
    attach(client) {
      tracker = new HealthTracker(client);
      clientMetrics.attach(client, tracker);
      tracing.attach(client);
    },
    health,
  };
}
