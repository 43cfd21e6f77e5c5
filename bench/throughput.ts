/**
 * Throughput: `smd` messages per second delivered to a consumer through the whole client — decode, route to the
 * subscription, accumulate the quote, iterate with `for await` — versus the limit: a bare `ws` client that only
 * `JSON.parse`s the same frames from the same simulator, in the same run.
 *
 * The simulator runs in its own process in `flood` mode (every stream sends its next delta as soon as the socket has
 * drained), so the rate is set by the slower of the two ends. Windows alternate client / raw (the order flips every
 * pair so that drift favours neither); each window has its own connection, opened before and closed after it, so no
 * frame of one contender is still arriving while the other is measured. Each figure is the median of its windows.
 * For every window the CPU of both processes is recorded: a gateway at ~100 % of a core means the simulator, not the
 * reader, sets the rate (then both sides measure the simulator).
 *
 * The client uses the default market-data buffer (drop-oldest, 16 quotes): `delivered` counts the quotes the
 * consumer's loop received, `dropped` the quotes the policy discarded (each superseded by a newer quote of the same
 * instrument), `arrived` every smd message the client decoded, routed and accumulated.
 */
import type WebSocket from 'ws';
import { createIbkrWs, type IbkrWsOptions, type MarketDataOptions } from '../src/index.js';
import { openBareSocket, subscribeFrame, tickle } from './support/bare-socket.js';
import { sleep, waitUntil, wallNow } from './support/clock.js';
import { BENCH_FIELDS, benchConids, type BenchContext, type BenchResults } from './support/context.js';
import { debug } from './support/debug.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway.js';
import { median, round } from './support/stats.js';

export interface WindowSample {
  /** Messages per second the consumer received (client) or parsed (raw). */
  readonly delivered: number;
  /** Client only: smd messages decoded and routed per second. */
  readonly arrived: number;
  /** Client only: quotes dropped per second by the buffer policy. */
  readonly dropped: number;
  /** CPU of this process and of the gateway child, in % of one core. */
  readonly benchCpu: number;
  readonly gatewayCpu: number;
}

export interface ThroughputPlan {
  readonly subscriptionCounts: readonly number[];
  /** The count whose figures are the headline keys (`throughput.client_msgs_per_s`, …). */
  readonly headline: number;
  /** Client/raw window pairs for the headline count… */
  readonly pairs: number;
  /** …and for the other counts. */
  readonly otherPairs: number;
  readonly windowMs: number;
  readonly warmupMs: number;
}

export function throughputPlan(quick: boolean): ThroughputPlan {
  return quick
    ? { subscriptionCounts: [1, 100, 1000], headline: 100, pairs: 3, otherPairs: 1, windowMs: 400, warmupMs: 100 }
    : { subscriptionCounts: [1, 100, 1000], headline: 100, pairs: 8, otherPairs: 4, windowMs: 1_000, warmupMs: 250 };
}

interface Contender {
  readonly name: 'client' | 'raw';
  window(count: number): Promise<WindowSample>;
}

