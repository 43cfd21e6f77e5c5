/**
 * Recovery: the gateway process dies and comes back on the same port; how long until data flows again on every one
 * of 100 subscriptions? Three contenders, one gateway restart each, in the same run:
 *
 * - the client (default options; 100 `marketData` handles iterated with `for await`);
 * - the physical minimum: a bare script that starts the moment the restarted gateway listens and does only what any
 *   program must — REST tickle (undici, fresh TLS connection), TLS WebSocket handshake, wait for the greeting (the
 *   gateway drops frames sent before it), 100 subscribe frames, first data on all 100;
 * - partysocket's ReconnectingWebSocket with default options (given a `WebSocket` class that wraps `ws` with the
 *   pinned `ca` and the session cookie) re-sending its 100 subscriptions on every `open` (the obvious recipe: it has no other hook for a new socket).
 *
 * The clock starts when the restarted gateway is reachable (its child stamps the moment it listens) — or, when a
 * contender is still waiting out its reconnect backoff then, when it starts its next attempt: the client's next entry
 * into `checking-session`, partysocket's next socket. Configured backoff is excluded; everything after it counts.
 * The clock stops at the first data message on the last of the 100 subscriptions.
 *
 * The simulator paces market data at 10 ms (`interval` mode), so a stream's first message comes within 10 ms of its
 * subscription: the figure measures the way back to a flowing socket, not the real gateway's 500 ms snapshot pacing.
 */
import ReconnectingWebSocket from 'partysocket/ws';
import WebSocket from 'ws';
import { createIbkrWs, type StateChange } from '../src/index.js';
import { closeBareSocket, openBareSocket, subscribeFrame, tickle } from './support/bare-socket.js';
import { sleep, waitUntil, wallNow } from './support/clock.js';
import { BENCH_FIELDS, benchConids, type BenchContext, type BenchResults } from './support/context.js';
import { debug } from './support/debug.js';
import {
  loadGatewayProcess,
  startGatewayProcess,
  type GatewayOptions,
  type GatewayProcess,
} from './support/gateway.js';
import { median, round } from './support/stats.js';

const SUBSCRIPTIONS = 100;

interface RecoveryPlan {
  /** Unmeasured first rounds: a long-running process recovers with warm code, so the figures do too. */
  readonly warmupRounds: number;
  /** Client and minimum rounds (alternating, one gateway restart each). */
  readonly rounds: number;
  readonly partysocketRounds: number;
  /** How long a contender may take before it is reported as not recovered (its time = this cap). */
  readonly capMs: number;
  /** How long partysocket runs before the restart (to show whether it ever had data). */
  readonly partysocketSettleMs: number;
}

function recoveryPlan(quick: boolean): RecoveryPlan {
  return quick
    ? { warmupRounds: 0, rounds: 2, partysocketRounds: 1, capMs: 1_500, partysocketSettleMs: 500 }
    : { warmupRounds: 1, rounds: 4, partysocketRounds: 1, capMs: 5_000, partysocketSettleMs: 1_000 };
}

/** How many times the gateway is restarted (each restart takes a freshly loaded child). */
export function recoveryRestarts(quick: boolean): number {
  const plan = recoveryPlan(quick);
  return 2 * (plan.warmupRounds + plan.rounds) + plan.partysocketRounds;
}

/**
 * The gateway child, killed and restarted on the same port. The next child is loaded ahead of time (module loading
 * takes a second or more) but never while a recovery is being timed: `prefetch()` is called when a measurement ends.
 */
class GatewayRestarts {
  readonly #options: GatewayOptions;
  #current: GatewayProcess;
  #standby: Promise<GatewayProcess> | undefined;

  constructor(options: GatewayOptions, current: GatewayProcess) {
    this.#options = options;
    this.#current = current;
  }

  get current(): GatewayProcess {
    return this.#current;
  }

  prefetch(): void {
    this.#standby ??= loadGatewayProcess();
  }

  /** Waits until the next child is loaded: call before anything is timed. */
  async standbyLoaded(): Promise<void> {
    this.prefetch();
    await this.#standby;
  }

