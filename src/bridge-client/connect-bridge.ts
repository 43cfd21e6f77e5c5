/**
 * `connectBridge`: the library's subscription API over NATS, for processes that share a bridge's IBKR session. It
 * loads no client, no WebSocket: a NATS connection (reconnecting forever), the control requests of docs/BRIDGE.md
 * (the whole set, renewed every lease/3), core subscriptions per stream, and a direct get of each last value when a
 * stream opens and after every reconnect of its own.
 */
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import {
  EVENT_TOPICS,
  WIRE_VERSION,
  bridgeNames,
  keyOfSubscription,
  subjectOfSubscription,
  type BridgeSubscription,
  type ConnectionStateValue,
  type ControlReply,
} from '../bridge/contract.js';
import type {
  AccountSummaryMessage,
  BookMessage,
  LedgerMessage,
  OrdersMessage,
  PnlMessage,
  TradesMessage,
} from '../protocol/types.js';
import type { Quote } from '../subscriptions/types.js';
import { StreamState, type BridgeStream } from './bridge-stream.js';
import { splitNatsCredentials } from '../bridge/nats-credentials.js';

export interface ConnectBridgeOptions {
  readonly servers: string | readonly string[];
  /** The bridge's `--prefix` (default `main`). */
  readonly prefix?: string;
  /** A stable id for this consumer process (default: a random one). */
  readonly consumer?: string;
  /** Asked lease; the bridge caps it at its `--lease` (default 30000). */
  readonly leaseMs?: number;
  readonly requestTimeoutMs?: number;
  /** Items buffered per stream for an iterator that lags (then: oldest dropped, a gap marks it). */
  readonly bufferSize?: number;
}

export interface BridgeConnectionEvents {
  /** KV `connection`: the bridge's IBKR session state. */
  state: ConnectionStateValue;
}