export async function runThroughput(
  context: BenchContext,
  options: { bufferOptions?: MarketDataOptions } = {},
): Promise<BenchResults> {
  const plan = throughputPlan(context.quick);
  const gateway = await startGatewayProcess({
    port: context.port,
    certificate: context.certificate,
    simulator: { marketDataMode: 'flood', marketDataLines: 1_100 },
  });
  const ca = context.certificate.cert;
  const contenders: Record<'client' | 'raw', Contender> = {
    client: { name: 'client', window: (count) => clientWindow(gateway, ca, count, plan, options.bufferOptions) },
    raw: { name: 'raw', window: (count) => rawWindow(gateway, ca, count, plan) },
  };
  const results: BenchResults = {};
  try {
    // One unmeasured pair first: the client is far more JavaScript than the bare reader, and its first windows would
    // otherwise measure V8 compiling it (quick mode's 400 ms windows above all).
    for (const name of ['client', 'raw'] as const) await contenders[name].window(plan.headline);
    for (const count of plan.subscriptionCounts) {
      const startedAt = wallNow();
      const samples: Record<'client' | 'raw', WindowSample[]> = { client: [], raw: [] };
      const pairs = count === plan.headline ? plan.pairs : plan.otherPairs;
      for (let pair = 0; pair < pairs; pair++) {
        const order = pair % 2 === 0 ? (['client', 'raw'] as const) : (['raw', 'client'] as const);
        for (const name of order) samples[name].push(await contenders[name].window(count));
      }
      const figures = summarize(samples.client, samples.raw);
      context.log(
        `throughput ${count} subs: client ${figures.client} msg/s (arrived ${figures.arrived}, dropped ${figures.dropped}/s), raw ${figures.raw} msg/s, ` +
          `ratio ${figures.ratio} (pairs ${figures.ratioMin}–${figures.ratioMax}); CPU client ${figures.clientCpu}% + gateway ${figures.gatewayCpuClient}%, raw ${figures.rawCpu}% + gateway ${figures.gatewayCpuRaw}%, ` +
          `reader CPU per message client ${figures.clientCpuPerMessage} µs / raw ${figures.rawCpuPerMessage} µs = ${figures.cpuCostRatio} ` +
          `(${Math.round(wallNow() - startedAt)} ms)`,
      );
      const prefix = `throughput.subs_${count}`;
      results[`${prefix}.client_msgs_per_s`] = figures.client;
      results[`${prefix}.raw_ws_msgs_per_s`] = figures.raw;
      results[`${prefix}.ratio`] = figures.ratio;
      results[`${prefix}.ratio_min`] = figures.ratioMin;
      results[`${prefix}.ratio_max`] = figures.ratioMax;
      results[`${prefix}.client_arrived_msgs_per_s`] = figures.arrived;
      results[`${prefix}.client_dropped_per_s`] = figures.dropped;
      results[`${prefix}.arrived_ratio`] = figures.arrivedRatio;
      results[`${prefix}.client_cpu_percent`] = figures.clientCpu;
      results[`${prefix}.raw_cpu_percent`] = figures.rawCpu;
      results[`${prefix}.gateway_cpu_percent_client`] = figures.gatewayCpuClient;
      results[`${prefix}.gateway_cpu_percent_raw`] = figures.gatewayCpuRaw;
      results[`${prefix}.client_cpu_us_per_msg`] = figures.clientCpuPerMessage;
      results[`${prefix}.raw_cpu_us_per_msg`] = figures.rawCpuPerMessage;
      results[`${prefix}.cpu_cost_ratio`] = figures.cpuCostRatio;
      results[`${prefix}.windows`] = samples.client.length + samples.raw.length;
      if (count === plan.headline) {
        results['throughput.client_msgs_per_s'] = figures.client;
        results['throughput.raw_ws_msgs_per_s'] = figures.raw;
        results['throughput.ratio'] = figures.ratio;
        results['throughput.client_cpu_us_per_msg'] = figures.clientCpuPerMessage;
        results['throughput.raw_cpu_us_per_msg'] = figures.rawCpuPerMessage;
        results['throughput.cpu_cost_ratio'] = figures.cpuCostRatio;
        results['throughput.client_dropped_per_s'] = figures.dropped;
        results['throughput.subscriptions'] = count;
      }
    }
  } finally {
    await gateway.stop();
  }
  return results;
}

function summarize(clientSamples: readonly WindowSample[], rawSamples: readonly WindowSample[]) {
  const client = median(clientSamples.map((sample) => sample.delivered));
  const arrived = median(clientSamples.map((sample) => sample.arrived));
  const raw = median(rawSamples.map((sample) => sample.delivered));
  const pairRatios = clientSamples.map(
    (sample, pair) => sample.delivered / (rawSamples[pair] as WindowSample).delivered,
  );
  const arrivedRatios = clientSamples.map(
    (sample, pair) => sample.arrived / (rawSamples[pair] as WindowSample).delivered,
  );
  // What one message costs the reading process, whichever side set the rate: CPU µs per message it read.
  const clientCpuPerMessage = median(
    clientSamples.map((sample) => cpuMicrosPerMessage(sample.benchCpu, sample.arrived)),
  );
  const rawCpuPerMessage = median(rawSamples.map((sample) => cpuMicrosPerMessage(sample.benchCpu, sample.arrived)));
  return {
    client: round(client),
    arrived: round(arrived),
    dropped: round(median(clientSamples.map((sample) => sample.dropped))),
    raw: round(raw),
    ratio: round(median(pairRatios), 3),
    ratioMin: round(Math.min(...pairRatios), 3),
    ratioMax: round(Math.max(...pairRatios), 3),
    arrivedRatio: round(median(arrivedRatios), 3),
    clientCpu: round(median(clientSamples.map((sample) => sample.benchCpu))),
    rawCpu: round(median(rawSamples.map((sample) => sample.benchCpu))),
    gatewayCpuClient: round(median(clientSamples.map((sample) => sample.gatewayCpu))),
    gatewayCpuRaw: round(median(rawSamples.map((sample) => sample.gatewayCpu))),
    clientCpuPerMessage: round(clientCpuPerMessage, 2),
    rawCpuPerMessage: round(rawCpuPerMessage, 2),
    cpuCostRatio: round(
      median(
        clientSamples.map(
          (sample, pair) =>
            cpuMicrosPerMessage(sample.benchCpu, sample.arrived) /
            cpuMicrosPerMessage(
              (rawSamples[pair] as WindowSample).benchCpu,
              (rawSamples[pair] as WindowSample).arrived,
            ),
        ),
      ),
      3,
    ),
  };
}

