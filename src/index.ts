/** `ibkr-ws`: the public API. The statechart is also available alone from `ibkr-ws/machines`. */
export { createIbkrWs } from './client.js';
export type { ConnectionActor, IbkrWs, IbkrWsEvents, IbkrWsOptions, StateChange } from './client.js';
export { CLIENT_DEFAULTS } from './defaults.js';
export { ERROR_CODES, IbkrWsError, isFatal, type IbkrWsErrorCode } from './errors.js';
export type { Logger, LogLevel } from './logger.js';
export type { MetricsSnapshot } from './metrics.js';
export {
  ATTRIBUTE,
  HEALTH_DEFAULT_HOST,
  METRIC,
  SPAN,
  startHealthServer,
  type HealthReport,
  type HealthServer,
  type HealthServerOptions,
  type MetricsHandler,
  type SubscriptionHealth,
  type TelemetryOptions,
} from './observability/index.js';
export type { TlsOptions } from './adapters/tls.js';
export { readDhParam, readRsaPrivateKey, type OAuthOptions, type DhParameters } from './oauth/index.js';
export * from './subscriptions/index.js';
export * from './recorder/index.js';
export { decodeFrame } from './protocol/decode.js';
export { encodeCommand } from './protocol/encode.js';
export { ProtocolError } from './protocol/errors.js';
export { DEFAULT_MAX_FRAME_BYTES } from './protocol/limits.js';
export { Secret } from './protocol/secret.js';
export type * from './protocol/types.js';
export {
  DEFAULT_TIMING,
  LIFECYCLE_STATES,
  connectionMachine,
  lifecycleStateOf,
  type ConnectionTiming,
  type LifecycleState,
} from '../machines/index.js';
