/**
 * `npm run bench [-- --quick] [-- --only a,b] [-- --repeat N] [-- --port-base N] [-- --cpu-prof]`
 *
 * Runs the benchmarks against the gateway simulator on loopback, prints a table and writes bench/results.json
 * (numbers only; dotted keys such as `throughput.ratio` are paths: `results.throughput.ratio`). docs/BENCHMARKS.md
 * explains every figure.
 *
 * Benchmarks run in processes of their own (support/benchmark-process.ts), each with its own gateway children on a
 * fixed port. All processes are loaded first, in parallel; then the steps of SCHEDULE run one after the other, the
 * processes of a step side by side. Only benchmarks that mostly wait share a step with another: lingering (a few
 * timers, two reconnects) beside idle in the quick run, lingering with default timings (~6 min of waiting) beside the
 * reconnect cycles, the login recoveries and the liveness simulation (one core) in the full run. Idle is never beside
 * anything that loads the CPU: contention inflates a process's CPU time on this VM, even one that only waits.
 * `--repeat N` runs the whole suite N times and writes the median of every figure.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CERTIFICATE_FILE_VARIABLE, generateBenchCertificate } from './support/certificate.js';
import { wallNow } from './support/clock.js';
import { benchmarkNamed, type Benchmark } from './support/benchmarks.js';
import type { BenchResults } from './support/context.js';
import { median, round } from './support/stats.js';
import { printTable } from './support/table.js';

const ENTRY = fileURLToPath(new URL('./support/benchmark-process.ts', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));

interface RunOptions {
  readonly quick: boolean;
  readonly only: readonly string[] | undefined;
  readonly repeat: number;
  readonly portBase: number;
  readonly cpuProf: boolean;
}

function parseArguments(argv: readonly string[]): RunOptions {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index === -1 ? undefined : argv[index + 1];
  };
  const only = value('--only')
    ?.split(',')
    .filter((name) => name !== '');
  for (const name of only ?? []) benchmarkNamed(name);
  return {
    quick: argv.includes('--quick'),
    only,
    repeat: Math.max(1, Number(value('--repeat') ?? 1)),
    portBase: Number(value('--port-base') ?? 47_400),
    cpuProf: argv.includes('--cpu-prof'),
  };
}

/** Steps of a run, in order; a step's processes run side by side, each its benchmarks one after the other. */
type Schedule = ReadonlyArray<ReadonlyArray<readonly string[]>>;

const SCHEDULE: { readonly quick: Schedule; readonly full: Schedule } = {
  quick: [
    [['throughput', 'recovery']],
    [['lingering'], ['idle']],
    [['memory'], ['login-recovery']],
    [['liveness']],
    [['observability-throughput']],
    [['observability-idle']],
  ],
  full: [
    [['throughput', 'recovery', 'lingering']],
    [['memory'], ['lingering-default'], ['login-recovery', 'liveness']],
    [['idle']],
    [['observability-throughput']],
    [['observability-idle']],
  ],
};

interface LoadedGroup {
  readonly names: readonly string[];
  run(): Promise<BenchResults>;
}

/** Starts a group's process and waits until it is loaded; run() says go and collects the results. */
async function loadGroup(
  benchmarks: readonly Benchmark[],
  options: RunOptions,
  environment: NodeJS.ProcessEnv,
  profileDirectory: string,
): Promise<LoadedGroup> {
  const names = benchmarks.map((benchmark) => benchmark.name);
  const nodeArguments = ['--expose-gc', '--import', 'tsx'];
  if (options.cpuProf)
    nodeArguments.push(
      '--cpu-prof',
      `--cpu-prof-dir=${profileDirectory}`,
      `--cpu-prof-name=${names.join('+')}.cpuprofile`,
    );
  const child = spawn(
    process.execPath,
    [...nodeArguments, ENTRY, names.join(','), String(options.portBase), ...(options.quick ? ['--quick'] : [])],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: environment,
    },
  );
  const exited = once(child, 'exit');
  let results: BenchResults | undefined;
  let onLoaded: (() => void) | undefined;
  const loaded = new Promise<void>((resolve) => (onLoaded = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message: { type?: string; results?: BenchResults };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      process.stderr.write(`${names.join('+')}: ${line}\n`);
      return;
    }
    if (message.type === 'loaded') onLoaded?.();
    if (message.type === 'result') results = message.results;
  });
  await Promise.race([
    loaded,
    exited.then(([code]) => {
      throw new Error(`benchmark process ${names.join('+')} exited (${String(code)}) before it was loaded`);
    }),
  ]);
  return {
    names,
    async run() {
      child.stdin.end('go\n');
      const [code] = await exited;
      if (results === undefined)
        throw new Error(`benchmark process ${names.join('+')} failed (exit code ${String(code)})`);
      return results;
    },
  };
}

