/**
 * Lingering detection: the gateway goes silent with its TCP connection open (simulator.linger(), carried out in the
 * gateway child). How long until the client gives the socket up, and until data flows again on a fresh one?
 *
 * - detect: from linger() to the client leaving `lingering-detected` for `reconnect` (its probe went unanswered);
 * - recover: from linger() to the first quote on the fresh socket (reconnect backoff included: it is part of what a
 *   user waits; `recover_excluding_backoff_ms` takes the drawn backoff out — consecutive samples fall within the
 *   client's 60 s `stableAfterMs`, so its attempt counter, and with it the backoff cap, grows from one to the next);
 * - bound: the configured heartbeat timeout + probe timeout: the longest the rule allows after the last frame.
 *
 * The child lingers right after it has written a server heartbeat (`linger-after-heartbeat`), so the silence starts
 * at the client's last frame and the figure is comparable with the bound; a linger at a random moment would be
 * detected up to one heartbeat interval sooner. Tight timings (heartbeat timeout 1 s, probe 300 ms, server heartbeat
 * every 250 ms) in every run; the defaults (25 s + 5 s, server heartbeat every 10 s) in the full run.
 */
import { createIbkrWs, type StateChange } from '../src/index.js';
import { waitUntil, wallNow } from './support/clock.js';
import { BENCH_FIELDS, type BenchContext, type BenchResults } from './support/context.js';
import { debug } from './support/debug.js';
import { startGatewayProcess } from './support/gateway.js';
import { median, round } from './support/stats.js';

interface TimingCase {
  readonly name: 'tight' | 'default';
  readonly samples: number;
  /** Client timing overrides (none: the defaults). */
  readonly timing: { heartbeatTimeoutMs?: number; probeTimeoutMs?: number };
  readonly heartbeatTimeoutMs: number;
  readonly probeTimeoutMs: number;
  /** The simulator's heartbeat interval. */
  readonly serverHeartbeatMs: number;
}

const TIGHT: Omit<TimingCase, 'samples'> = {
  name: 'tight',
  timing: { heartbeatTimeoutMs: 1_000, probeTimeoutMs: 300 },
  heartbeatTimeoutMs: 1_000,
  probeTimeoutMs: 300,
  serverHeartbeatMs: 250,
};

const DEFAULT: Omit<TimingCase, 'samples'> = {
  name: 'default',
  timing: {},
  heartbeatTimeoutMs: 25_000,
  probeTimeoutMs: 5_000,
  serverHeartbeatMs: 10_000,
};

const CONID = 265_598;

/**
 * `tight` (every run: 2 samples quick, 5 full) or `default` (the full run: 1 sample, ~45 s, most of it waiting — run.ts
 * runs it beside other benchmarks).
 */
export async function runLingering(context: BenchContext, timings: 'tight' | 'default' = 'tight'): Promise<BenchResults> {
  const cases: TimingCase[] = timings === 'default' ? [{ ...DEFAULT, samples: 1 }] : [{ ...TIGHT, samples: context.quick ? 2 : 5 }];
  const results: BenchResults = {};
  for (const timingCase of cases) {
    const figures = await measureCase(context, timingCase);
    const prefix = timingCase.name === 'tight' ? 'lingering' : 'lingering.default';
    results[`${prefix}.detect_ms`] = round(figures.detect, 1);
    results[`${prefix}.bound_ms`] = figures.bound;
    results[`${prefix}.recover_ms`] = round(figures.recover, 1);
    results[`${prefix}.recover_excluding_backoff_ms`] = round(figures.recoverExcludingBackoff, 1);
    results[`${prefix}.detect_minus_bound_ms`] = round(figures.detect - figures.bound, 1);
    results[`${prefix}.heartbeat_timeout_ms`] = timingCase.heartbeatTimeoutMs;
    results[`${prefix}.probe_timeout_ms`] = timingCase.probeTimeoutMs;
    results[`${prefix}.backoff_ms`] = round(figures.backoff, 1);
    results[`${prefix}.false_alarms`] = figures.falseAlarms;
    results[`${prefix}.samples`] = timingCase.samples;
  }
  return results;
}

