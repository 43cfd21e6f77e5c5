/**
 * The typed vocabulary of the gateway socket: what the server sends (ServerMessage), what the client sends
 * (ClientCommand), and how a frame fails to decode (ProtocolErrorCode). Pure types: the codec, the simulator, the
 * statechart and the client all speak these, so they live in one place.
 *
 * Facts and conflicts behind every shape: ../../docs/PROTOCOL-NOTES.md and the fixture corpus in test/fixtures/protocol.
 */

export type JsonObject = { [key: string]: unknown };

// ---------------------------------------------------------------------------------------------------------------
// Server → client
// ---------------------------------------------------------------------------------------------------------------

/** `{"topic":"system","success":"<username>",…}`: the socket is ready (the gateway's greeting). */
export interface SystemSuccessMessage {
  readonly kind: 'system-success';
  readonly username: string;
  readonly isFT?: boolean;
  readonly isPaper?: boolean;
}

/** `{"topic":"system","hb":<epoch ms>}` every 10 s. */
export interface HeartbeatMessage {
  readonly kind: 'heartbeat';
  readonly hb: number;
}

/** `act`: the account definition, sent on connect and on account changes. */
export interface AccountMessage {
  readonly kind: 'act';
  readonly accounts?: readonly unknown[];
  readonly selectedAccount?: string;
  readonly isFT?: boolean;
  readonly isPaper?: boolean;
  readonly args: JsonObject;
}

/** `sts`: brokerage status. A frame without `authenticated` says nothing about authentication. */
export interface StatusMessage {
  readonly kind: 'sts';
  readonly authenticated?: boolean;
  readonly competing?: boolean;
  readonly connected?: boolean;
  readonly established?: boolean;
  readonly message?: string;
  readonly fail?: string;
  readonly serverName?: string;
  readonly serverVersion?: string;
  readonly username?: string;
}

/** `{"message":"waiting for session"}`: the socket asks for `{"session":…}`. */
export interface WaitingForSessionMessage {
  readonly kind: 'waiting-for-session';
}

/** Reply to `tic`. `id` is the tickle session value: a secret, never log it. */
export interface TicMessage {
  readonly kind: 'tic';
  readonly alive?: boolean;
  readonly id?: string;
  readonly lastAccessed?: number;
}

/** The literal `ech+hb` echo (the only non-JSON server frame). */
export interface EchoMessage {
  readonly kind: 'echo';
}

/** `smd+<conid>`: a market-data delta. `fields` holds every field id key (`31`, `87_raw`) with its wire value. */
export interface MarketDataMessage {
  readonly kind: 'smd';
  readonly topic: string;
  readonly conid: number;
  readonly fields: Readonly<Record<string, string | number>>;
  readonly updated?: number;
}

/** `smh+<conid>`: a historical-data response. */
export interface HistoryMessage {
  readonly kind: 'smh';
  readonly topic: string;
  readonly conid: number;
  /** Always text; a numeric wire id becomes its decimal text. Needed for `umh+<serverId>`. */
  readonly serverId: string;
  readonly symbol?: string;
  readonly bars: readonly unknown[];
  readonly body: JsonObject;
}

/** `{"message":"Unsubscribed <serverId>"}`: confirmation of `umh`. */
export interface HistoryUnsubscribedMessage {
  readonly kind: 'smh-unsubscribed';
  readonly serverId: string;
}

/** `sbd` or `sbd+<acct>+<conid>[+<exch>]`: price ladder rows. */
export interface BookMessage {
  readonly kind: 'sbd';
  readonly topic: string;
  readonly acct?: string;
  readonly conid?: number;
  readonly exchange?: string;
  readonly rows: readonly unknown[];
}

/** `sor`: live order updates (only changed fields plus `orderId`). */
export interface OrdersMessage {
  readonly kind: 'sor';
  readonly orders: readonly unknown[];
}

/** `spl`: P&L rows keyed by `<acct>.Core`, in wire order. */
export interface PnlMessage {
  readonly kind: 'spl';
  readonly rows: Readonly<Record<string, unknown>>;
}

/** `str`: trades (executions). */
export interface TradesMessage {
  readonly kind: 'str';
  readonly trades: readonly unknown[];
}

