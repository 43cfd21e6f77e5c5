/**
 * Soak: reconnect cycles against the simulator in one process (a child run with --expose-gc), proving nothing leaks:
 * the heap after the run is within 2 MB of the heap after the first 100 cycles (both after GC), no type of active
 * resource (sockets, timers, …) grows, stopping leaves no timer or handle behind, and the process exits by itself.
 *
 * Quick form (CI, every `npm test`): 300 cycles. Full form: SOAK_FULL=1 (10,000 cycles, ~10 min on 2 cores), or any
 * count with SOAK_CYCLES=N. Figures go to test-artifacts/soak-figures.json.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FiguresFile } from '../chaos/support/figures.js';
import { OutputCollector, exitWithin, spawnTypeScript } from '../chaos/support/processes.js';

const SCRIPT = fileURLToPath(new URL('./support/reconnect-soak.ts', import.meta.url));
const CYCLES = Number(process.env['SOAK_CYCLES'] ?? (process.env['SOAK_FULL'] ? 10_000 : 300));
const BASELINE_AFTER = 100;
const HEAP_TOLERANCE_BYTES = 2 * 1024 * 1024;
/** Generous: a cycle takes ~20–60 ms on 2 loaded cores; the quick form must still end well under a minute. */
const RUN_BUDGET_MS = Math.max(60_000, CYCLES * 150);
/**
 * How far a type may differ between the two samples without growing with the cycles (docs/RELIABILITY.md, "Soak
 * slack"): timers and fs callbacks come and go with the event loop's own work; sockets by the REST pool's second
 * keep-alive connection (`connections: 2`, src/adapters/http-transport.ts), open or not when sampled, one socket on
 * each side in this process. A leak per cycle would add 200.
 */
const SLACK: Readonly<Record<string, number>> = { Timeout: 2, Immediate: 2, FSReqCallback: 2, TCPSocketWrap: 2 };

interface SoakResult {
  cycles: number;
  elapsedMs: number;
  cycleMs: { median: number; p99: number; max: number };
  heap: { baseline: number; final: number; growth: number; series: Array<{ cycles: number; heapMB: number }> };
  resources: { baseline: Record<string, number>; final: Record<string, number>; afterStop: Record<string, number> };
  reconnects: number;
  authentications: number;
  quotes: number;
}

describe(`${CYCLES} reconnect cycles in one process`, () => {
  it(
    'leak nothing: heap within 2 MB of the 100-cycle baseline, no resource growth, nothing left after stop, the process exits by itself',
    async () => {
      const child = spawnTypeScript(SCRIPT, [String(CYCLES), String(BASELINE_AFTER)], {
        nodeFlags: ['--expose-gc'],
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output = new OutputCollector(child);
      const line = await output.nextJson((value) => value['type'] === 'result', RUN_BUDGET_MS, 'soak result');
      const exit = await exitWithin(child, 10_000);
      const result = line as unknown as SoakResult;
      const figures = new FiguresFile('soak-figures');
      figures.record(`reconnect-cycles-${CYCLES}`, {
        cycles: result.cycles,
        elapsedMs: result.elapsedMs,
        cycleMs: result.cycleMs,
        heapBaselineMB: mb(result.heap.baseline),
        heapFinalMB: mb(result.heap.final),
        heapGrowthMB: mb(result.heap.growth),
        heapSeriesMB: result.heap.series,
        resourcesBaseline: result.resources.baseline,
        resourcesFinal: result.resources.final,
        resourcesAfterStop: result.resources.afterStop,
        exitedBySelf: !exit.killed && exit.code === 0,
      });
      figures.write();

      expect(exit, `the soak process must exit by itself after stopping\n${output.stderr}`).toMatchObject({
        code: 0,
        killed: false,
      });
      expect(result.reconnects).toBe(CYCLES);
      expect(result.authentications).toBe(CYCLES + 1);
      expect(result.quotes).toBeGreaterThan(0);
      expect(
        result.heap.growth,
        `heap grew ${mb(result.heap.growth)} MB over ${CYCLES - BASELINE_AFTER} cycles`,
      ).toBeLessThan(HEAP_TOLERANCE_BYTES);
      for (const [type, count] of Object.entries(result.resources.final)) {
        const baseline = result.resources.baseline[type] ?? 0;
        const slack = SLACK[type] ?? 0;
        expect(
          count,
          `${type}: ${baseline} after ${BASELINE_AFTER} cycles, ${count} after ${CYCLES}`,
        ).toBeLessThanOrEqual(baseline + slack);
      }
      const left = Object.entries(result.resources.afterStop).filter(
        ([type]) => !['PipeWrap', 'TTYWrap'].includes(type),
      );
      expect(left, 'resources still active after stop() and simulator.close()').toEqual([]);
    },
    RUN_BUDGET_MS + 20_000,
  );
});

function mb(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 1000) / 1000;
}
