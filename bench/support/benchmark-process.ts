/**
 * A group of benchmarks in a process of their own (started by run.ts as
 * `node --expose-gc --import tsx bench/support/benchmark-process.ts <name,name…> <port base> [--quick]`), so that a
 * heap or idle-CPU figure belongs to its benchmark alone and inherits no other's heap, JIT state or timers. The
 * timing benchmarks (throughput, recovery, lingering) share one process: a long-running application recovers with
 * warm code too.
 *
 * It says `{"type":"loaded"}` once its modules and the gateway children it will need are loaded, and waits for `go`
 * on stdin (run.ts loads every process first, then starts them in its order); then it runs its benchmarks one after
 * the other, prints `{"type":"result","results":{…}}` and exits. Progress goes to stderr.
 */
import { createInterface } from 'node:readline';
import { benchCertificate } from './certificate.js';
import { benchmarkNamed } from './benchmarks.js';
import { wallNow } from './clock.js';
import type { BenchResults } from './context.js';
import { preloadGatewayProcesses, releasePreloadedGatewayProcesses } from './gateway.js';
import { round } from './stats.js';

const [namesText = '', portBaseText = ''] = process.argv.slice(2);
const quick = process.argv.includes('--quick');
const benchmarks = namesText.split(',').map(benchmarkNamed);
const certificate = await benchCertificate();
await preloadGatewayProcesses(benchmarks.reduce((sum, benchmark) => sum + benchmark.gateways(quick), 0));

process.stdout.write(`${JSON.stringify({ type: 'loaded' })}\n`);
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
lines.close();
let results: BenchResults = {};
try {
  for (const benchmark of benchmarks) {
    const startedAt = wallNow();
    const log = (message: string): void => void process.stderr.write(`  ${message}\n`);
    log(`${benchmark.name}: started`);
    const figures = await benchmark.run({ quick, certificate, port: Number(portBaseText) + benchmark.portOffset, log });
    const seconds = round((wallNow() - startedAt) / 1000, 1);
    log(`${benchmark.name}: done in ${seconds} s`);
    results = { ...results, ...figures, [`run.seconds.${benchmark.name}`]: seconds };
  }
  process.stdout.write(`${JSON.stringify({ type: 'result', results })}\n`);
} catch (error) {
  process.stderr.write(`benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
} finally {
  await releasePreloadedGatewayProcesses();
}