export interface BridgeConnection {
  readonly consumer: string;
  /** The IBKR session state as the bridge last put it, once read. */
  readonly state: ConnectionStateValue | undefined;
  marketData(conid: number | `${number}@${string}`, fields: readonly string[]): BridgeStream<Quote>;
  orders(): BridgeStream<OrdersMessage>;
  trades(): BridgeStream<TradesMessage>;
  pnl(): BridgeStream<PnlMessage>;
  accountSummary(acct: string): BridgeStream<AccountSummaryMessage>;
  ledger(acct: string): BridgeStream<LedgerMessage>;
  book(acct: string, conid: number, exchange?: string): BridgeStream<BookMessage>;
  on<E extends keyof BridgeConnectionEvents>(
    event: E,
    listener: (payload: BridgeConnectionEvents[E]) => void,
  ): () => void;
  /** Releases every entry at the bridge and closes the NATS connection. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function connectBridge(options: ConnectBridgeOptions): Promise<BridgeConnection> {
  const names = bridgeNames(options.prefix ?? 'main');
  const consumer = options.consumer ?? `sdk-${randomUUID().slice(0, 12)}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const timeout = options.requestTimeoutMs ?? 2_000;
  const bufferSize = options.bufferSize ?? 1_000;
  // nats.js ignores `user:password@` in a URL: taken out and passed as its options (src/bridge/nats-credentials.ts).
  const { servers, auth } = splitNatsCredentials(
    typeof options.servers === 'string' ? [options.servers] : options.servers,
  );
  const nc: NatsConnection = await connect({
    servers: [...servers],
    ...auth,
    name: `ibkr-ws bridge-client ${consumer}`,
    // nats.js gives up after ~20 s by default: a consumer outlives any NATS outage.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 5_000,
    maxPingOut: 2,
  });

  const streams = new Set<{ state: StreamState<unknown>; sub: BridgeSubscription; unsubscribe: () => void }>();
  const stateListeners = new Set<(value: ConnectionStateValue) => void>();
  let state: ConnectionStateValue | undefined;
  let closed = false;
  let unreachable = false;
  let sendScheduled = false;
  let disconnected = false;
  let outages = 0;
  let answeredAt = Date.now();

  function desired(): BridgeSubscription[] {
    const byKey = new Map<string, BridgeSubscription>();
    for (const { sub } of streams) {
      const key = keyOfSubscription(sub);
      const current = byKey.get(key);
      if (current?.topic === 'smd' && sub.topic === 'smd')
        byKey.set(key, { ...current, fields: [...new Set([...current.fields, ...sub.fields])] });
      else if (current === undefined) byKey.set(key, sub);
    }
    return [...byKey.values()];
  }

  async function sendSet(): Promise<void> {
    if (closed) return;
    const outagesBefore = outages;
    try {
      const subs = desired();
      const reply = await nc.request(
        names.ctlSubscribe,
        encoder.encode(JSON.stringify({ v: WIRE_VERSION, consumer, leaseMs, subs })),
        { timeout },
      );
      const body = JSON.parse(decoder.decode(reply.data)) as ControlReply;
      unreachable = false;
      answeredAt = Date.now();
      const results = new Map((body.results ?? []).map((result) => [result.key, result]));
      for (const { state: stream } of streams) stream.result = results.get(stream.key) ?? stream.result;
    } catch {
      // No responders or a timeout: the bridge is down or cut off. Nothing flows; say so once, keep renewing.
      // A request cut by our own disconnect says nothing new (that disconnect was a gap already), and one missed
      // renewal is not a loss: only renewals failing for half a lease mean the bridge is really gone.
      const ownOutage = disconnected || outages !== outagesBefore;
      if (!unreachable && !closed && !ownOutage && Date.now() - answeredAt > leaseMs / 2) {
        unreachable = true;
        for (const { state: stream } of streams) stream.gap('bridge-unreachable');
      }
    }
  }

  function scheduleSend(): void {
    if (sendScheduled) return;
    sendScheduled = true;
    queueMicrotask(() => {
      sendScheduled = false;
      void sendSet();
    });
  }

  async function readLastValue(stream: StreamState<unknown>, sub: BridgeSubscription): Promise<void> {
    if (EVENT_TOPICS.has(sub.topic)) return;
    try {
      const reply = await nc.request(
        `$JS.API.DIRECT.GET.${names.lvStream}`,
        encoder.encode(JSON.stringify({ last_by_subj: stream.subject })),
        { timeout },
      );
      if ((reply.headers?.code ?? 0) >= 400 || reply.data.length === 0) return;
      stream.receive(reply);
    } catch {
      // No stream yet (bridge never ran) or NATS busy: live data will come.
    }
  }

  function open<T>(sub: BridgeSubscription): BridgeStream<T> {
    if (closed) throw new Error('connectBridge: the connection is closed');
    const key = keyOfSubscription(sub);
    const subject = subjectOfSubscription(names, sub);
    const entry = {
      sub,
      state: new StreamState<unknown>(key, subject, bufferSize, () => {
        entry.unsubscribe();
        streams.delete(entry);
        scheduleSend();
      }),
      unsubscribe: () => undefined as void,
    };
    const subscription = nc.subscribe(subject, {
      callback: (error, msg) => void (error === null && entry.state.receive(msg)),
    });
    entry.unsubscribe = () => subscription.unsubscribe();
    streams.add(entry);
    scheduleSend();
    void readLastValue(entry.state, sub);
    return entry.state as unknown as BridgeStream<T>;
  }

  const renewal = setInterval(() => void sendSet(), Math.max(100, Math.floor(leaseMs / 3)));

  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        disconnected = true;
        outages++;
        for (const { state: stream } of streams) stream.gap('nats-disconnect');
      } else if (status.type === 'reconnect') {
        disconnected = false;
        answeredAt = Date.now();
        await sendSet();
        for (const { state: stream, sub } of streams) void readLastValue(stream, sub);
      }
    }
  })();

  // The IBKR session state: a KV watch (an ordered push consumer, which survives server restarts).
  void (async () => {
    while (!closed) {
      try {
        const kv = await new Kvm(nc).open(names.stateBucket);
        const watch = await kv.watch({ key: 'connection' });
        for await (const entry of watch) {
          if (closed) break;
          if (entry.operation !== 'PUT') continue;
          const value = JSON.parse(decoder.decode(entry.value)) as ConnectionStateValue;
          state = { state: value.state, reason: value.reason ?? null, at: value.at };
          for (const listener of stateListeners) listener(state);
        }
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  })();

  const connection: BridgeConnection = {
    consumer,
    get state() {
      return state;
    },
    marketData(conid, fields) {
      const [id, exchange] = String(conid).split('@');
      return open({
        topic: 'smd',
        conid: Number(id),
        fields: [...fields],
        ...(exchange === undefined ? {} : { exchange }),
      });
    },
    orders: () => open({ topic: 'sor' }),
    trades: () => open({ topic: 'str' }),
    pnl: () => open({ topic: 'spl' }),
    accountSummary: (acct) => open({ topic: 'ssd', acct }),
    ledger: (acct) => open({ topic: 'sld', acct }),
    book: (acct, conid, exchange) =>
      open({ topic: 'sbd', acct, conid, ...(exchange === undefined ? {} : { exchange }) }),
    on(event, listener) {
      if (event !== 'state') return () => undefined;
      stateListeners.add(listener);
      if (state !== undefined) listener(state);
      return () => stateListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(renewal);
      for (const { state: stream } of [...streams]) stream.close();
      try {
        await nc.request(names.ctlRelease, encoder.encode(JSON.stringify({ v: WIRE_VERSION, consumer })), { timeout });
      } catch {
        // The bridge is unreachable: the lease runs out by itself.
      }
      await nc.close().catch(() => undefined);
    },
  };
  return connection;
}
