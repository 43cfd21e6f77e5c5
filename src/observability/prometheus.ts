/**
 * `/metrics` for the CLI: OpenTelemetry's own Prometheus exporter (`@opentelemetry/exporter-prometheus`) as the reader
 * of an SDK MeterProvider (`@opentelemetry/sdk-metrics`), handed to the client as its `meterProvider`. The text format
 * is the exporter's, not ours. Both packages are optional dependencies, imported here lazily and only by the CLI when
 * `--health-port` is given: the library itself never loads an SDK. Without them, `loadPrometheusMetrics()` rejects
 * with a message saying what to install.
 */
import type { MeterProvider } from '@opentelemetry/api';
import { IbkrWsError } from '../errors.js';
import type { MetricsHandler } from './health-server.js';

export interface PrometheusMetrics {
  readonly meterProvider: MeterProvider;
  readonly handler: MetricsHandler;
  shutdown(): Promise<void>;
}

export const PROMETHEUS_PACKAGES = [
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/exporter-prometheus',
  '@opentelemetry/resources',
] as const;

export async function loadPrometheusMetrics(serviceName: string): Promise<PrometheusMetrics> {
  let modules;
  try {
    modules = await Promise.all([
      import('@opentelemetry/sdk-metrics'),
      import('@opentelemetry/exporter-prometheus'),
      import('@opentelemetry/resources'),
    ]);
  } catch (error) {
    throw new IbkrWsError(
      'invalid-option',
      `/metrics needs the optional packages ${PROMETHEUS_PACKAGES.join(', ')} (${(error as Error)?.message ?? String(error)}); install them or run without --health-port`,
    );
  }
  const [{ MeterProvider: SdkMeterProvider }, { PrometheusExporter }, { resourceFromAttributes }] = modules;
  // The health server serves the path; the exporter only renders (no server of its own on :9464).
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new SdkMeterProvider({
    readers: [exporter],
    resource: resourceFromAttributes({ 'service.name': serviceName }),
  });
  return {
    meterProvider,
    handler: (request, response) => exporter.getMetricsRequestHandler(request, response),
    shutdown: () => meterProvider.shutdown(),
  };
}
