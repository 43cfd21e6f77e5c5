/**
 * `ibkr-ws/bridge-client`: consume a running `ibkr-ws bridge` over NATS with the library's API shape. It never loads
 * the client (no gateway, no WebSocket); the wire contract it follows is docs/BRIDGE.md.
 */
export {
  connectBridge,
  type BridgeConnection,
  type BridgeConnectionEvents,
  type ConnectBridgeOptions,
} from './connect-bridge.js';
export type { BridgeStream, BridgeStreamEvents } from './bridge-stream.js';
export type {
  BridgeSubscription,
  ConnectionStateValue,
  ControlReply,
  GapBody,
  SubscribeResult,
  WireError,
} from '../bridge/contract.js';
export type { Gap, Quote } from '../subscriptions/types.js';