/** `ssd+<acct>` (account summary) and `sld+<acct>` (ledger). */
export interface AccountSummaryMessage {
  readonly kind: 'ssd';
  readonly topic: string;
  readonly acct: string;
  readonly entries: readonly unknown[];
}
export interface LedgerMessage {
  readonly kind: 'sld';
  readonly topic: string;
  readonly acct: string;
  readonly entries: readonly unknown[];
}

/** `{"result":"unsubscribed from summary|ledger"}`. */
export interface UnsubscribedMessage {
  readonly kind: 'unsubscribed';
  readonly target: string;
}

/** `ntf` notifications and `blt` bulletins; `args` normalised to an array (the docs send an object, live an array). */
export interface NotificationMessage {
  readonly kind: 'ntf';
  readonly items: readonly unknown[];
}
export interface BulletinMessage {
  readonly kind: 'blt';
  readonly items: readonly unknown[];
}

/** Anything with an `error` key, or `topic == "error"`, whatever its topic. */
export interface ErrorMessage {
  readonly kind: 'error';
  readonly error?: string;
  readonly code?: number;
  readonly topic?: string;
}

/** A well-formed object we do not model. Keeps the raw text so nothing is lost. */
export interface UnknownMessage {
  readonly kind: 'unknown';
  readonly topic?: string;
  readonly raw: string;
}

export type ServerMessage =
  | SystemSuccessMessage
  | HeartbeatMessage
  | AccountMessage
  | StatusMessage
  | WaitingForSessionMessage
  | TicMessage
  | EchoMessage
  | MarketDataMessage
  | HistoryMessage
  | HistoryUnsubscribedMessage
  | BookMessage
  | OrdersMessage
  | PnlMessage
  | TradesMessage
  | AccountSummaryMessage
  | LedgerMessage
  | UnsubscribedMessage
  | NotificationMessage
  | BulletinMessage
  | ErrorMessage
  | UnknownMessage;

export type ServerMessageKind = ServerMessage['kind'];

/** Stable codes for frames that cannot be decoded (test/fixtures/protocol/README.md). */
export type ProtocolErrorCode =
  'empty-frame' | 'malformed-json' | 'not-an-object' | 'frame-too-large' | 'invalid-field';

// ---------------------------------------------------------------------------------------------------------------
// Client → server: neutral intents, exactly the `intent` objects of client-commands.jsonl
// ---------------------------------------------------------------------------------------------------------------

export type SubscribableTopic = 'smd' | 'smh' | 'sbd' | 'sor' | 'spl' | 'str' | 'ssd' | 'sld';

export type ClientCommand =
  | { op: 'subscribe'; topic: 'smd'; conid: number; exchange?: string; fields: readonly string[] }
  | { op: 'unsubscribe'; topic: 'smd'; conid: number; exchange?: string }
  | { op: 'subscribe'; topic: 'smh'; conid: number; params: JsonObject }
  | { op: 'unsubscribe'; topic: 'smh'; serverId: string }
  | { op: 'subscribe'; topic: 'sbd'; acct: string; conid: number; exchange?: string }
  | { op: 'unsubscribe'; topic: 'sbd'; acct: string }
  | { op: 'subscribe'; topic: 'sor'; filters?: readonly string[] }
  | { op: 'unsubscribe'; topic: 'sor' }
  | { op: 'subscribe'; topic: 'spl' }
  | { op: 'unsubscribe'; topic: 'spl' }
  | { op: 'subscribe'; topic: 'str'; realtimeUpdatesOnly?: boolean; days?: number }
  | { op: 'unsubscribe'; topic: 'str' }
  | { op: 'subscribe'; topic: 'ssd' | 'sld'; acct: string; keys?: readonly string[]; fields?: readonly string[] }
  | { op: 'unsubscribe'; topic: 'ssd' | 'sld'; acct: string }
  | { op: 'tic' }
  | { op: 'echo' }
  | { op: 'session'; session: string }
  | { op: 'request'; topic: 'shs'; action: string; args: JsonObject }
  | { op: 'input'; topic: 'inp'; action: string; args: JsonObject };

/** Commands that only keep the socket alive: the only ones allowed before the socket is ready. */
export type KeepAliveCommand = Extract<ClientCommand, { op: 'tic' } | { op: 'echo' }>;