async function measureCase(context: BenchContext, timingCase: TimingCase) {
  const gateway = await startGatewayProcess({
    port: context.port,
    certificate: context.certificate,
    simulator: { heartbeatIntervalMs: timingCase.serverHeartbeatMs, marketDataMode: 'interval', marketDataIntervalMs: 10 },
  });
  const client = createIbkrWs({ gateway: gateway.url, tls: { ca: context.certificate.cert }, timing: timingCase.timing });
  const states: Array<StateChange & { seenAt: number }> = [];
  client.on('state', (change) => states.push({ ...change, seenAt: wallNow() }));
  const backoffs: Array<{ delayMs: number; at: number }> = [];
  client.on('reconnect', (event) => backoffs.push({ delayMs: event.delayMs, at: wallNow() }));
  let lastQuoteAt = 0;
  const detect: number[] = [];
  const recover: number[] = [];
  const backoff: number[] = [];
  const bound = timingCase.heartbeatTimeoutMs + timingCase.probeTimeoutMs;
  try {
    await client.start();
    const quotes = client.marketData(CONID, BENCH_FIELDS);
    void (async () => {
      for await (const item of quotes) if (item.kind === 'quote') lastQuoteAt = wallNow();
    })();
    await quotes.acknowledged;
    for (let sample = 0; sample < timingCase.samples; sample++) {
      // Data flows on an authenticated socket before each linger.
      const authenticatedAt = states.findLast((change) => change.state === 'authenticated')?.seenAt ?? 0;
      await waitUntil(() => client.state === 'authenticated' && lastQuoteAt > authenticatedAt, 'data before the linger', 30_000);
      const ack = await gateway.command('linger-after-heartbeat');
      const lingerAt = ack.at;
      debug(`lingering ${timingCase.name}: lingering`);
      const limit = bound * 3 + 10_000;
      await waitUntil(
        () => states.some((change) => change.seenAt > lingerAt && change.previous === 'lingering-detected' && change.state === 'reconnect'),
        'the lingering socket to be detected',
        limit,
        1,
      );
      const detectedAt = states.find((change) => change.seenAt > lingerAt && change.previous === 'lingering-detected' && change.state === 'reconnect')!.seenAt;
      await waitUntil(
        () => {
          const reauthenticated = states.find((change) => change.seenAt > detectedAt && change.state === 'authenticated');
          return reauthenticated !== undefined && lastQuoteAt > reauthenticated.seenAt;
        },
        'data on a fresh socket',
        limit,
        1,
      );
      // The reconnect event of this detection: the one nearest to it (it is emitted in the same transition).
      const delayMs = backoffs.reduce((nearest, entry) => (Math.abs(entry.at - detectedAt) < Math.abs(nearest.at - detectedAt) ? entry : nearest), {
        delayMs: Number.NaN,
        at: Number.POSITIVE_INFINITY,
      }).delayMs;
      detect.push(detectedAt - lingerAt);
      recover.push(lastQuoteAt - lingerAt);
      backoff.push(delayMs);
      context.log(
        `lingering ${timingCase.name}: detected after ${round(detectedAt - lingerAt, 1)} ms (bound ${bound} ms), ` +
          `data again after ${round(lastQuoteAt - lingerAt, 1)} ms (reconnect backoff ${delayMs} ms)`,
      );
    }
    return {
      detect: median(detect),
      recover: median(recover),
      recoverExcludingBackoff: median(recover.map((ms, index) => ms - (backoff[index] ?? 0))),
      backoff: median(backoff),
      bound,
      falseAlarms: client.metrics().lingeringFalseAlarms,
    };
  } finally {
    await client.stop();
    await gateway.stop();
  }
}
