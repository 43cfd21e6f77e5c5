/**
 * Child-process script (run with `node --expose-gc --import tsx`): N reconnect cycles against the simulator in this one
 * process. A cycle: the gateway closes every socket with 1000 (its upstream went away), and the client is back
 * authenticated with its market-data subscription active again. Measures the heap (after forced GC) and the active
 * resources by type, after the first `baseline` cycles and after the last, then stops everything and does nothing
 * more: the parent requires this process to exit by itself (a leaked timer, socket or agent would keep it alive).
 *
 * Usage: node --expose-gc --import tsx test/soak/support/reconnect-soak.ts <cycles> [baseline]
 * Prints JSON lines: {"type":"progress",…} every 10 % and one {"type":"result",…}.
 */
import { createIbkrWs } from '../../../src/client.js';
import { startGatewaySimulator } from '../../../src/simulator/index.js';

const cycles = Number(process.argv[2] ?? 300);
const baselineAfter = Number(process.argv[3] ?? 100);
if (!Number.isSafeInteger(cycles) || cycles <= baselineAfter)
  throw new Error(`cycles (${cycles}) must be an integer above the baseline (${baselineAfter})`);
const gc = (globalThis as { gc?: () => void }).gc;
if (typeof gc !== 'function') throw new Error('run with node --expose-gc');

const print = (value: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

/**
 * The live heap: full GCs with turns of the event loop in between (finalizers and weak callbacks need one), keeping the
 * smallest reading. The simulator keeps streaming while we measure, so any single reading carries some garbage of the
 * moment; the minimum over several is the stable figure.
 */
async function settledHeap(): Promise<number> {
  let smallest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 8; round++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
    smallest = Math.min(smallest, process.memoryUsage().heapUsed);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return smallest;
}

function resourcesByType(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

const simulator = await startGatewaySimulator({
  port: 0,
  heartbeatIntervalMs: 200,
  greetingDelayMs: 1,
  marketDataIntervalMs: 10,
});
const client = createIbkrWs({
  gateway: simulator.url,
  tls: { ca: simulator.ca },
  // Tiny backoff: a cycle costs what a reconnect costs, not what waiting costs. Timers far beyond a cycle stay idle.
  timing: {
    heartbeatTimeoutMs: 5_000,
    probeTimeoutMs: 1_000,
    openTimeoutMs: 5_000,
    readyTimeoutMs: 5_000,
    ticIntervalMs: 1_000,
    tickleIntervalMs: 1_000,
    backoffInitialMs: 1,
    backoffMaxMs: 5,
  },
  random: () => 1,
});

let authenticatedWaiter: (() => void) | undefined;
client.on('authenticated', () => {
  const waiter = authenticatedWaiter;
  authenticatedWaiter = undefined;
  waiter?.();
});
let quotes = 0;

await client.start();
const handle = client.marketData(265598, ['31', '84', '86']);
handle.on('data', () => quotes++);
await handle.acknowledged;

/** One cycle; resolves once authenticated again with the subscription active. */
async function cycle(index: number): Promise<number> {
  const startedAt = performance.now();
  const back = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`cycle ${index}: not authenticated again within 10 s (state ${client.state})`)),
      10_000,
    );
    authenticatedWaiter = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  simulator.closeSockets(1000);
  await back;
  while (handle.status !== 'active') await new Promise((resolve) => setTimeout(resolve, 1));
  return performance.now() - startedAt;
}

const durations: number[] = [];
const heapSeries: Array<{ cycles: number; heapMB: number }> = [];
let baselineHeap = 0;
let baselineResources: Record<string, number> = {};
const started = performance.now();
for (let index = 1; index <= cycles; index++) {
  durations.push(await cycle(index));
  if (index === baselineAfter) {
    baselineHeap = await settledHeap();
    baselineResources = resourcesByType();
  }
  if (index % Math.max(1, Math.floor(cycles / 10)) === 0) {
    // The heap after GC at every tenth of the run: a leak grows with the cycles, JIT and caches level off.
    const heapUsed = await settledHeap();
    heapSeries.push({ cycles: index, heapMB: Math.round((heapUsed / 1048576) * 1000) / 1000 });
    print({ type: 'progress', cycles: index, heapUsed, elapsedMs: Math.round(performance.now() - started) });
  }
}
const finalHeap = await settledHeap();
const finalResources = resourcesByType();
const metrics = client.metrics();
const quotesAtEnd = quotes;

await client.stop();
await simulator.close();
// Let close callbacks run; then nothing of ours may remain (stdio pipes are the parent's, not ours).
await new Promise((resolve) => setTimeout(resolve, 50));
const afterStop = resourcesByType();

const sorted = [...durations].sort((a, b) => a - b);
print({
  type: 'result',
  cycles,
  baselineAfter,
  elapsedMs: Math.round(performance.now() - started),
  cycleMs: {
    median: round(sorted[Math.floor(sorted.length / 2)]),
    p99: round(sorted[Math.floor(sorted.length * 0.99)]),
    max: round(sorted.at(-1)),
  },
  heap: { baseline: baselineHeap, final: finalHeap, growth: finalHeap - baselineHeap, series: heapSeries },
  resources: { baseline: baselineResources, final: finalResources, afterStop },
  reconnects: metrics.reconnects,
  authentications: metrics.authentications,
  quotes: quotesAtEnd,
});

function round(value: number | undefined): number {
  return Math.round((value ?? 0) * 10) / 10;
}
