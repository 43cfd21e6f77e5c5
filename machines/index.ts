/** `ibkr-ws/machines`: the connection statechart, pure, for embedding with `machine.provide(...)`. */
export { connectionMachine } from './connection.machine.js';
export type { ConnectionContext, ConnectionEmitted, ConnectionEvent, ConnectionInput } from './connection.machine.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TIMING,
  backoffCapMs,
  backoffDelayMs,
  type ConnectionTiming,
} from './connection.defaults.js';
export {
  CADENCE_RULE,
  DEFAULT_SILENCE_MS,
  EMPTY_CADENCE,
  estimateCadence,
  maxReadingPauseMs,
  learnFrom,
  observeBeat,
  silenceTimeoutMs,
  thresholdForEstimate,
  type Cadence,
  type CadenceEstimate,
} from './cadence.js';
export { loginPollDelayMs, reauthenticateOnPoll } from './login-poll.js';
export {
  LIFECYCLE_STATES,
  isDataPlaneReady,
  lifecycleStateOf,
  lifecycleStateOfValue,
  type LifecycleState,
} from './lifecycle-states.js';
export {
  isAuthenticatedStatus,
  isCompetingStatus,
  isEcho,
  isErrorFrame,
  isHeartbeat,
  isSystemSuccess,
  isTicReply,
  isUnauthenticatedStatus,
  isWaitingForSession,
} from './message-guards.js';
