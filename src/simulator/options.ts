/**
 * Every simulator default, in one place, each with the reason it has that value. docs/SIMULATOR.md lists them too.
 * Section numbers point into docs/PROTOCOL.md.
 */
import type { OAuthConsumerMaterial } from './oauth/consumer-material.js';
import { validateOAuthOptions } from './oauth/oauth-options.js';

/** Anything with console- or pino-like level methods (the same shape as the client's Logger). Missing levels are skipped. */
export interface SimulatorLogger {
  debug?: (...args: unknown[]) => void;
  info?: (...args: unknown[]) => void;
  warn?: (...args: unknown[]) => void;
  error?: (...args: unknown[]) => void;
}

export type FrameType = 'binary' | 'text';
/** `gateway`: the local Client Portal Gateway (a browser login); `oauth`: IBKR's own servers with first-party OAuth 1.0a. */
export type SimulatorAuth = 'gateway' | 'oauth';
export type MarketDataMode = 'interval' | 'flood';
/** What open sockets see when the brokerage session times out: an `sts` push, or nothing at all (a "dead" socket). */
export type BrokerageExpiryNotice = 'status' | 'silent';

export const SIMULATOR_DEFAULTS = {
  /** The gateway's conf.yaml `listenPort` (§1.1). 0 lets the system pick a free port (tests). */
  port: 5000,
  /** The server heartbeat is documented and observed every 10 s (§3.1). */
  heartbeatIntervalMs: 10_000,
  /** The gateway opens its upstream socket before it forwards anything; the live greeting comes within 250 ms (§2.2). */
  greetingDelayMs: 50,
  /** Vert.x `ServerWebSocket.write(Buffer)` sends binary frames (opcode 2) (§1.1). */
  frames: 'binary' as FrameType,
  /** A fixed 32-hex value keeps runs reproducible; it is the corpus's made-up value, never a real credential. */
  sessionValue: '0123456789abcdef0123456789abcdef',
  /** Through the local gateway a socket is authenticated by the gateway's own login, with no session message (§2.2). */
  requireSessionMessage: false,
  /** Start as a gateway someone has already logged in to through the browser. */
  loggedIn: true,
  /** The user of the OAPI `/sso/validate` example (§1.6). */
  username: 'user1234',
  /** The paper account of the CAMPUS-TX examples (§4.8). */
  accountId: 'DU1234567',
  /** A `DU…` account is a paper account. */
  isPaper: true,
  /** Free-trial flag: false in every live capture (§2.2). */
  isFT: false,
  /** "time-based snapshot intervals (all products: 500ms)" (§4.2). */
  marketDataIntervalMs: 500,
  /** Paced like the real gateway; `flood` pushes as fast as the socket drains, for benchmarks. */
  marketDataMode: 'interval' as MarketDataMode,
  /** The default number of market data lines of a username (§4.2, §4.12). */
  marketDataLines: 100,
  /** Streams end after 15 min unless re-requested (decision table; §4.2 CONFLICT, 10 min in older docs). */
  marketDataStreamLifetimeMs: 15 * 60_000,
  /** "Max 5 concurrent" historical-data requests (§4.3). */
  maxHistoryStreams: 5,
  /** History comes from a separate farm (hmds) and is never instant; short enough for tests. */
  historyResponseDelayMs: 100,
  /** "will timeout if no requests are received within a period of 5 minutes" (§3.4). 0 = never. */
  brokerageIdleTimeoutMs: 5 * 60_000,
  /** IBIND and DOTNET see an `sts` with `authenticated:false`; LIVE-PY saw silence. Both are possible (§3.5, §7.3). */
  brokerageExpiryNotice: 'status' as BrokerageExpiryNotice,
  /** The docs say a WebSocket `tic` does not replace the REST tickle (§3.3); switch on to model the opposite. */
  ticCountsAsActivity: false,
  /** One reply per `tic`; LIVE-DE saw 4 identical frames (§3.3), set 4 to mimic it. */
  ticReplies: 1,
  /** The gateway re-runs its brokerage login (auth/status, ssodh/init) before it is back (§1.4). */
  reauthenticateDelayMs: 500,
  /** The largest observed `ssoExpires` is ~600 000 ms (§1.2). */
  ssoLifetimeMs: 600_000,
  /** The gateway pings `/sso/ping` every 5 minutes, which refreshes the SSO countdown (§3.4). */
  ssoPingIntervalMs: 5 * 60_000,
  /** P&L updates "as quickly as once per second" (§4.6). */
  pnlIntervalMs: 1_000,
  /** "a message every 10 s" on `sld` (§4.8). */
  ledgerIntervalMs: 10_000,
  /** Undocumented for `ssd`; the same cadence as the ledger. */
  accountSummaryIntervalMs: 10_000,
  /** A synthetic order steps through its life so `sor`/`str` subscribers see traffic; 0 = only `pushOrders()`. */
  ordersIntervalMs: 5_000,
  /** The upstream idle close is undocumented and unlikely (§3.6); 0 = never close a socket for client silence. */
  closeAfterClientSilenceMs: 0,
  /** LIVE-DE and IBIND saw extra `sts` frames (`serverName`, `username`, `message:""`) after the greeting (§2.2). */
  statusVariants: false,
  /** Vert.x's default maximum WebSocket message size (§1.1); ws closes 1009 beyond it. */
  maxClientPayloadBytes: 262_144,
  /** Enough to inspect any test; bounded so a long `ibkr-ws sim` run does not grow without end. */
  recordedFramesPerConnection: 1_000,
  /** Closed connections kept in `connections` for inspection. */
  recordedConnections: 100,
  /** Serve the control API under `/__sim/` (loopback only, never under a gateway path); off = gateway paths only. */
  controlApi: true,
  /** What the simulator plays: the local gateway (as today) or api.ibkr.com's OAuth side (docs/SIMULATOR.md, OAuth). */
  auth: 'gateway' as SimulatorAuth,
  /** Live session tokens are "valid for 24 hours" (IBKR's OpenAPI `/oauth/live_session_token`); tests use seconds. */
  oauthLstLifetimeMs: 86_400_000,
  /** How far `oauth_timestamp` may be from the simulator clock: a policy (IBKR publishes none), 5 min as most servers. */
  oauthTimestampToleranceMs: 300_000,
  /** Also accept the base strings IBind master, IbkrConduit and IBKR's sample sign (queries); reports which matched. */
  oauthLenient: false,
  /** A new live session token makes the previous one invalid at once (IBKR's behaviour is unpublished). */
  oauthRevokePreviousLst: true,
  /** Sockets close 1000 when their access token has no live session token any more (expiry or the fault). */
  oauthCloseSocketsOnLstExpiry: true,
} as const;

