/**
 * Back at once after a login: a person logs out and logs in again 2 s later, or a competing session (TWS, the phone)
 * takes the brokerage session and ends 3 s later. How long from the login to data again on the client's stream?
 *
 * The clock starts when the gateway child carries the login out (its own stamp) and stops at the first quote after it.
 * A login lands anywhere in the client's poll period: sample i of n comes (i + ½)/n of a period later than the
 * scenario's 2 s or 3 s, so the samples cover the period evenly (a fixed moment would measure one phase only).
 * Two clients, one after the other, against the same gateway: the defaults (a login poll once a second for the first
 * two minutes after the loss) and the baseline of earlier versions (a fixed 5 s poll: `loginPollFastMs` equal to `loginPollIntervalMs`). Every
 * login poll's tickle start is recorded (diagnostics tap): the smallest gap between two shows the 1 request/s limit is
 * kept.
 */
import { createIbkrWs, type IbkrWsOptions } from '../src/index.js';
import { DEFAULT_TIMING } from '../machines/index.js';
import { sleep, waitUntil, wallNow } from './support/clock.js';
import { BENCH_FIELDS, type BenchContext, type BenchResults } from './support/context.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway.js';
import { median, round } from './support/stats.js';

const CONID = 265_598;

interface Scenario {
  readonly name: 'logout' | 'competing';
  readonly fault: 'logout' | 'compete';
  readonly loginAfterMs: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'logout', fault: 'logout', loginAfterMs: 2_000 },
  { name: 'competing', fault: 'compete', loginAfterMs: 3_000 },
];

export async function runLoginRecovery(context: BenchContext): Promise<BenchResults> {
  const samples = context.quick ? 2 : 5;
  const gateway = await startGatewayProcess({
    port: context.port,
    certificate: context.certificate,
    simulator: { marketDataMode: 'interval', marketDataIntervalMs: 10 },
  });
  try {
    const fast = await measureClient(context, gateway, 'default', {}, samples, DEFAULT_TIMING.loginPollFastMs);
    const fixed = await measureClient(
      context,
      gateway,
      'fixed poll',
      { timing: { loginPollFastMs: DEFAULT_TIMING.loginPollIntervalMs } },
      samples,
      DEFAULT_TIMING.loginPollIntervalMs,
    );
    const all = (figures: typeof fast) => [...figures.logout, ...figures.competing];
    return {
      'recovery.after_login_ms': round(median(all(fast)), 1),
      'recovery.after_login_worst_ms': round(Math.max(...all(fast)), 1),
      'recovery.after_login.logout_ms': round(median(fast.logout), 1),
      'recovery.after_login.competing_ms': round(median(fast.competing), 1),
      'recovery.after_login.min_tickle_gap_ms': round(fast.minTickleGapMs, 1),
      'recovery.after_login.samples': all(fast).length,
      'recovery.after_login_fixed_poll_ms': round(median(all(fixed)), 1),
      'recovery.after_login_fixed_poll_worst_ms': round(Math.max(...all(fixed)), 1),
      'recovery.after_login.fixed_poll_min_tickle_gap_ms': round(fixed.minTickleGapMs, 1),
    };
  } finally {
    await gateway.stop();
  }
}

async function measureClient(
  context: BenchContext,
  gateway: GatewayProcess,
  label: string,
  options: Pick<IbkrWsOptions, 'timing'>,
  samples: number,
  pollPeriodMs: number,
) {
  const tickles: number[] = [];
  const client = createIbkrWs({
    gateway: gateway.url,
    tls: { ca: context.certificate.cert },
    ...options,
    // The login polls' tickles (the client is in login-required while one is in flight).
    diagnostics: {
      restCall: (record) =>
        void (record.path.endsWith('/tickle') && client.state === 'login-required' && tickles.push(record.startedAt)),
    },
  });
  let lastQuoteAt = 0;
  const figures = { logout: [] as number[], competing: [] as number[], minTickleGapMs: Number.POSITIVE_INFINITY };
  try {
    await client.start();
    const quotes = client.marketData(CONID, BENCH_FIELDS);
    void (async () => {
      for await (const item of quotes) if (item.kind === 'quote') lastQuoteAt = wallNow();
    })();
    await quotes.acknowledged;
    for (let sample = 0; sample < samples; sample++) {
      for (const scenario of SCENARIOS) {
        const before = wallNow();
        await waitUntil(
          () => client.state === 'authenticated' && lastQuoteAt > before,
          'data before the fault',
          30_000,
        );
        await gateway.command(scenario.fault);
        await waitUntil(() => client.state === 'login-required', 'login-required', 10_000, 1);
        const phase = ((sample + 0.5) / samples) * pollPeriodMs;
        await sleep(Math.max(0, scenario.loginAfterMs + phase - (wallNow() - before)));
        const { at: loginAt } = await gateway.command('login');
        await waitUntil(() => lastQuoteAt > loginAt, 'data after the login', 30_000, 1);
        figures[scenario.name].push(lastQuoteAt - loginAt);
        context.log(
          `login recovery ${label}, ${scenario.name}: data again ${round(lastQuoteAt - loginAt, 1)} ms after the login`,
        );
      }
    }
    const sorted = [...tickles].sort((a, b) => a - b);
    for (let index = 1; index < sorted.length; index++)
      figures.minTickleGapMs = Math.min(figures.minTickleGapMs, sorted[index]! - sorted[index - 1]!);
    return figures;
  } finally {
    await client.stop();
  }
}
