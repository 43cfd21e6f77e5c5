/** The benchmarks run.ts knows, each with its fixed port offset and the function that runs it. */
import { runIdle, runMemory } from '../cost.js';
import { runLingering } from '../lingering.js';
import { runObservabilityIdle, runObservabilityThroughput } from '../observability.js';
import { runLiveness } from '../liveness.js';
import { runLoginRecovery } from '../login-recovery.js';
import { recoveryRestarts, runRecovery } from '../recovery.js';
import { runThroughput } from '../throughput.js';
import type { BenchContext, BenchResults } from './context.js';

export interface Benchmark {
  readonly name: string;
  /** Added to the port base: each benchmark's gateway has a port of its own, fixed across restarts. */
  readonly portOffset: number;
  /** Only in the full run. */
  readonly fullOnly?: boolean;
  /** Gateway children it starts (restarts included): loaded before it is timed. */
  gateways(quick: boolean): number;
  run(context: BenchContext): Promise<BenchResults>;
}

export const BENCHMARKS: readonly Benchmark[] = [
  { name: 'throughput', portOffset: 1, gateways: () => 1, run: (context) => runThroughput(context) },
  {
    name: 'recovery',
    portOffset: 2,
    gateways: (quick) => 1 + recoveryRestarts(quick),
    run: (context) => runRecovery(context),
  },
  { name: 'lingering', portOffset: 3, gateways: () => 1, run: (context) => runLingering(context, 'tight') },
  {
    name: 'lingering-default',
    portOffset: 4,
    fullOnly: true,
    gateways: () => 2,
    run: (context) => runLingering(context, 'default'),
  },
  { name: 'idle', portOffset: 5, gateways: () => 1, run: (context) => runIdle(context) },
  { name: 'memory', portOffset: 6, gateways: () => 1, run: (context) => runMemory(context) },
  {
    name: 'observability-throughput',
    portOffset: 7,
    gateways: () => 1,
    run: (context) => runObservabilityThroughput(context),
  },
  { name: 'observability-idle', portOffset: 8, gateways: () => 1, run: (context) => runObservabilityIdle(context) },
  { name: 'liveness', portOffset: 9, gateways: () => 0, run: (context) => runLiveness(context) },
  { name: 'login-recovery', portOffset: 10, gateways: () => 1, run: (context) => runLoginRecovery(context) },
];

export function benchmarkNamed(name: string): Benchmark {
  const found = BENCHMARKS.find((benchmark) => benchmark.name === name);
  if (found === undefined)
    throw new Error(
      `unknown benchmark ${JSON.stringify(name)}; known: ${BENCHMARKS.map((benchmark) => benchmark.name).join(', ')}`,
    );
  return found;
}
