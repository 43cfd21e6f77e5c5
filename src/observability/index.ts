/** Health, OpenTelemetry metrics and traces of a client (docs/OBSERVABILITY.md). */
export {
  createClientTelemetry,
  INSTRUMENTATION_SCOPE,
  type ClientTelemetry,
  type TelemetryOptions,
} from './client-telemetry.js';
export type { HealthReport, SubscriptionHealth } from './health.js';
export {
  startHealthServer,
  HEALTH_DEFAULT_HOST,
  type HealthServer,
  type HealthServerOptions,
  type MetricsHandler,
} from './health-server.js';
export { ATTRIBUTE, METRIC } from './metric-names.js';
export { SPAN } from './tracing.js';
