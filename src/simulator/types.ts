/**
 * The simulator's public vocabulary: the control surface returned by startGatewaySimulator, the record of client
 * traffic, the counters and the events.
 */
import type { ClientCommand } from '../protocol/types.js';
import type { TopicUnknown } from '../protocol/parse-client-command.js';
import type { BrokerageStatus } from './gateway-state.js';
import type { MarketDataMode } from './options.js';
import type { MarketState } from './topics/market-states.js';
import type { OAuthRequestEvent } from './oauth/oauth-events.js';
import type { OAuthSimulatorControl } from './oauth/oauth-side.js';

/** What the simulator did with one client frame. */
export type ClientFrameOutcome =
  /** Answered or acted on. */
  | 'handled'
  /** Arrived before the greeting: the gateway had no upstream yet and dropped it (§1.1, §2.2). */
  | 'dropped-before-greeting'
  /** Not a known command: answered `{"error":"Topic unknown '<3 chars>'","code":1}`. */
  | 'topic-unknown'
  /** The socket waits for `{"session":…}`; anything else is ignored. */
  | 'ignored-awaiting-session'
  /** The socket lingers (silent with TCP open): the frame reached nobody. */
  | 'ignored-lingering'
  /** A subscription while the brokerage session is not authenticated: nothing will flow. */
  | 'ignored-not-authenticated'
  /** Refused by a limit (market data lines, concurrent history requests): an error frame was sent. */
  | 'refused-limit'
  /** `{"session":…}` with a value that is not the gateway's: answered `sts` `authenticated:false`. */
  | 'rejected-session';

export interface ClientFrameRecord {
  readonly connectionId: number;
  /** The frame as text (lenient UTF-8). A `{"session":…}` frame holds the session value: do not log records. */
  readonly text: string;
  readonly binary: boolean;
  /** Epoch ms when it arrived. */
  readonly at: number;
  /** It arrived before the greeting and was dropped. */
  readonly beforeGreeting: boolean;
  /** The parsed intent, or the topic-unknown verdict. */
  readonly command: ClientCommand | TopicUnknown;
  readonly outcome: ClientFrameOutcome;
}

export interface ConnectionRecord {
  readonly id: number;
  /** The request path of the upgrade (the gateway accepts any, §1.1). */
  readonly path: string;
  readonly openedAt: number;
  /** Set once the socket is gone; `closeCode` is what the server saw (1006 when the TCP connection just ended). */
  readonly closedAt: number | undefined;
  readonly closeCode: number | undefined;
  /** The client frames, oldest first, up to `recordedFramesPerConnection`. */
  readonly frames: readonly ClientFrameRecord[];
  /** Frames that arrived after the record was full (counted, not kept). */
  readonly framesNotRecorded: number;
}

export interface SimulatorCounters {
  /** WebSocket connections accepted (including those closed at once during maintenance). */
  readonly connections: number;
  readonly clientFrames: number;
  readonly droppedBeforeGreeting: number;
  readonly topicUnknown: number;
  readonly serverFrames: number;
  readonly heartbeats: number;
  readonly restRequests: number;
  readonly tickles: number;
  /** Tickles answered with an injected failure (`failNextTickles`). */
  readonly failedTickles: number;
  /** Times the brokerage session was lost (idle expiry, expireBrokerageSession, competingSession). */
  readonly brokerageSessionsLost: number;
}

export interface RestRequestEvent {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** Who called a control: the HTTP control API, a fault schedule, a replay, or code through `control()`. */
export type ControlSource = 'api' | 'schedule' | 'replay' | 'code';

/** A fault of the control surface was applied through `control()` (queries are not reported). */
export interface FaultEvent {
  readonly name: string;
  readonly args: readonly unknown[];
  readonly source: ControlSource;
  readonly at: number;
}

export interface SimulatorEvents {
  'client-frame': ClientFrameRecord;
  connection: { readonly connectionId: number; readonly path: string };
  /** The socket was greeted (or accepted its session): it is authenticated and ready. */
  ready: { readonly connectionId: number };
  disconnect: { readonly connectionId: number; readonly code: number };
  'rest-request': RestRequestEvent;
  fault: FaultEvent;
  /** OAuth mode: one per request checked (LST, signed REST call, socket upgrade), with its verdict. */
  'oauth-request': OAuthRequestEvent;
}

export type SimulatorEventName = keyof SimulatorEvents;

export interface GatewayStateSnapshot {
  readonly loggedIn: boolean;
  readonly brokerage: BrokerageStatus;
  readonly maintenance: boolean;
  readonly marketDataLinesInUse: number;
  readonly historyStreamsInUse: number;
  /** Contracts not trading normally, by conid (`setMarketState`). */
  readonly marketStates: Readonly<Record<string, MarketState>>;
}

export interface SendRawOptions {
  /** Send as a binary frame (default: the simulator's `frames` option). */
  readonly binary?: boolean;
}

export interface GatewaySimulator {
  /** `https://localhost:<port>`: the REST base (paths start with `/v1/api`). */
  readonly url: string;
  /** `wss://localhost:<port>/v1/api/ws`. */
  readonly wsUrl: string;
  readonly port: number;
  /** The self-signed certificate (PEM): pass it as `ca` to trust the simulator. */
  readonly ca: string;
  /** A temporary file holding `ca` (removed by close()). */
  readonly caPath: string;
  /** `auth: 'oauth'`: the ready credentials file for `ibkr-ws connect --oauth FILE` (removed by close()). */
  readonly oauthFile: string | undefined;
  /** `auth: 'oauth'`: the consumer, the verdicts and OAuth's faults; undefined in gateway mode. */
  readonly oauth: OAuthSimulatorControl | undefined;
  /** The current tickle `session` value. A secret in real life: never log it. */
  readonly sessionValue: string;
  /** Open WebSocket connections. */
  readonly sockets: number;
  readonly counters: SimulatorCounters;
  /** Every connection (open ones, then the last `recordedConnections` closed ones) with its client frames. */
  readonly connections: readonly ConnectionRecord[];
  readonly state: GatewayStateSnapshot;

