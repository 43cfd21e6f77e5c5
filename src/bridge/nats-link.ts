/**
 * The bridge's one NATS connection: reconnecting forever, and re-asserting its streams and buckets after every
 * (re)connect before it says it is up. nats.js gives up after ~20 s by default (10 attempts × 2 s) and, while
 * disconnected, silently discards core publishes: so the link reports `down` at once, and the bridge treats the outage
 * as a gap instead of believing its publishes went out.
 */
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { BridgeNames } from './contract.js';
import { BRIDGE_DEFAULTS } from './defaults.js';
import { withoutCredentials, type NatsServers } from './nats-credentials.js';

export interface NatsLinkOptions {
  /** The server URLs and the credentials taken out of them (src/bridge/nats-credentials.ts). */
  readonly servers: NatsServers;
  readonly names: BridgeNames;
  /** JetStream replicas of the streams and buckets (3 on a 3-node cluster). */
  readonly replicas: number;
  /** The longest lease: the interest bucket keeps a registration this long after its last renewal. */
  readonly maxLeaseMs: number;
  readonly name: string;
}

export interface NatsLinkEvents {
  /** Connected and every stream and bucket asserted. `first` on the first connect of this process. */
  up(first: boolean): void;
  down(reason: string): void;
  error(message: string): void;
}

export interface LinkResources {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly state: KV;
  readonly interest: KV;
}

export class NatsLink {
  readonly #options: NatsLinkOptions;
  readonly #events: NatsLinkEvents;
  #resources: LinkResources | undefined;
  #up = false;
  #stopped = false;
  #nc: NatsConnection | undefined;
  #generation = 0;

  constructor(options: NatsLinkOptions, events: NatsLinkEvents) {
    this.#options = options;
    this.#events = events;
  }

  get up(): boolean {
    return this.#up;
  }

  /** Set only while up. */
  get resources(): LinkResources | undefined {
    return this.#up ? this.#resources : undefined;
  }

  /** Connects in the background (waiting as long as NATS is down); never rejects. */
  start(): void {
    void this.#run();
  }

  async #run(): Promise<void> {
    // Not `waitOnFirstConnect`: it never settles while NATS is down and cannot be cancelled, so a bridge stopped
    // before NATS was ever up would never exit. A refused first connect fails in milliseconds: retry it here.
    let nc: NatsConnection | undefined;
    for (let attempt = 0; nc === undefined; attempt++) {
      if (this.#stopped) return;
      try {
        nc = await connect({
          servers: [...this.#options.servers.servers],
          ...this.#options.servers.auth,
          name: this.#options.name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: BRIDGE_DEFAULTS.natsReconnectWaitMs,
          reconnectJitter: BRIDGE_DEFAULTS.natsReconnectJitterMs,
          pingInterval: BRIDGE_DEFAULTS.natsPingIntervalMs,
          maxPingOut: 2,
        });
      } catch (error) {
        if (attempt % 20 === 0)
          this.#events.error(`nats: cannot connect yet (retrying): ${withoutCredentials((error as Error).message)}`);
        await new Promise((resolve) => setTimeout(resolve, BRIDGE_DEFAULTS.natsReconnectWaitMs));
      }
    }
    if (this.#stopped) {
      await nc.close().catch(() => undefined);
      return;
    }
    this.#nc = nc;
    void this.#watch(nc);
    await this.#assert(nc, true);
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (this.#stopped) return;
      if (status.type === 'disconnect') this.#goDown('nats-disconnect');
      else if (status.type === 'reconnect') void this.#assert(nc, false);
    }
  }

  #goDown(reason: string): void {
    this.#generation++;
    if (!this.#up) return;
    this.#up = false;
    this.#events.down(reason);
  }

  /** Streams and buckets exist with our config; retried while connected (a cluster may still be electing leaders). */
  async #assert(nc: NatsConnection, first: boolean): Promise<void> {
    const generation = ++this.#generation;
    for (let attempt = 0; !this.#stopped && generation === this.#generation && !nc.isClosed(); attempt++) {
      try {
        const resources = await this.#ensure(nc);
        if (generation !== this.#generation || this.#stopped) return;
        this.#resources = resources;
        this.#up = true;
        this.#events.up(first);
        return;
      } catch (error) {
        if (attempt % 10 === 0)
          this.#events.error(`nats: cannot assert streams yet: ${withoutCredentials((error as Error).message)}`);
        await new Promise((resolve) => setTimeout(resolve, BRIDGE_DEFAULTS.assertRetryMs));
      }
    }
  }

  async #ensure(nc: NatsConnection): Promise<LinkResources> {
    const { names, replicas, maxLeaseMs } = this.#options;
    const jsm = await jetstreamManager(nc, { timeout: BRIDGE_DEFAULTS.assertTimeoutMs });
    await upsertStream(jsm, {
      name: names.lvStream,
      subjects: [...names.lvSubjects],
      max_msgs_per_subject: 1,
      storage: StorageType.File,
      allow_direct: true,
      max_age: nanos(BRIDGE_DEFAULTS.lastValueMaxAgeMs),
      num_replicas: replicas,
    });
    await upsertStream(jsm, {
      name: names.evStream,
      subjects: [...names.evSubjects],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      allow_direct: true,
      max_age: nanos(BRIDGE_DEFAULTS.eventsMaxAgeMs),
      duplicate_window: nanos(BRIDGE_DEFAULTS.duplicateWindowMs),
      num_replicas: replicas,
    });
    const js = jetstream(nc, { timeout: BRIDGE_DEFAULTS.natsApiTimeoutMs });
    const kvm = new Kvm(jetstream(nc, { timeout: BRIDGE_DEFAULTS.assertTimeoutMs }));
    const state = await kvm.create(names.stateBucket, { history: 1, replicas, storage: StorageType.File });
    // 2.9 ignores per-key TTLs; a bucket max age does work: a dead consumer's registration ages out by itself.
    const interest = await kvm.create(names.interestBucket, {
      history: 1,
      replicas,
      storage: StorageType.File,
      ttl: 2 * maxLeaseMs,
    });
    return { nc, js, jsm, state, interest };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#up = false;
    const nc = this.#nc;
    if (nc === undefined || nc.isClosed()) return;
    await nc.flush().catch(() => undefined);
    await nc.close().catch(() => undefined);
  }
}

async function upsertStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch {
    await jsm.streams.add(config);
    return;
  }
  await jsm.streams.update(config.name, config);
}