  /** Kills the running gateway (SIGTERM) and makes the loaded next one listen on the same port. */
  async restart(): Promise<GatewayProcess> {
    this.prefetch();
    const standby = await this.#standby!;
    this.#standby = undefined;
    await this.#current.stop();
    await standby.listen(this.#options);
    this.#current = standby;
    return standby;
  }

  async close(): Promise<void> {
    await this.#current.stop();
    if (this.#standby !== undefined) await (await this.#standby).stop();
  }
}

export async function runRecovery(context: BenchContext): Promise<BenchResults> {
  const plan = recoveryPlan(context.quick);
  const gatewayOptions: GatewayOptions = {
    port: context.port,
    certificate: context.certificate,
    simulator: { marketDataMode: 'interval', marketDataIntervalMs: 10, marketDataLines: 200 },
  };
  const ca = context.certificate.cert;
  const gateways = new GatewayRestarts(gatewayOptions, await startGatewayProcess(gatewayOptions));
  gateways.prefetch();

  const client: number[] = [];
  const clientBackoff: number[] = [];
  const minimum: number[] = [];
  const party: number[] = [];
  let partyDelivered = 1;
  try {
    for (let round = 0; round < plan.warmupRounds + plan.rounds; round++) {
      const measured = round >= plan.warmupRounds;
      const clientFirst = round % 2 === 0;
      for (const contender of clientFirst ? ['client', 'minimum'] : ['minimum', 'client']) {
        if (contender === 'client') {
          const sample = await clientRound(gateways, ca);
          context.log(
            `recovery client: ${round1(sample.ms)} ms (backoff excluded: ${round1(sample.backoffMs)} ms)${measured ? '' : ' [warm-up]'}`,
          );
          if (!measured) continue;
          client.push(sample.ms);
          clientBackoff.push(sample.backoffMs);
        } else {
          const sample = await minimumRound(gateways, ca, plan.capMs);
          context.log(`recovery minimum: ${round1(sample)} ms${measured ? '' : ' [warm-up]'}`);
          if (measured) minimum.push(sample);
        }
      }
    }
    for (let round = 0; round < plan.partysocketRounds; round++) {
      const sample = await partysocketRound(gateways, ca, plan);
      party.push(sample.ms);
      if (!sample.delivered) partyDelivered = 0;
      context.log(
        `recovery partysocket: ${sample.delivered ? `${round1(sample.ms)} ms` : `no data within ${plan.capMs} ms (${sample.dataStreams}/${SUBSCRIPTIONS} streams)`}` +
          `; before the restart it had data on ${sample.initialStreams}/${SUBSCRIPTIONS}`,
      );
    }
  } finally {
    await gateways.close();
  }
  const clientMs = median(client);
  const minimumMs = median(minimum);
  return {
    'recovery.client_ms': round(clientMs, 1),
    'recovery.minimum_ms': round(minimumMs, 1),
    'recovery.partysocket_ms': round(median(party), 1),
    'recovery.ratio_to_minimum': round(clientMs / minimumMs, 2),
    'recovery.partysocket_delivered': partyDelivered,
    'recovery.client_backoff_excluded_ms': round(median(clientBackoff), 1),
    'recovery.subscriptions': SUBSCRIPTIONS,
    'recovery.rounds': client.length,
    'recovery.cap_ms': plan.capMs,
  };
}

function round1(value: number): number {
  return round(value, 1);
}

/**
 * One client round: 100 flowing subscriptions, a gateway restart, and the time from max(gateway listening, the
 * client's last entry into `checking-session` before it authenticated again) to the first quote after the gap on
 * the last of the 100 streams.
 */
async function clientRound(gateways: GatewayRestarts, ca: string) {
  const client = createIbkrWs({ gateway: gateways.current.url, tls: { ca }, subscriptions: { marketDataLines: 200 } });
  const states: Array<{ state: StateChange['state']; at: number }> = [];
  client.on('state', (change) => states.push({ state: change.state, at: wallNow() }));
  let armed = false;
  const firstAfterGap: number[] = [];
  let recovered = 0;
  try {
    await client.start();
    const handles = benchConids(SUBSCRIPTIONS).map((conid) => client.marketData(conid, BENCH_FIELDS));
    const loops = handles.map(async (handle, index) => {
      let sawGap = false;
      for await (const item of handle) {
        if (item.kind === 'gap') {
          if (armed) sawGap = true;
        } else if (sawGap && firstAfterGap[index] === undefined) {
          firstAfterGap[index] = wallNow();
          recovered++;
        }
      }
    });
    await Promise.all(handles.map((handle) => handle.acknowledged));
    await gateways.standbyLoaded();
    armed = true;
    debug('recovery client: flowing, restarting the gateway');
    const restarted = await gateways.restart();
    debug('recovery client: gateway listening');
    await waitUntil(() => recovered === SUBSCRIPTIONS, 'the client to recover every stream', 30_000, 1);
    gateways.prefetch();
    const lastFirstData = Math.max(...firstAfterGap);
    const authenticatedAt = states.findLast((entry) => entry.state === 'authenticated')?.at ?? Number.NaN;
    const attemptAt =
      states.findLast((entry) => entry.state === 'checking-session' && entry.at <= authenticatedAt)?.at ?? Number.NaN;
    const startAt = Math.max(restarted.readyAt, attemptAt);
    for (const handle of handles) handle.close();
    await Promise.all(loops);
    const ms = lastFirstData - startAt;
    return { ms, backoffMs: startAt - restarted.readyAt };
  } finally {
    await client.stop();
  }
}

/** The bare script against a freshly restarted gateway: its clock starts the moment the gateway listens. */
async function minimumRound(gateways: GatewayRestarts, ca: string, capMs: number): Promise<number> {
  await gateways.standbyLoaded();
  const restarted = await gateways.restart();
  const target = { url: restarted.url, wsUrl: restarted.wsUrl, ca };
  const conids = benchConids(SUBSCRIPTIONS);
  const seen = new Set<number>();
  let lastFirstData = Number.NaN;
  const session = await tickle(target);
  const socket = await openBareSocket(target, session, (data) => {
    const message = JSON.parse(data.toString()) as { topic?: unknown; conid?: unknown };
    if (typeof message.topic !== 'string' || !message.topic.startsWith('smd+') || typeof message.conid !== 'number')
      return;
    if (seen.has(message.conid)) return;
    seen.add(message.conid);
    if (seen.size === SUBSCRIPTIONS) lastFirstData = wallNow();
  });
  for (const conid of conids) socket.send(subscribeFrame(conid, BENCH_FIELDS));
  try {
    await waitUntil(() => seen.size === SUBSCRIPTIONS, 'the minimum script to see every stream', capMs * 10, 1);
    gateways.prefetch();
  } finally {
    await closeBareSocket(socket);
  }
  return lastFirstData - restarted.readyAt;
}

/**
 * partysocket with default options and the obvious recipe: re-send every subscription on `open`. The gateway drops
 * frames sent before its greeting, and `open` comes before the greeting, so it may never see data: then its time is
 * the cap and `delivered` is false.
 */
async function partysocketRound(gateways: GatewayRestarts, ca: string, plan: RecoveryPlan) {
  const gateway = gateways.current;
  const session = await tickle({ url: gateway.url, wsUrl: gateway.wsUrl, ca });
  const socketsCreatedAt: number[] = [];
  /** What a partysocket user on Node must write: ws, with the gateway's certificate pinned and the session cookie. */
  class PinnedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { ca, headers: { Cookie: `api=${session}`, 'User-Agent': 'ClientPortalGW/1' } });
      socketsCreatedAt.push(wallNow());
    }
  }
  const conids = benchConids(SUBSCRIPTIONS);
  let armed = false;
  const before = new Set<number>();
  const after = new Set<number>();
  let lastFirstData = Number.NaN;
  const socket = new ReconnectingWebSocket(gateway.wsUrl, undefined, { WebSocket: PinnedWebSocket });
  socket.addEventListener('open', () => {
    for (const conid of conids) socket.send(subscribeFrame(conid, BENCH_FIELDS));
  });
  socket.addEventListener('message', (event: MessageEvent) => {
    void messageText(event.data).then((text) => {
      const message = JSON.parse(text) as { topic?: unknown; conid?: unknown };
      if (typeof message.topic !== 'string' || !message.topic.startsWith('smd+') || typeof message.conid !== 'number')
        return;
      const streams = armed ? after : before;
      if (streams.has(message.conid)) return;
      streams.add(message.conid);
      if (armed && streams.size === SUBSCRIPTIONS) lastFirstData = wallNow();
    });
  });
  try {
    await waitUntil(() => socket.readyState === ReconnectingWebSocket.OPEN, 'partysocket to open', 10_000);
    await sleep(plan.partysocketSettleMs);
    const initialStreams = before.size;
    await gateways.standbyLoaded();
    armed = true;
    const restarted = await gateways.restart();
    // Its next socket after the gateway came back (its own backoff is excluded, as the client's is).
    await waitUntil(() => socketsCreatedAt.some((at) => at >= restarted.readyAt), 'partysocket to try again', 30_000);
    const attemptAt = socketsCreatedAt.find((at) => at >= restarted.readyAt) ?? restarted.readyAt;
    const startAt = Math.max(restarted.readyAt, attemptAt);
    const delivered = await waitUntil(
      () => after.size === SUBSCRIPTIONS,
      'partysocket data',
      Math.max(0, startAt + plan.capMs - wallNow()),
      5,
    ).then(
      () => true,
      () => false,
    );
    gateways.prefetch();
    return { ms: delivered ? lastFirstData - startAt : plan.capMs, delivered, dataStreams: after.size, initialStreams };
  } finally {
    socket.close();
  }
}

async function messageText(data: unknown): Promise<string> {
  if (typeof data === 'string') return data;
  if (data instanceof Blob) return data.text();
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return String(data);
}
