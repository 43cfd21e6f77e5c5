/** `ibkr-ws/simulator`: a faithful Client Portal Gateway on loopback, for tests, demos and benchmarks. */
export { startGatewaySimulator } from './simulator.js';
export { SIMULATOR_DEFAULTS } from './options.js';
export { generateLoopbackCertificate } from './certificate.js';
export { CONTROL_NAMES, ControlError } from './control/schema.js';
export { MARKET_STATES, type MarketState } from './topics/market-states.js';
export { instrumentProfile, type InstrumentProfile } from './topics/instrument-profile.js';
export type {
  BrokerageExpiryNotice,
  FrameType,
  GatewaySimulatorOptions,
  MarketDataMode,
  SimulatorAuth,
  SimulatorLogger,
} from './options.js';
export type { BrokerageStatus } from './gateway-state.js';
export type { OAuthSimulatorControl } from './oauth/oauth-side.js';
export type { OAuthConsumerMaterial } from './oauth/consumer-material.js';
export type { OAuthCredentialsFileContent } from './oauth/credentials-file.js';
export type { OAuthCounters, OAuthEndpoint, OAuthRequestEvent } from './oauth/oauth-events.js';
export type { OAuthRejection } from './oauth/oauth-replies.js';
export type { SignedRequestVariant } from './oauth/signed-request-variants.js';
export type {
  ClientFrameOutcome,
  ClientFrameRecord,
  ConnectionRecord,
  ControlSource,
  FaultEvent,
  GatewaySimulator,
  GatewayStateSnapshot,
  RestRequestEvent,
  SendRawOptions,
  SimulatorCounters,
  SimulatorEventName,
  SimulatorEvents,
} from './types.js';
