/**
 * `createBridge`: one ibkr-ws client shared by any number of NATS consumers. Consumers declare their whole desired
 * set on `ctl.subscribe` (leased, renewed); the bridge keeps the union open upstream through the client's public
 * API, publishes every item and gap with the contract's headers (docs/BRIDGE.md), and turns every outage — IBKR's
 * or NATS's — into an in-band gap followed by fresh data.
 */
import { randomUUID } from 'node:crypto';
import type { IbkrWs } from '../client.js';
import { IbkrWsError } from '../errors.js';
import { TypedEvents } from '../events.js';
import type { Gap } from '../subscriptions/index.js';
import {
  EVENT_TOPICS,
  KIND_OF_TOPIC,
  WIRE_VERSION,
  bridgeNames,
  subjectOfSubscription,
  type BridgeNames,
  type BridgeSubscription,
} from './contract.js';
import { readEntry } from './control-request.js';
import { Control } from './control.js';
import { BRIDGE_DEFAULTS } from './defaults.js';
import { EntryState } from './entry-state.js';
import { InterestRegistry } from './interest.js';
import { Lifecycle } from './lifecycle.js';
import { NatsLink } from './nats-link.js';
import { splitNatsCredentials } from './nats-credentials.js';
import { Publisher, type PublisherCounters } from './publisher.js';
import { Upstream, type UpstreamClient } from './upstream.js';
import { bodyOf } from './bodies.js';

export type BridgeClient = UpstreamClient & Pick<IbkrWs, 'on' | 'state'>;

export interface BridgeOptions {
  readonly client: BridgeClient;
  /** NATS server URLs (a cluster: several). */
  readonly servers: readonly string[];
  readonly prefix?: string;
  /** The default lease and the longest a consumer may ask for. */
  readonly leaseMs?: number;
  /** Held for the bridge's lifetime (the CLI's `--subscribe`), whether or not a consumer asks. */
  readonly subscribe?: readonly BridgeSubscription[];
  readonly replicas?: number;
  readonly outboxSize?: number;
}

export interface BridgeEvents extends Record<string, unknown> {
  nats: { readonly state: 'up' | 'down'; readonly reason: string; readonly at: number };
  consumer: {
    readonly consumer: string;
    readonly action: 'subscribe' | 'renew' | 'release' | 'expired' | 'restored';
    readonly keys: readonly string[];
    readonly at: number;
  };
  upstream: { readonly key: string; readonly action: 'open' | 'close'; readonly at: number };
  error: { readonly code: string; readonly message: string };
}

export interface BridgeStats extends PublisherCounters {
  readonly consumers: number;
  readonly upstream: readonly string[];
  readonly outbox: number;
  readonly natsUp: boolean;
  /** The server_name of the NATS node the bridge is connected to (clusters: which one). */
  readonly natsServer: string | undefined;
}

export interface Bridge {
  /** This process's run id (`Ibkr-Bridge`). */
  readonly run: string;
  readonly names: BridgeNames;
  on: TypedEvents<BridgeEvents>['on'];
  stats(): BridgeStats;
  /** Resolves once NATS is connected and every stream and bucket asserted (never rejects; waits while NATS is down). */
  ready(): Promise<void>;
  /** Closes every publisher handle and the NATS connection. Registered interest stays in KV for the next run. */
  stop(): Promise<void>;
}

const PINNED_CONSUMER = '_bridge';

