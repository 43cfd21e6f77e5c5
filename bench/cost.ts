/**
 * Cost: what the client holds and burns when nothing much happens.
 *
 * - idle.cpu_ms_per_min: `process.cpuUsage()` of this process (the client's) while authenticated and idle with the
 *   default timers (server heartbeat every 10 s, `tic` every 55 s, REST tickle every 60 s), scaled to one minute;
 *   `idle.baseline_cpu_ms_per_min` is the same process, same length, before the client exists (Node, V8's helper
 *   threads, tsx's loader thread): the client's own share is the difference. `idle.event_loop_busy_ms_per_min` is the
 *   main thread's busy time (event-loop utilisation) over the same sample: the client's callbacks without the
 *   runtime's background threads.
 * - memory.bytes_per_subscription: V8 heap used (after two full GCs) with 1,000 `smd` subscriptions acknowledged and
 *   each iterated by a `for await` loop, minus the same client authenticated with none, divided by 1,000. Quotes
 *   arrive every 250 ms per stream (`interval` mode); the heap is read once every stream has had two, so every
 *   stream holds a real accumulated quote.
 * - memory.growth_bytes_10k_reconnects: heap after N `closeSockets(1000)` → `authenticated` cycles minus heap after
 *   the first 100 (both after GC), with one market-data subscription restored every cycle. The cycles run with the
 *   simulator's greeting delay at 0 and a backoff of 0 (`random: () => 0`: full jitter drawn at its minimum), so that
 *   10,000 cycles fit in the run; everything else is the default. `memory.reconnect_cycles` says how many ran;
 *   `memory.growth_code_bytes_10k_reconnects` is the part of the growth that is compiled code (V8's code spaces:
 *   functions optimised later in the run), not data.
 *
 * Needs `node --expose-gc` (run.ts passes it); without it the heap figures are NaN, and run.ts leaves them out.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { createIbkrWs } from '../src/index.js';
import { sleep, waitUntil, wallNow } from './support/clock.js';
import { BENCH_FIELDS, benchConids, type BenchContext, type BenchResults } from './support/context.js';
import { debug } from './support/debug.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway.js';
import { median, round } from './support/stats.js';

const gc = (globalThis as { gc?: () => void }).gc;

interface CostPlan {
  readonly idleSampleMs: number;
  readonly baselineSampleMs: number;
  /** Wait after start() before the idle sample (first-time paths). */
  readonly afterStartMs: number;
  readonly reconnectCycles: number;
}

function costPlan(quick: boolean): CostPlan {
  return quick
    ? { idleSampleMs: 5_000, baselineSampleMs: 1_000, afterStartMs: 500, reconnectCycles: 300 }
    : { idleSampleMs: 30_000, baselineSampleMs: 10_000, afterStartMs: 1_000, reconnectCycles: 10_000 };
}

/** Idle CPU, in a process of its own (it measures that process's CPU time), which run.ts runs beside nothing busy. */
export async function runIdle(context: BenchContext): Promise<BenchResults> {
  return measureIdle(context, costPlan(context.quick));
}

/** Heap per subscription and heap growth over reconnect cycles. */
export async function runMemory(context: BenchContext): Promise<BenchResults> {
  const plan = costPlan(context.quick);
  if (gc === undefined) context.log('memory: run with node --expose-gc for the heap figures');
  // A quote every 250 ms per stream; no greeting delay, so that thousands of reconnect cycles fit in the run.
  const gateway = await startGatewayProcess({
    port: context.port,
    certificate: context.certificate,
    simulator: { greetingDelayMs: 0, marketDataMode: 'interval', marketDataIntervalMs: 250, marketDataLines: 1_100 },
  });
  try {
    const perSubscription = await measureSubscriptions(context, gateway);
    const reconnects = await measureReconnects(context, gateway, plan);
    return { ...perSubscription, ...reconnects };
  } finally {
    await gateway.stop();
  }
}

/**
 * V8's memory reducer runs a few full collections some 15 s after a process stops allocating — in the main isolate
 * and in tsx's loader thread alike — which would land in whichever sample is running then. The samples start once
 * this process is older than that, right after an explicit collection.
 */
export const SETTLED_PROCESS_AGE_MS = 20_000;

async function measureIdle(context: BenchContext, plan: CostPlan): Promise<BenchResults> {
  const gateway = await startGatewayProcess({ port: context.port, certificate: context.certificate });
  try {
    await sleep(Math.max(0, SETTLED_PROCESS_AGE_MS - process.uptime() * 1000));
    await settle();
    const baseline = await idleSample(plan.baselineSampleMs);
    const client = createIbkrWs({ gateway: gateway.url, tls: { ca: context.certificate.cert } });
    try {
      await client.start();
      // The first moments after authenticating still compile and run first-time paths: not idle cost either.
      await sleep(plan.afterStartMs);
      await settle();
      const framesBefore = client.metrics().framesIn;
      const idle = await idleSample(plan.idleSampleMs);
      const frames = client.metrics().framesIn - framesBefore;
      if (client.state !== 'authenticated') throw new Error(`the idle client left authenticated (${client.state})`);
      context.log(
        `idle: ${round(idle.cpu, 1)} CPU ms/min with the client (${frames} frames in ${plan.idleSampleMs} ms), ${round(baseline.cpu, 1)} without; ` +
          `main thread busy ${round(idle.busy, 1)} ms/min with, ${round(baseline.busy, 1)} without`,
      );
      return {
        'idle.cpu_ms_per_min': round(idle.cpu, 1),
        'idle.baseline_cpu_ms_per_min': round(baseline.cpu, 1),
        'idle.event_loop_busy_ms_per_min': round(idle.busy, 1),
        'idle.baseline_event_loop_busy_ms_per_min': round(baseline.busy, 1),
        'idle.sample_ms': plan.idleSampleMs,
      };
    } finally {
      await client.stop();
    }
  } finally {
    await gateway.stop();
  }
}

