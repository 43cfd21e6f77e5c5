/**
 * Lingering detection: the gateway goes silent with its TCP connection open (simulator.linger(), carried out in the
 * gateway child). How long until the client suspects the socket, gives it up, and is ready (or has data) again?
 *
 * - detect: from the linger to the client entering `lingering-detected` (its silence threshold ran out; it probes);
 * - condemn: from the linger to the client leaving `lingering-detected` for `reconnect` (the probe went unanswered);
 * - recover: from the linger to the first quote on the fresh socket (`tight`), or to `authenticated` on the fresh
 *   socket (`default` and `fixed`: no market data, heartbeats only) — the reconnect backoff included, as a user waits it;
 *   `recover_excluding_backoff_ms` takes the drawn backoff out;
 * - bound: the threshold the rule had when the socket fell silent, plus the probe timeout.
 *
 * The child lingers right after it has written a server heartbeat (`linger-after-heartbeat`), so the silence starts
 * at the client's last frame. Cases: `tight` (every run; heartbeat timeout 1 s, probe 300 ms, server heartbeat every
 * 250 ms, market data flowing); in the full run `default` (the production defaults against the gateway's 10 s beat,
 * learnt from at least 5 heartbeats of each socket before it lingers) and, side by side in the same run, `fixed` (the
 * rule of earlier versions: a fixed 25 s heartbeat timeout + 5 s probe) as the baseline.
 */
import { createIbkrWs, type IbkrWsOptions, type StateChange } from '../src/index.js';
import { silenceTimeoutMs } from '../machines/index.js';
import { waitUntil, wallNow } from './support/clock.js';
import { BENCH_FIELDS, type BenchContext, type BenchResults } from './support/context.js';
import { debug } from './support/debug.js';
import { startGatewayProcess } from './support/gateway.js';
import { median, round } from './support/stats.js';

interface TimingCase {
  readonly name: 'tight' | 'default' | 'fixed';
  readonly samples: number;
  readonly client: Pick<IbkrWsOptions, 'timing' | 'learnCadence'>;
  readonly heartbeatTimeoutMs: number;
  readonly probeTimeoutMs: number;
  /** The simulator's heartbeat interval. */
  readonly serverHeartbeatMs: number;
  /** Subscribe to a quote stream (recovery = first quote), or heartbeats only (recovery = authenticated). */
  readonly marketData: boolean;
  /** Heartbeats each socket must have received before it lingers (so the cadence is learnt). */
  readonly beatsFirst: number;
}

const TIGHT: Omit<TimingCase, 'samples'> = {
  name: 'tight',
  client: { timing: { heartbeatTimeoutMs: 1_000, probeTimeoutMs: 300 } },
  heartbeatTimeoutMs: 1_000,
  probeTimeoutMs: 300,
  serverHeartbeatMs: 250,
  marketData: true,
  beatsFirst: 0,
};

const DEFAULT: Omit<TimingCase, 'samples'> = {
  name: 'default',
  client: {},
  heartbeatTimeoutMs: 40_000,
  probeTimeoutMs: 3_000,
  serverHeartbeatMs: 10_000,
  marketData: false,
  beatsFirst: 5,
};

const FIXED: Omit<TimingCase, 'samples'> = {
  name: 'fixed',
  client: { learnCadence: false, timing: { heartbeatTimeoutMs: 25_000, probeTimeoutMs: 5_000 } },
  heartbeatTimeoutMs: 25_000,
  probeTimeoutMs: 5_000,
  serverHeartbeatMs: 10_000,
  marketData: false,
  beatsFirst: 5,
};

const CONID = 265_598;

/**
 * `tight` (every run: 2 samples quick, 5 full) or `default` (the full run: `default` 5 samples and `fixed` 3 samples
 * side by side, ~6 min, nearly all of it waiting — run.ts runs it beside other benchmarks).
 */
export async function runLingering(
  context: BenchContext,
  timings: 'tight' | 'default' = 'tight',
): Promise<BenchResults> {
  const cases: TimingCase[] =
    timings === 'default'
      ? [
          { ...DEFAULT, samples: 5 },
          { ...FIXED, samples: 3 },
        ]
      : [{ ...TIGHT, samples: context.quick ? 2 : 5 }];
  const results: BenchResults = {};
  const figures = await Promise.all(
    cases.map((timingCase, index) => measureCase(context, timingCase, index === 0 ? context.port : 0)),
  );
  cases.forEach((timingCase, index) => {
    const figure = figures[index]!;
    const prefix = timingCase.name === 'tight' ? 'lingering' : `lingering.${timingCase.name}`;
    results[`${prefix}.detect_ms`] = round(median(figure.detect), 1);
    results[`${prefix}.detect_worst_ms`] = round(Math.max(...figure.detect), 1);
    results[`${prefix}.condemn_ms`] = round(median(figure.condemn), 1);
    results[`${prefix}.condemn_worst_ms`] = round(Math.max(...figure.condemn), 1);
    results[`${prefix}.bound_ms`] = round(median(figure.bound), 1);
    results[`${prefix}.condemn_minus_bound_ms`] = round(
      median(figure.condemn.map((ms, sample) => ms - figure.bound[sample]!)),
      1,
    );
    results[`${prefix}.recover_ms`] = round(median(figure.recover), 1);
    results[`${prefix}.recover_excluding_backoff_ms`] = round(
      median(figure.recover.map((ms, sample) => ms - (figure.backoff[sample] ?? 0))),
      1,
    );
    results[`${prefix}.backoff_ms`] = round(median(figure.backoff), 1);
    results[`${prefix}.heartbeat_timeout_ms`] = timingCase.heartbeatTimeoutMs;
    results[`${prefix}.probe_timeout_ms`] = timingCase.probeTimeoutMs;
    results[`${prefix}.false_alarms`] = figure.falseAlarms;
    results[`${prefix}.samples`] = timingCase.samples;
  });
  if (timings === 'default') {
    results['lingering.default.condemn_ratio_to_fixed'] = round(
      results['lingering.default.condemn_ms']! / results['lingering.fixed.condemn_ms']!,
      3,
    );
  }
  return results;
}