export function createBridge(options: BridgeOptions): Bridge {
  const names = bridgeNames(options.prefix ?? BRIDGE_DEFAULTS.prefix);
  const maxLeaseMs = options.leaseMs ?? BRIDGE_DEFAULTS.leaseMs;
  if (!Number.isSafeInteger(maxLeaseMs) || maxLeaseMs < BRIDGE_DEFAULTS.minLeaseMs) {
    throw new IbkrWsError(
      'invalid-option',
      `leaseMs must be an integer ≥ ${BRIDGE_DEFAULTS.minLeaseMs}, got ${String(maxLeaseMs)}`,
    );
  }
  if (options.servers.length === 0) throw new IbkrWsError('invalid-option', 'at least one NATS server URL is needed');
  // nats.js ignores `user:password@` in a URL: taken out here and passed as its options.
  const servers = splitNatsCredentials(options.servers);
  const replicas = options.replicas ?? BRIDGE_DEFAULTS.replicas;
  const run = randomUUID().slice(0, 8);
  const events = new TypedEvents<BridgeEvents>(() => undefined);
  const client = options.client;
  const interest = new InterestRegistry();
  const subjects = new Map<string, string>();
  const topics = new Map<string, string>();
  let restoring = false;
  let stopped = false;
  let markReady!: () => void;
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve));

  const link = new NatsLink(
    { servers, names, replicas, maxLeaseMs, name: `ibkr-ws bridge ${names.prefix} ${run}` },
    {
      up: (first) => void onUp(first),
      down: (reason) => events.emit('nats', { state: 'down', reason, at: Date.now() }),
      error: (message) => events.emit('error', { code: 'network', message }),
    },
  );
  const publisher = new Publisher(link, run, options.outboxSize ?? BRIDGE_DEFAULTS.outboxSize, (key, lost) =>
    lifecycle.event('gap', { key, reason: 'outbox-overflow', missed: lost, at: Date.now() }),
  );
  const lifecycle = new Lifecycle(link, names, run);

  function publishGap(key: string, reason: string): void {
    const subject = subjects.get(key);
    const topic = topics.get(key);
    if (subject === undefined || topic === undefined) return;
    const body = publisher.gapBody(key, reason);
    if (EVENT_TOPICS.has(topic)) publisher.event(key, subject, 'gap', body);
    else publisher.value(key, subject, 'gap', body);
  }

  const entryState = new EntryState();
  const upstream = new Upstream(client, {
    data(key, item) {
      const subject = subjects.get(key);
      const topic = topics.get(key);
      if (subject === undefined || topic === undefined) return;
      const merged =
        (topic === 'sld' || topic === 'ssd') && Array.isArray((item as { entries?: unknown }).entries)
          ? { ...(item as object), entries: entryState.merge(key, (item as { entries: unknown[] }).entries) }
          : item;
      const body = bodyOf(key, topic, merged);
      const kind = KIND_OF_TOPIC[topic as keyof typeof KIND_OF_TOPIC];
      if (EVENT_TOPICS.has(topic)) publisher.event(key, subject, kind, body);
      else publisher.value(key, subject, kind, body);
    },
    gap(key, gap: Gap) {
      entryState.reset(key);
      publishGap(key, gap.reason);
    },
    opened(key, sub) {
      subjects.set(key, subjectOfSubscription(names, sub));
      topics.set(key, sub.topic);
      // The first message of a key in a run says where it starts: consumers see a run change or a fresh stream.
      publishGap(key, restoring ? 'bridge-restart' : 'subscribed');
      events.emit('upstream', { key, action: 'open', at: Date.now() });
    },
    closed(key) {
      entryState.reset(key);
      publishGap(key, 'unsubscribed');
      publisher.forget(key);
      events.emit('upstream', { key, action: 'close', at: Date.now() });
    },
  });

  const control = new Control({
    names,
    run,
    maxLeaseMs,
    interest,
    upstream,
    link,
    consumer: (consumer, action, keys) => events.emit('consumer', { consumer, action, keys, at: Date.now() }),
    error: (code, message) => events.emit('error', { code, message }),
    restoring: (on) => (restoring = on),
  });

  let controlSubscribed = false;
  async function onUp(first: boolean): Promise<void> {
    if (stopped) return;
    interest.refreshAll(Date.now());
    events.emit('nats', { state: 'up', reason: first ? 'connected' : 'reconnected', at: Date.now() });
    lifecycle.put('bridge', { v: WIRE_VERSION, run, startedAt, prefix: names.prefix, natsUpAt: Date.now() });
    lifecycle.connection(connectionValue());
    void lifecycle.flush();
    // Keys opened while NATS was down (or before it was ever up) first: a gap, then their latest value.
    publisher.republish(first ? 'nats-connect' : 'nats-reconnect');
    if (first)
      await control
        .restore()
        .catch((error: Error) =>
          events.emit('error', { code: 'network', message: `restoring interest: ${error.message}` }),
        );
    const resources = link.resources;
    if (resources === undefined) return;
    if (!controlSubscribed) {
      // Core subscriptions are re-sent by nats.js on every reconnect: subscribe once.
      controlSubscribed = true;
      resources.nc.subscribe(names.ctlSubscribe, {
        callback: (error, msg) => void (error === null && control.onSubscribe(msg)),
      });
      resources.nc.subscribe(names.ctlRelease, {
        callback: (error, msg) => void (error === null && control.onRelease(msg)),
      });
    }
    for (const registration of interest.registrations()) control.persist(registration.consumer);
    markReady();
  }

  let lastState = { state: client.state as string, reason: null as string | null, at: Date.now() };
  const connectionValue = () => lastState;
  const startedAt = Date.now();
  const offs = [
    client.on('state', (change) => {
      lastState = { state: change.state, reason: change.reason ?? null, at: change.at };
      lifecycle.connection(lastState);
      lifecycle.event('state', {
        state: change.state,
        previous: change.previous,
        reason: change.reason ?? null,
        at: change.at,
      });
    }),
    client.on('reconnect', (event) => lifecycle.event('reconnect', { ...event })),
    client.on('gap', (gap) => lifecycle.event('gap', { ...gap })),
    client.on('error', (error) =>
      lifecycle.event('error', { code: error.code, message: error.message, at: Date.now() }),
    ),
  ];

  const sweep = setInterval(() => control.sweep(Date.now()), BRIDGE_DEFAULTS.sweepIntervalMs);

  const pinned = (options.subscribe ?? []).map((sub) => readEntry(sub));
  if (pinned.length > 0) {
    const failed = control
      .register(PINNED_CONSUMER, pinned, maxLeaseMs, true)
      .find((result) => result.error !== undefined);
    if (failed?.error) {
      clearInterval(sweep);
      for (const off of offs) off();
      upstream.closeAll();
      throw new IbkrWsError(
        failed.error.code === 'subscription-limit' ? 'subscription-limit' : 'invalid-option',
        `--subscribe: ${failed.error.message}`,
      );
    }
  }
  link.start();

  return {
    run,
    names,
    on: events.on.bind(events),
    stats: () => ({
      ...publisher.counters,
      consumers: [...interest.registrations()].filter((registration) => !registration.pinned).length,
      upstream: [...upstream.keys()],
      outbox: publisher.outboxSize,
      natsUp: link.up,
      natsServer: link.resources?.nc.info?.server_name,
    }),
    ready: () => readyPromise,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(sweep);
      for (const off of offs) off();
      publisher.stop();
      await link.resources?.nc.flush().catch(() => undefined);
      upstream.closeAll();
      await link.stop();
    },
  };
}