/** One pass over the selected benchmarks: every process loaded, then the steps in order. */
async function runSuite(
  options: RunOptions,
  environment: NodeJS.ProcessEnv,
  profileDirectory: string,
): Promise<BenchResults> {
  const wanted = (benchmark: Benchmark): boolean =>
    options.only === undefined ? !(options.quick && benchmark.fullOnly) : options.only.includes(benchmark.name);
  const loadStartedAt = wallNow();
  const steps = await Promise.all(
    (options.quick ? SCHEDULE.quick : SCHEDULE.full).map((step) =>
      Promise.all(
        step
          .map((names) => names.map(benchmarkNamed).filter(wanted))
          .filter((group) => group.length > 0)
          .map((group) => loadGroup(group, options, environment, profileDirectory)),
      ),
    ),
  );
  const loadSeconds = round((wallNow() - loadStartedAt) / 1000, 1);
  process.stderr.write(`loaded the benchmark processes and their gateway children in ${loadSeconds} s\n`);
  let results: BenchResults = { 'run.seconds.load': loadSeconds };
  for (const step of steps) {
    for (const figures of await Promise.all(step.map((group) => group.run()))) results = { ...results, ...figures };
  }
  return results;
}

function cpuPressure(): Promise<number> {
  // "some avg60=…": the share of the last minute in which something runnable waited for a CPU (other work on the machine).
  return readFile('/proc/pressure/cpu', 'utf8').then(
    (text) => Number(/^some .*avg60=([\d.]+)/m.exec(text)?.[1] ?? Number.NaN),
    () => Number.NaN,
  );
}

/** A key only where the machine provides the figure (results.json holds numbers, never NaN or null). */
function finite(key: string, value: number): BenchResults {
  return Number.isFinite(value) ? { [key]: value } : {};
}

/** `{ "a.b": 1 }` → `{ a: { b: 1 } }`. */
function nest(results: BenchResults): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const key of Object.keys(results).sort()) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1) as string] = results[key];
  }
  return root;
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const startedAt = wallNow();
  const directory = await mkdtemp(join(tmpdir(), 'ibkr-ws-bench-'));
  const certificateFile = join(directory, 'certificate.json');
  await writeFile(certificateFile, JSON.stringify(await generateBenchCertificate()), { mode: 0o600 });
  const environment = { ...process.env, [CERTIFICATE_FILE_VARIABLE]: certificateFile };
  const profileDirectory = join(tmpdir(), 'ibkr-ws-bench-profiles');
  const runs: BenchResults[] = [];
  try {
    for (let run = 0; run < options.repeat; run++) {
      if (options.repeat > 1) process.stderr.write(`run ${run + 1} of ${options.repeat}\n`);
      const pressureBefore = await cpuPressure();
      const loadBefore = loadavg()[0] ?? Number.NaN;
      const runStartedAt = wallNow();
      const results = await runSuite(options, environment, profileDirectory);
      runs.push({
        ...results,
        'run.seconds.total': round((wallNow() - runStartedAt) / 1000, 1),
        'run.load_average_1m_before': round(loadBefore, 2),
        'run.load_average_1m_after': round(loadavg()[0] ?? Number.NaN, 2),
        ...finite('run.cpu_pressure_some_avg60_before', pressureBefore),
        ...finite('run.cpu_pressure_some_avg60_after', await cpuPressure()),
      });
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  const keys = [...new Set(runs.flatMap((run) => Object.keys(run)))];
  const combined: BenchResults = {};
  for (const key of keys) {
    const value = median(
      runs
        .map((run) => run[key])
        .filter((entry): entry is number => typeof entry === 'number' && Number.isFinite(entry)),
    );
    // results.json holds numbers only: a figure that could not be measured is left out, and said so.
    if (Number.isFinite(value)) combined[key] = value;
    else process.stderr.write(`no value for ${key}: left out of the results\n`);
  }
  combined['run.quick'] = options.quick ? 1 : 0;
  combined['run.repeats'] = options.repeat;
  combined['run.cpus'] = cpus().length;
  combined['run.seconds.wall'] = round((wallNow() - startedAt) / 1000, 1);
  printTable(combined);
  // A partial run never overwrites the full results.
  const outputFile = options.only === undefined ? RESULTS_FILE : join(tmpdir(), 'ibkr-ws-bench-partial.json');
  await writeFile(outputFile, `${JSON.stringify(nest(combined), null, 2)}\n`);
  process.stdout.write(`\nwrote ${outputFile}${options.cpuProf ? `; CPU profiles in ${profileDirectory}` : ''}\n`);
}

await main();