async function measureCase(context: BenchContext, timingCase: TimingCase, port: number) {
  const gateway = await startGatewayProcess({
    port,
    certificate: context.certificate,
    simulator: {
      heartbeatIntervalMs: timingCase.serverHeartbeatMs,
      marketDataMode: 'interval',
      marketDataIntervalMs: 10,
    },
  });
  const beats = new Map<number, number>();
  const client = createIbkrWs({
    gateway: gateway.url,
    tls: { ca: context.certificate.cert },
    ...timingCase.client,
    diagnostics: {
      frame: (record) => {
        if (record.direction === 'in' && record.kind === 'heartbeat')
          beats.set(record.socketId, (beats.get(record.socketId) ?? 0) + 1);
      },
    },
  });
  const states: Array<StateChange & { seenAt: number }> = [];
  client.on('state', (change) => states.push({ ...change, seenAt: wallNow() }));
  const backoffs: Array<{ delayMs: number; at: number }> = [];
  client.on('reconnect', (event) => backoffs.push({ delayMs: event.delayMs, at: wallNow() }));
  let lastQuoteAt = 0;
  const detect: number[] = [];
  const condemn: number[] = [];
  const recover: number[] = [];
  const backoff: number[] = [];
  const bound: number[] = [];
  const label = `lingering ${timingCase.name}`;
  try {
    await client.start();
    if (timingCase.marketData) {
      const quotes = client.marketData(CONID, BENCH_FIELDS);
      void (async () => {
        for await (const item of quotes) if (item.kind === 'quote') lastQuoteAt = wallNow();
      })();
      await quotes.acknowledged;
    }
    const limit = (timingCase.heartbeatTimeoutMs + timingCase.probeTimeoutMs) * 3 + 10_000;
    for (let sample = 0; sample < timingCase.samples; sample++) {
      const authenticatedAt = states.findLast((change) => change.state === 'authenticated')?.seenAt ?? 0;
      await waitUntil(
        () =>
          client.state === 'authenticated' &&
          (!timingCase.marketData || lastQuoteAt > authenticatedAt) &&
          (beats.get(client.actor.getSnapshot().context.socketId) ?? 0) >= timingCase.beatsFirst,
        'a socket ready to linger',
        timingCase.serverHeartbeatMs * (timingCase.beatsFirst + 2) + 30_000,
      );
      const ack = await gateway.command('linger-after-heartbeat');
      const lingerAt = ack.at;
      const { cadence, timing, learnCadence } = client.actor.getSnapshot().context;
      bound.push(silenceTimeoutMs(cadence, timing.heartbeatTimeoutMs, learnCadence) + timing.probeTimeoutMs);
      debug(`${label}: lingering`);
      const after = (predicate: (change: StateChange) => boolean, from: number) =>
        states.find((change) => change.seenAt > from && predicate(change));
      await waitUntil(
        () =>
          after((change) => change.previous === 'lingering-detected' && change.state === 'reconnect', lingerAt) !==
          undefined,
        'the condemnation',
        limit,
        1,
      );
      const detectedAt = after((change) => change.state === 'lingering-detected', lingerAt)!.seenAt;
      const condemnedAt = after(
        (change) => change.previous === 'lingering-detected' && change.state === 'reconnect',
        lingerAt,
      )!.seenAt;
      await waitUntil(
        () => {
          const ready = after((change) => change.state === 'authenticated', condemnedAt);
          return ready !== undefined && (!timingCase.marketData || lastQuoteAt > ready.seenAt);
        },
        'a fresh socket',
        limit,
        1,
      );
      const readyAt = timingCase.marketData
        ? lastQuoteAt
        : after((change) => change.state === 'authenticated', condemnedAt)!.seenAt;
      // The reconnect event of this condemnation: the one nearest to it (it is emitted in the same transition).
      const delayMs = backoffs.reduce(
        (nearest, entry) => (Math.abs(entry.at - condemnedAt) < Math.abs(nearest.at - condemnedAt) ? entry : nearest),
        {
          delayMs: Number.NaN,
          at: Number.POSITIVE_INFINITY,
        },
      ).delayMs;
      detect.push(detectedAt - lingerAt);
      condemn.push(condemnedAt - lingerAt);
      recover.push(readyAt - lingerAt);
      backoff.push(delayMs);
      context.log(
        `${label}: detected after ${round(detectedAt - lingerAt, 1)} ms, condemned after ${round(condemnedAt - lingerAt, 1)} ms ` +
          `(bound ${bound.at(-1)} ms), ${timingCase.marketData ? 'data' : 'ready'} again after ${round(readyAt - lingerAt, 1)} ms (backoff ${delayMs} ms)`,
      );
    }
    return { detect, condemn, recover, backoff, bound, falseAlarms: client.metrics().lingeringFalseAlarms };
  } finally {
    await client.stop();
    await gateway.stop();
  }
}