/** `cpuPercent` of one core while reading `messagesPerSecond`: CPU microseconds per message. */
function cpuMicrosPerMessage(cpuPercent: number, messagesPerSecond: number): number {
  return messagesPerSecond > 0 ? (cpuPercent * 10_000) / messagesPerSecond : Number.NaN;
}

/**
 * One client window: a fresh client, `count` market-data handles each iterated by a `for await` loop. `clientOptions`
 * lets bench/observability.ts compare clients that differ in one option.
 */
export async function clientWindow(
  gateway: GatewayProcess,
  ca: string,
  count: number,
  plan: Pick<ThroughputPlan, 'windowMs' | 'warmupMs'>,
  bufferOptions: MarketDataOptions | undefined,
  clientOptions: Partial<IbkrWsOptions> = {},
): Promise<WindowSample> {
  const client = createIbkrWs({
    gateway: gateway.url,
    tls: { ca },
    subscriptions: { marketDataLines: 1_100 },
    ...clientOptions,
  });
  try {
    await client.start();
    let delivered = 0;
    const handles = benchConids(count).map((conid) => client.marketData(conid, BENCH_FIELDS, bufferOptions));
    for (const handle of handles) {
      void (async () => {
        for await (const item of handle) if (item.kind === 'quote') delivered++;
      })();
    }
    debug(`client ${count}: subscribed`);
    await Promise.all(handles.map((handle) => handle.acknowledged));
    debug(`client ${count}: acknowledged`);
    await sleep(plan.warmupMs);
    const { seconds, start, end, benchCpu, gatewayCpu } = await measuredWindow(gateway, plan.windowMs, () => ({
      metrics: client.metrics(),
      delivered,
    }));
    debug(`client ${count}: measured`);
    return {
      delivered: (end.delivered - start.delivered) / seconds,
      arrived: (end.metrics.dataMessages - start.metrics.dataMessages) / seconds,
      dropped: (end.metrics.dropped - start.metrics.dropped) / seconds,
      benchCpu,
      gatewayCpu,
    };
  } finally {
    // stop() resolves once the TCP connection is gone: nothing of this window arrives during the next one.
    await client.stop();
    debug(`client ${count}: stopped`);
  }
}

/** One raw window: tickle, a bare socket, `JSON.parse` of every frame and a count of the smd ones. Nothing else. */
async function rawWindow(
  gateway: GatewayProcess,
  ca: string,
  count: number,
  plan: ThroughputPlan,
): Promise<WindowSample> {
  const target = { url: gateway.url, wsUrl: gateway.wsUrl, ca };
  let parsed = 0;
  const socket: WebSocket = await openBareSocket(target, await tickle(target), (data) => {
    const message = JSON.parse(data.toString()) as { topic?: unknown };
    if (typeof message.topic === 'string' && message.topic.startsWith('smd+')) parsed++;
  });
  try {
    for (const conid of benchConids(count)) socket.send(subscribeFrame(conid, BENCH_FIELDS));
    debug(`raw ${count}: subscribed`);
    // Every stream's first message has come once `count` messages have (the flood sends one per stream per round).
    await waitUntil(() => parsed >= count, `${count} first raw messages`);
    await sleep(plan.warmupMs);
    const { seconds, start, end, benchCpu, gatewayCpu } = await measuredWindow(gateway, plan.windowMs, () => parsed);
    debug(`raw ${count}: measured`);
    const rate = (end - start) / seconds;
    return { delivered: rate, arrived: rate, dropped: 0, benchCpu, gatewayCpu };
  } finally {
    // Destroyed, not closed: nothing more is read, and the gateway's next write fails, which ends its flood.
    socket.terminate();
  }
}

/** One measured window: the counts (`snapshot`) and the CPU of both processes at its start and end. */
async function measuredWindow<T>(gateway: GatewayProcess, windowMs: number, snapshot: () => T) {
  const gatewayBefore = gateway.cpuMs();
  const start = snapshot();
  const benchBefore = process.cpuUsage();
  const startedAt = wallNow();
  await sleep(windowMs);
  const end = snapshot();
  const seconds = (wallNow() - startedAt) / 1000;
  const bench = process.cpuUsage(benchBefore);
  const gatewayAfter = gateway.cpuMs();
  return {
    seconds,
    start,
    end,
    benchCpu: (bench.user + bench.system) / 1e4 / seconds,
    gatewayCpu: (gatewayAfter - gatewayBefore) / 10 / seconds,
  };
}
