/**
 * `npm run bench:bridge [-- --quick]`: the NATS bridge under load (docs/BENCHMARKS.md, "Bridge").
 *
 * The gateway simulator in a child process streams 100 conids at a fixed pace; one client and the bridge run here;
 * a real nats-server (JetStream, temp store) in between; 10 consumer processes (support/bridge-consumer.ts) follow
 * docs/BRIDGE.md with a plain NATS client. Steps of increasing quote rate measure delivery (seq numbers missed without
 * a gap) and latency from the bridge's receipt of a quote to each consumer; the knee is the highest step with nothing
 * missed and worst-consumer p99 ≤ 50 ms. At 5,000 quotes/s it also measures a late joiner's first value (a direct get
 * on the last-value stream) and the time from a nats-server restart to a fresh quote at every consumer.
 * Writes the `bridge` key of bench/results.json only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createBridge } from '../src/bridge/index.js';
import { createIbkrWs } from '../src/client.js';
import { freePort, startNatsServer } from '../test/support/nats-server.js';
import { generateBenchCertificate } from './support/certificate.js';
import { processCpuMs } from './support/process-cpu.js';
import { startGatewayProcess } from './support/gateway.js';

const QUICK = process.argv.includes('--quick');
const CONSUMERS = 10;
const CONIDS = Array.from({ length: 100 }, (_, index) => 100_001 + index);
/**
 * Interval per conid (ms) → quotes/s over 100 conids. The consumers read kind, key, run and seq from the body (which
 * repeats the headers); the last step repeats 5,000/s with consumers that read them from nats.js's `msg.headers`, to
 * show what header decoding costs ten JavaScript consumers on this machine. It does not count for the knee.
 */
interface Step {
  readonly intervalMs: number;
  readonly mode: 'body' | 'headers';
}
const STEPS: readonly Step[] = [
  ...(QUICK ? [20, 5] : [20, 15, 12, 10, 5, 2]).map((intervalMs) => ({ intervalMs, mode: 'body' as const })),
  { intervalMs: 20, mode: 'headers' },
];
const WARMUP_MS = 5_000;
const WINDOW_MS = QUICK ? 4_000 : 8_000;
/** The window is announced this long before it opens; the report is asked this long after it closes. */
const WINDOW_LEAD_MS = 300;
const SETTLE_MS = 1_000;
const CONSUMER_SCRIPT = fileURLToPath(new URL('./support/bridge-consumer.ts', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));

interface Report {
  readonly id: string;
  readonly received: number;
  readonly missed: number;
  readonly gaps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
  readonly bodyBytes: number;
  readonly reconnectedAt: number;
  readonly firstQuoteAfterReconnectAt: number;
}

interface Consumer {
  send(command: object): void;
  report(): Promise<Report>;
  late(prefix: string, conids: readonly number[]): Promise<{ median: number; max: number; found: number }>;
  child: ChildProcess;
}

async function startConsumer(url: string, id: string): Promise<Consumer> {
  const child = spawn(process.execPath, ['--import', 'tsx', CONSUMER_SCRIPT, url, id], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: Array<(report: Report) => void> = [];
  const lateWaiting: Array<(late: { median: number; max: number; found: number }) => void> = [];
  let loaded!: () => void;
  const ready = new Promise<void>((resolve) => (loaded = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as { type: string } & Report;
    if (message.type === 'loaded') loaded();
    if (message.type === 'report') waiting.shift()?.(message);
    if (message.type === 'late')
      lateWaiting.shift()?.(message as unknown as { median: number; max: number; found: number });
  });
  await ready;
  return {
    child,
    send: (command) => child.stdin!.write(`${JSON.stringify(command)}\n`),
    report() {
      return new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin!.write('{"cmd":"report"}\n');
      });
    },
    late(prefix, conids) {
      return new Promise((resolve) => {
        lateWaiting.push(resolve);
        child.stdin!.write(`${JSON.stringify({ cmd: 'late', prefix, conids })}\n`);
      });
    },
  };
}

