/**
 * A consumer that knows nothing but docs/BRIDGE.md and a plain NATS client: core subscribe, headers,
 * request/reply on `ctl.subscribe`, and a direct get as a raw request to `$JS.API.DIRECT.GET.<stream>`. No code from
 * src/ is used, so the bridge's tests judge the wire contract as a Python or Go consumer would.
 */
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';

export interface Received {
  readonly subject: string;
  readonly kind: string;
  readonly key: string;
  readonly bridge: string;
  readonly seq: number;
  readonly body: Record<string, unknown>;
  readonly at: number;
}

export interface PlainConsumer {
  readonly nc: NatsConnection;
  readonly received: Received[];
  /** ctl.subscribe with the whole desired set; returns the parsed reply. */
  subscribe(subs: readonly unknown[], leaseMs?: number): Promise<Record<string, any>>;
  /** Also listens on these subjects (core subscriptions). */
  listen(subject: string): void;
  release(): Promise<Record<string, any>>;
  /** `$JS.API.DIRECT.GET.<stream>` `{"last_by_subj": subject}`: the stored last message, or undefined. */
  lastValue(stream: string, subject: string): Promise<Received | undefined>;
  /** Every stored message of `subject` in `stream`, oldest first (direct gets `next_by_subj` from seq 1). */
  readStream(stream: string, subject: string): Promise<Received[]>;
  /** Renews every leaseMs/3 with the last set, as docs/BRIDGE.md asks. */
  renewEvery(ms: number): void;
  /** Errors found while checking Ibkr-Seq: an unmarked jump is a loss the bridge did not announce. */
  unmarkedJumps(key: string): string[];
  close(): Promise<void>;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function parse(msg: Msg): Received {
  const h = msg.headers;
  return {
    subject: msg.subject,
    kind: h?.get('Ibkr-Kind') ?? '',
    key: h?.get('Ibkr-Key') ?? '',
    bridge: h?.get('Ibkr-Bridge') ?? '',
    seq: Number(h?.get('Ibkr-Seq') ?? NaN),
    body: JSON.parse(decoder.decode(msg.data)) as Record<string, unknown>,
    at: Date.now(),
  };
}

export async function plainConsumer(
  servers: string | string[],
  prefix: string,
  consumer: string,
  auth?: { readonly user: string; readonly pass: string },
): Promise<PlainConsumer> {
  const nc = await connect({
    servers,
    ...auth,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    pingInterval: 2_000,
    name: consumer,
  });
  const received: Received[] = [];
  // The consumer's own disconnect is a gap too (it may miss the bridge's in-band one): recorded as a local marker.
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect')
        received.push({ subject: '', kind: 'disconnect', key: '*', bridge: '', seq: NaN, body: {}, at: Date.now() });
    }
  })();
  const listening = new Set<string>();
  let lastSet: readonly unknown[] = [];
  let lastLease: number | undefined;
  let renewal: NodeJS.Timeout | undefined;

  async function request(subject: string, body: unknown): Promise<Record<string, any>> {
    const reply = await nc.request(subject, encoder.encode(JSON.stringify(body)), { timeout: 3_000 });
    return JSON.parse(decoder.decode(reply.data)) as Record<string, any>;
  }

  const self: PlainConsumer = {
    nc,
    received,
    listen(subject) {
      if (listening.has(subject)) return;
      listening.add(subject);
      nc.subscribe(subject, { callback: (error, msg) => void (error === null && received.push(parse(msg))) });
    },
    async subscribe(subs, leaseMs) {
      lastSet = subs;
      lastLease = leaseMs;
      return request(`ibkr.${prefix}.ctl.subscribe`, {
        v: 1,
        consumer,
        ...(leaseMs === undefined ? {} : { leaseMs }),
        subs,
      });
    },
    release() {
      if (renewal) clearInterval(renewal);
      return request(`ibkr.${prefix}.ctl.release`, { v: 1, consumer });
    },
    async lastValue(stream, subject) {
      const reply = await nc.request(
        `$JS.API.DIRECT.GET.${stream}`,
        encoder.encode(JSON.stringify({ last_by_subj: subject })),
        { timeout: 3_000 },
      );
      const status = reply.headers?.code ?? 0;
      if (status === 404 || reply.data.length === 0) return undefined;
      return parse(reply);
    },
    async readStream(stream, subject) {
      const stored: Received[] = [];
      for (let seq = 1; ;) {
        const reply = await nc.request(
          `$JS.API.DIRECT.GET.${stream}`,
          encoder.encode(JSON.stringify({ seq, next_by_subj: subject })),
          { timeout: 3_000 },
        );
        if ((reply.headers?.code ?? 0) >= 400 || reply.data.length === 0) return stored;
        stored.push(parse(reply));
        seq = Number(reply.headers?.get('Nats-Sequence')) + 1;
      }
    },
    renewEvery(ms) {
      if (renewal) clearInterval(renewal);
      renewal = setInterval(() => void self.subscribe(lastSet, lastLease).catch(() => undefined), ms);
    },
    unmarkedJumps(key) {
      const problems: string[] = [];
      let previous: Received | undefined;
      for (const item of received.filter((r) => r.key === key || r.kind === 'disconnect')) {
        if (item.kind === 'disconnect') {
          previous = undefined;
          continue;
        }
        if (
          previous !== undefined &&
          previous.bridge === item.bridge &&
          item.seq !== previous.seq + 1 &&
          item.kind !== 'gap'
        ) {
          problems.push(`${key}: seq ${previous.seq} → ${item.seq} in run ${item.bridge} without a gap`);
        }
        previous = item;
      }
      return problems;
    },
    async close() {
      if (renewal) clearInterval(renewal);
      await nc.close().catch(() => undefined);
    },
  };
  return self;
}
