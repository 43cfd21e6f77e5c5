/**
 * The metric names, units and attribute keys: one table, shared by the instruments, the tests and
 * docs/OBSERVABILITY.md. Names follow OpenTelemetry's conventions (a dotted namespace, UCUM units, counts annotated
 * in braces, no `_total` suffix: exporters add theirs), attributes reuse the semantic-convention keys where one
 * exists (`error.type`, `network.io.direction`, `http.*`, `url.path`).
 */
export const METRIC = {
  reconnects: {
    name: 'ibkr_ws.connection.reconnects',
    unit: '{reconnect}',
    description: 'Reconnects scheduled, by the reason the socket was given up',
  },
  lingering: {
    name: 'ibkr_ws.connection.lingering_detections',
    unit: '{detection}',
    description: 'Sockets suspected dead after a silence longer than the heartbeat timeout',
  },
  falseAlarms: {
    name: 'ibkr_ws.connection.false_alarms',
    unit: '{alarm}',
    description: 'Lingering suspicions cleared by a sign of life',
  },
  authentications: {
    name: 'ibkr_ws.connection.authentications',
    unit: '{authentication}',
    description: 'Sockets that reached authenticated',
  },
  loginRequired: {
    name: 'ibkr_ws.session.login_required',
    unit: '{event}',
    description: 'Times the gateway asked for a person to log in',
  },
  sessionRotations: {
    name: 'ibkr_ws.session.rotations',
    unit: '{rotation}',
    description: 'Session values rotated by the gateway',
  },
  liveSessionTokens: {
    name: 'ibkr_ws.oauth.live_session_tokens',
    unit: '{token}',
    description: 'OAuth live session tokens obtained: the first and every renewal',
  },
  stateTime: { name: 'ibkr_ws.connection.state.time', unit: 's', description: 'Time spent in each lifecycle state' },
  state: {
    name: 'ibkr_ws.connection.state',
    unit: '{state}',
    description: '1 for the current lifecycle state, 0 for the others',
  },
  recovery: {
    name: 'ibkr_ws.connection.recovery.duration',
    unit: 's',
    description: 'From a lost socket to ready again (every wanted subscription active)',
  },
  handshake: { name: 'ibkr_ws.socket.handshake.duration', unit: 's', description: 'WebSocket opening to opened' },
  ready: {
    name: 'ibkr_ws.health.ready',
    unit: '1',
    description: '1 when ready (authenticated, every wanted subscription active)',
  },
  live: { name: 'ibkr_ws.health.live', unit: '1', description: '0 once the client has given up' },
  protocolErrors: {
    name: 'ibkr_ws.protocol.errors',
    unit: '{frame}',
    description: 'Frames that could not be decoded, by error code',
  },
  errors: { name: 'ibkr_ws.errors', unit: '{error}', description: 'Errors reported by the client, by error code' },
  dropped: { name: 'ibkr_ws.messages.dropped', unit: '{message}', description: 'Messages dropped, by reason' },
  messages: { name: 'ibkr_ws.messages.received', unit: '{message}', description: 'Data messages decoded' },
  frames: { name: 'ibkr_ws.socket.frames', unit: '{frame}', description: 'WebSocket frames, by direction' },
  io: { name: 'ibkr_ws.socket.io', unit: 'By', description: 'WebSocket payload bytes, by direction' },
  subscriptions: {
    name: 'ibkr_ws.subscriptions',
    unit: '{subscription}',
    description: 'Wire subscriptions, by topic and status',
  },
  restCalls: {
    name: 'ibkr_ws.rest.calls',
    unit: '{call}',
    description: 'REST calls to the gateway, by method, path and status',
  },
  restDuration: {
    name: 'ibkr_ws.rest.duration',
    unit: 's',
    description: 'REST call duration, by method, path and status',
  },
} as const;

export const ATTRIBUTE = {
  reason: 'ibkr_ws.reason',
  state: 'ibkr_ws.state',
  topic: 'ibkr_ws.subscription.topic',
  status: 'ibkr_ws.subscription.status',
  dropReason: 'ibkr_ws.drop.reason',
  errorType: 'error.type',
  direction: 'network.io.direction',
  method: 'http.request.method',
  path: 'url.path',
  statusCode: 'http.response.status_code',
  socketId: 'ibkr_ws.socket.id',
  attempt: 'ibkr_ws.attempt',
  closeCode: 'ibkr_ws.socket.close_code',
} as const;

/** Seconds: reconnects take tens of ms to minutes (a person logging in). */
export const RECOVERY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];
export const REST_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