/** CPU milliseconds so far of nats-server, the gateway and the consumers (together). */
function cpuOf(pids: { nats: number; gateway: number; consumers: readonly number[] }): {
  nats: number;
  gateway: number;
  consumers: number;
} {
  return {
    nats: processCpuMs(pids.nats),
    gateway: processCpuMs(pids.gateway),
    consumers: pids.consumers.reduce((sum, pid) => sum + processCpuMs(pid), 0),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const nats = await startNatsServer();
  const certificate = await generateBenchCertificate();
  const consumers = await Promise.all(
    Array.from({ length: CONSUMERS }, (_, index) => startConsumer(nats.url, `bench-${index}`)),
  );
  const lateJoiner = await startConsumer(nats.url, 'bench-late');
  const figures: Record<string, number> = {
    consumers: CONSUMERS,
    conids: CONIDS.length,
    window_ms: WINDOW_MS,
    quick: QUICK ? 1 : 0,
    // The machine is shared: how busy it was says how much the figures can be trusted.
    load_average_1m_before: round(loadavg()[0] ?? Number.NaN, 2),
  };
  let knee = 0;

  for (const { intervalMs, mode } of STEPS) {
    const rate = Math.round((CONIDS.length * 1_000) / intervalMs);
    const reference = mode === 'headers';
    const gateway = await startGatewayProcess({
      port: await freePort(),
      certificate,
      simulator: { heartbeatIntervalMs: 1_000, greetingDelayMs: 20, marketDataIntervalMs: intervalMs },
    });
    const client = createIbkrWs({ gateway: gateway.url, tls: { ca: certificate.cert } });
    const prefix = `b${rate}${reference ? 'h' : ''}`;
    const bridge = createBridge({ client, servers: [nats.url], prefix, leaseMs: 10_000 });
    await Promise.all([client.start(), bridge.ready()]);
    for (const consumer of consumers) consumer.send({ cmd: 'phase', prefix, conids: CONIDS, leaseMs: 10_000, mode });
    await sleep(WARMUP_MS - WINDOW_LEAD_MS);
    // The window is told ahead and judged by the bridge's receipt time of each quote, so a consumer that reads its
    // stdin late or a quote still in flight at the end changes nothing; the report waits for the stragglers.
    const from = Date.now() + WINDOW_LEAD_MS;
    for (const consumer of consumers) consumer.send({ cmd: 'window', from, to: from + WINDOW_MS });
    await sleep(from - Date.now());
    const publishedBefore = bridge.stats().published;
    const startedAt = performance.now();
    const cpuBefore = process.cpuUsage();
    // Where the two cores went in the window: every process of the run, read from /proc (Linux).
    const others = {
      nats: nats.pid!,
      gateway: gateway.pid,
      consumers: consumers.map((consumer) => consumer.child.pid!),
    };
    const othersBefore = cpuOf(others);
    // The client and the bridge share this process: how late its event loop ran is what the bridge itself adds.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    await sleep(from + WINDOW_MS - Date.now());
    const seconds = (performance.now() - startedAt) / 1_000;
    const published = bridge.stats().published - publishedBefore;
    loopDelay.disable();
    const cpu = process.cpuUsage(cpuBefore);
    const othersAfter = cpuOf(others);
    await sleep(SETTLE_MS);
    const reports = await Promise.all(consumers.map((consumer) => consumer.report()));
    const missed = reports.reduce((sum, report) => sum + report.missed, 0);
    const worstP99 = Math.max(...reports.map((report) => report.p99));
    const minRatio = Math.min(...reports.map((report) => report.received / Math.max(1, published)));
    const step = `steps.q${rate}${reference ? '_headers' : ''}`;
    figures[`${step}.published_per_s`] = round(published / seconds, 0);
    figures[`${step}.delivered_ratio_min`] = round(minRatio, 3);
    figures[`${step}.missed_total`] = missed;
    figures[`${step}.worst_p50_ms`] = Math.max(...reports.map((report) => report.p50));
    figures[`${step}.worst_p99_ms`] = worstP99;
    figures[`${step}.worst_max_ms`] = Math.max(...reports.map((report) => report.max));
    figures[`${step}.bridge_process_cpu_percent`] = round(((cpu.user + cpu.system) / 1e6 / seconds) * 100, 0);
    const percentOf = (ms: number) => round(ms / 10 / seconds, 0);
    figures[`${step}.nats_server_cpu_percent`] = percentOf(othersAfter.nats - othersBefore.nats);
    figures[`${step}.gateway_cpu_percent`] = percentOf(othersAfter.gateway - othersBefore.gateway);
    figures[`${step}.consumers_cpu_percent_total`] = percentOf(othersAfter.consumers - othersBefore.consumers);
    figures[`${step}.bridge_process_loop_delay_p99_ms`] = round(loopDelay.percentile(99) / 1e6, 1);
    figures[`${step}.bridge_process_loop_delay_max_ms`] = round(loopDelay.max / 1e6, 1);
    figures[`${step}.consumer_loop_delay_p99_ms_worst`] = round(Math.max(...reports.map((r) => r.loopDelayP99)), 1);
    figures[`${step}.consumer_loop_delay_max_ms_worst`] = round(Math.max(...reports.map((r) => r.loopDelayMax)), 1);
    figures[`${step}.quote_body_bytes`] = Math.max(...reports.map((report) => report.bodyBytes));
    process.stderr.write(
      `${rate} quotes/s target (consumers read the ${mode}): published ${round(published / seconds, 0)}/s, missed ${missed}, worst p99 ${worstP99} ms, min delivered ${round(minRatio, 3)}; CPU % bridge process ${figures[`${step}.bridge_process_cpu_percent`]}, nats-server ${figures[`${step}.nats_server_cpu_percent`]}, gateway ${figures[`${step}.gateway_cpu_percent`]}, 10 consumers ${figures[`${step}.consumers_cpu_percent_total`]}; bridge loop delay p99 ${figures[`${step}.bridge_process_loop_delay_p99_ms`]} ms (max ${figures[`${step}.bridge_process_loop_delay_max_ms`]}); consumers' loop delay p99 ≤ ${figures[`${step}.consumer_loop_delay_p99_ms_worst`]} ms (max ${figures[`${step}.consumer_loop_delay_max_ms_worst`]})\n`,
    );
    if (!reference && missed === 0 && worstP99 <= 50 && minRatio >= 0.99)
      knee = Math.max(knee, Math.round(published / seconds));

    if (intervalMs === 20 && !reference) {
      // A late joiner (a process of its own that reads nothing else): one direct get of the last value per conid.
      const late = await lateJoiner.late(prefix, CONIDS.slice(0, 20));
      figures['late_joiner_first_value_ms_median'] = round(late.median, 2);
      figures['late_joiner_first_value_ms_max'] = round(late.max, 2);
      figures['late_joiner_found_quote_of_20'] = late.found;

      // NATS restart: SIGKILL, start again on the same store; time to a fresh quote at every consumer.
      await nats.stop('SIGKILL');
      await sleep(500);
      const restartAt = Date.now();
      await nats.restart();
      const readyAt = Date.now();
      await sleep(3_000);
      const after = await Promise.all(consumers.map((consumer) => consumer.report()));
      const worst = Math.max(...after.map((report) => report.firstQuoteAfterReconnectAt - readyAt));
      figures['nats_restart_to_fresh_quote_ms_max'] = Number.isFinite(worst) ? worst : -1;
      figures['nats_restart_server_start_ms'] = readyAt - restartAt;
      figures['nats_restart_consumers_with_fresh_quote'] = after.filter((report) =>
        Number.isFinite(report.firstQuoteAfterReconnectAt),
      ).length;
      process.stderr.write(
        `late joiner ${figures['late_joiner_first_value_ms_median']} ms median (max ${figures['late_joiner_first_value_ms_max']}); NATS restart → fresh quote at every consumer ${worst} ms\n`,
      );
    }
    await bridge.stop();
    await client.stop();
    await gateway.stop();
  }
  figures['knee_quotes_per_s'] = knee;
  figures['load_average_1m_after'] = round(loadavg()[0] ?? Number.NaN, 2);
  for (const consumer of [...consumers, lateJoiner]) consumer.send({ cmd: 'exit' });
  await nats.close();

  const results = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as Record<string, unknown>;
  const nested: Record<string, unknown> = {};
  for (const key of Object.keys(figures).sort()) {
    const parts = key.split('.');
    let node = nested;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = figures[key];
  }
  results['bridge'] = nested;
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`${JSON.stringify(nested, null, 2)}\n`);
  process.exit(0);
}

await main();