type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;
type Defaults = { -readonly [K in keyof typeof SIMULATOR_DEFAULTS]: Widen<(typeof SIMULATOR_DEFAULTS)[K]> };

export interface ResolvedSimulatorOptions extends Omit<
  Defaults,
  'frames' | 'marketDataMode' | 'brokerageExpiryNotice' | 'auth'
> {
  frames: FrameType;
  auth: SimulatorAuth;
  /** OAuth: use this consumer instead of generating one at start (saves ~0.4 s of RSA key generation in tests). */
  oauthMaterial: OAuthConsumerMaterial | undefined;
  /** OAuth: more origins clients may sign for besides `https://localhost:<port>` and `https://127.0.0.1:<port>` (a proxy). */
  oauthBaseUrls: readonly string[] | undefined;
  marketDataMode: MarketDataMode;
  brokerageExpiryNotice: BrokerageExpiryNotice;
  logger: SimulatorLogger | undefined;
  /** Serve this certificate instead of generating one (PEM strings). */
  certificate: { cert: string; key: string } | undefined;
}

export type GatewaySimulatorOptions = Partial<ResolvedSimulatorOptions>;

export function resolveSimulatorOptions(options: GatewaySimulatorOptions = {}): ResolvedSimulatorOptions {
  const resolved: ResolvedSimulatorOptions = {
    ...SIMULATOR_DEFAULTS,
    logger: undefined,
    certificate: undefined,
    oauthMaterial: undefined,
    oauthBaseUrls: undefined,
  };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (resolved as unknown as Record<string, unknown>)[key] = value;
  }
  validate(resolved);
  return resolved;
}

const NON_NEGATIVE_INTEGERS = [
  'port',
  'heartbeatIntervalMs',
  'greetingDelayMs',
  'marketDataIntervalMs',
  'marketDataLines',
  'marketDataStreamLifetimeMs',
  'maxHistoryStreams',
  'historyResponseDelayMs',
  'brokerageIdleTimeoutMs',
  'ticReplies',
  'reauthenticateDelayMs',
  'ssoLifetimeMs',
  'ssoPingIntervalMs',
  'pnlIntervalMs',
  'ledgerIntervalMs',
  'accountSummaryIntervalMs',
  'ordersIntervalMs',
  'closeAfterClientSilenceMs',
  'maxClientPayloadBytes',
  'recordedFramesPerConnection',
  'recordedConnections',
  'oauthTimestampToleranceMs',
] as const;

/** Intervals that drive a repeating timer: 0 would spin. */
const POSITIVE = [
  'heartbeatIntervalMs',
  'marketDataIntervalMs',
  'pnlIntervalMs',
  'ledgerIntervalMs',
  'accountSummaryIntervalMs',
  'ssoPingIntervalMs',
] as const;

function validate(options: ResolvedSimulatorOptions): void {
  for (const key of NON_NEGATIVE_INTEGERS) {
    const value = options[key];
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`simulator option ${key} must be a non-negative integer, got ${String(value)}`);
  }
  for (const key of POSITIVE) {
    if (options[key] === 0) throw new RangeError(`simulator option ${key} must be greater than 0`);
  }
  if (options.port > 65_535) throw new RangeError(`simulator option port must be at most 65535, got ${options.port}`);
  if (!/^[0-9a-f]{32}$/.test(options.sessionValue))
    throw new RangeError('simulator option sessionValue must be 32 lower-case hex characters');
  if (options.frames !== 'binary' && options.frames !== 'text')
    throw new RangeError(`simulator option frames must be 'binary' or 'text'`);
  if (options.marketDataMode !== 'interval' && options.marketDataMode !== 'flood') {
    throw new RangeError(`simulator option marketDataMode must be 'interval' or 'flood'`);
  }
  if (options.brokerageExpiryNotice !== 'status' && options.brokerageExpiryNotice !== 'silent') {
    throw new RangeError(`simulator option brokerageExpiryNotice must be 'status' or 'silent'`);
  }
  if (options.auth !== 'gateway' && options.auth !== 'oauth')
    throw new RangeError(`simulator option auth must be 'gateway' or 'oauth'`);
  validateOAuthOptions(options);
}