  on<E extends SimulatorEventName>(event: E, listener: (payload: SimulatorEvents[E]) => void): () => void;
  /** Resolves with the next client frame to arrive that matches (earlier ones are in `connections`); rejects after `timeoutMs` (default 5 s) or on close(). */
  waitForClientFrame(predicate?: (frame: ClientFrameRecord) => boolean, timeoutMs?: number): Promise<ClientFrameRecord>;

  /** Every open socket goes silent with TCP open: no heartbeats, no data, no replies. New sockets are not affected. */
  linger(): void;
  /** Undoes linger(): the sockets speak again (heartbeats resume; what was missed is gone). */
  resume(): void;
  /** Destroys every TCP connection without a close frame: clients see 1006. */
  dropConnections(): void;
  /** Closes every socket with `code` and no reason, as the gateway does when its upstream link ends (§5). */
  closeSockets(code?: number): void;
  /** The gateway's session ends: REST answers 401; open sockets get `sts` `authenticated:false`, then close 1000. */
  logout(): void;
  /** A person logs in again: REST works, the brokerage session is authenticated (pushed to open sockets). */
  login(): void;
  /** The brokerage session times out now: `authenticated:false` on REST, `sts` push (or silence, per options). */
  expireBrokerageSession(): void;
  /** Another login with the same username: REST `competing:true, authenticated:false`, `sts` push with both keys. */
  competingSession(): void;
  /** A new tickle `session` value; returns it. */
  rotateSession(): string;
  /** IBKR's restart window: REST 503, sockets closed 1000 now and right after every new accept. */
  maintenance(on: boolean): void;
  /** Sends these exact bytes to every open socket, lingering or not (malformed, non-UTF-8, oversized frames). */
  sendRaw(data: string | Uint8Array, options?: SendRawOptions): void;
  /** Holds back every following WebSocket upgrade response by `delayMs` (0 = off). */
  slowHandshake(delayMs: number): void;
  /** The next `count` tickles fail with `status` (default 401). */
  failNextTickles(count: number, status?: number): void;
  /** New sockets answer `{"message":"waiting for session"}` and wait for `{"session":…}` even when logged in. */
  setRequireSessionMessage(required: boolean): void;
  /** `interval`: deltas every `marketDataIntervalMs`; `flood`: as fast as each socket drains (benchmarks). */
  setMarketDataMode(mode: MarketDataMode): void;
  /**
   * A contract's market from now on, on every socket: `realtime` (6509 `R…`), `delayed` (6509 `D…`), `halted` (last
   * price `H…`, no moves) or `closed` (6509 `Z…`, last price `C<prior close>`, no moves).
   */
  setMarketState(conid: number, state: MarketState): void;
  /** Pushes order updates to `sor` subscribers (default: the next step of the synthetic order). */
  pushOrders(orders?: readonly Record<string, unknown>[]): void;
  /** Pushes trades to `str` subscribers (default: a fill of the synthetic order). */
  pushTrades(trades?: readonly Record<string, unknown>[]): void;
  /** Pushes a notification (`ntf`) or bulletin (`blt`) to every ready socket. */
  pushNotice(topic: 'ntf' | 'blt', args: Record<string, unknown> | readonly Record<string, unknown>[]): void;

  /**
   * Calls a member of the control surface by name with JSON-shaped arguments (an array, or an object by parameter
   * name), validated first: a bad name or argument throws ControlError and changes nothing. Faults are reported as
   * `fault` events. The HTTP control API, fault schedules and replay go through here.
   */
  control(name: string, args?: unknown, source?: ControlSource): unknown;

  /** Stops everything: timers cleared, sockets destroyed, server closed, CA file removed. Idempotent. */
  close(): Promise<void>;
}