/** A full collection now, not in the middle of a sample: the garbage of loading and starting is not idle cost. */
export async function settle(): Promise<void> {
  await sleep(250);
  gc?.();
  gc?.();
  await sleep(250);
}

/**
 * CPU time of the whole process (all its threads: V8's helpers, tsx's loader) and the busy time of the event loop
 * (the main thread running callbacks: the client's own work plus main-thread GC), both scaled to one minute.
 */
export async function idleSample(sampleMs: number): Promise<{ cpu: number; busy: number }> {
  const cpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  const startedAt = wallNow();
  await sleep(sampleMs);
  const used = process.cpuUsage(cpuBefore);
  const loop = performance.eventLoopUtilization(loopBefore);
  const perMinute = 60_000 / (wallNow() - startedAt);
  return { cpu: ((used.user + used.system) / 1000) * perMinute, busy: loop.active * perMinute };
}

/** V8 heap in use after full collections: the median of three readings. */
async function settledHeap(): Promise<number> {
  return (await settledHeapSpaces()).heap;
}

/** The heap in use after full collections, and the part of it that is compiled code (JIT output, not data). */
async function settledHeapSpaces(): Promise<{ heap: number; code: number }> {
  if (gc === undefined) return { heap: Number.NaN, code: Number.NaN };
  const heap: number[] = [];
  const code: number[] = [];
  for (let reading = 0; reading < 3; reading++) {
    gc();
    gc();
    heap.push(process.memoryUsage().heapUsed);
    code.push(
      getHeapSpaceStatistics()
        .filter((space) => space.space_name.startsWith('code'))
        .reduce((sum, space) => sum + space.space_used_size, 0),
    );
    await sleep(20);
  }
  return { heap: median(heap), code: median(code) };
}

async function measureSubscriptions(context: BenchContext, gateway: GatewayProcess): Promise<BenchResults> {
  const count = 1_000;
  const client = createIbkrWs({
    gateway: gateway.url,
    tls: { ca: context.certificate.cert },
    subscriptions: { marketDataLines: 1_100 },
  });
  try {
    await client.start();
    await sleep(200);
    const before = await settledHeap();
    let quotes = 0;
    const handles = benchConids(count).map((conid) => client.marketData(conid, BENCH_FIELDS));
    for (const handle of handles) {
      void (async () => {
        for await (const item of handle) if (item.kind === 'quote') quotes++;
      })();
    }
    await Promise.all(handles.map((handle) => handle.acknowledged));
    // A second tick: every stream has a first (full) quote and a delta behind it.
    await waitUntil(() => quotes >= 2 * count, 'two quotes per stream', 10_000);
    const after = await settledHeap();
    const perSubscription = (after - before) / count;
    context.log(
      `memory: ${round(perSubscription)} bytes per subscription (${round((after - before) / 1024)} KiB for ${count})`,
    );
    for (const handle of handles) handle.close();
    return {
      'memory.bytes_per_subscription': round(perSubscription),
      'memory.subscriptions': count,
    };
  } finally {
    await client.stop();
  }
}

async function measureReconnects(
  context: BenchContext,
  gateway: GatewayProcess,
  plan: CostPlan,
): Promise<BenchResults> {
  const warmupCycles = 100;
  const client = createIbkrWs({ gateway: gateway.url, tls: { ca: context.certificate.cert }, random: () => 0 });
  let authentications = 0;
  client.on('authenticated', () => authentications++);
  try {
    await client.start();
    const quotes = client.marketData(265_598, BENCH_FIELDS);
    void (async () => {
      for await (const item of quotes) void item;
    })();
    await quotes.acknowledged;
    let afterWarmup = { heap: Number.NaN, code: Number.NaN };
    const startedAt = wallNow();
    for (let cycle = 1; cycle <= plan.reconnectCycles; cycle++) {
      const target = authentications + 1;
      await gateway.command('close 1000');
      await waitUntil(() => authentications >= target, `reconnect cycle ${cycle}`, 10_000, 0);
      if (cycle === warmupCycles) afterWarmup = await settledHeapSpaces();
      if (cycle % 1000 === 0) debug(`reconnects: ${cycle}`);
    }
    const elapsed = wallNow() - startedAt;
    const atEnd = await settledHeapSpaces();
    const growth = atEnd.heap - afterWarmup.heap;
    const codeGrowth = atEnd.code - afterWarmup.code;
    context.log(
      `reconnects: ${plan.reconnectCycles} cycles in ${round(elapsed / 1000, 1)} s (${round(elapsed / plan.reconnectCycles, 2)} ms each); ` +
        `heap ${round(growth / 1024, 1)} KiB from cycle ${warmupCycles} to ${plan.reconnectCycles}, of which compiled code ${round(codeGrowth / 1024, 1)} KiB`,
    );
    return {
      'memory.growth_bytes_10k_reconnects': round(growth),
      'memory.growth_code_bytes_10k_reconnects': round(codeGrowth),
      'memory.reconnect_cycles': plan.reconnectCycles,
      'memory.reconnect_cycle_ms': round(elapsed / plan.reconnectCycles, 2),
    };
  } finally {
    await client.stop();
  }
}
