/** The NATS bridge: one IBKR session shared by many consumers (docs/BRIDGE.md). */
export {
  createBridge,
  type Bridge,
  type BridgeClient,
  type BridgeEvents,
  type BridgeOptions,
  type BridgeStats,
} from './bridge.js';
export { BRIDGE_DEFAULTS } from './defaults.js';
export * from './contract.js';
