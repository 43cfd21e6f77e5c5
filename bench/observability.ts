/**
 * Observability: what the health, metrics and tracing wiring costs a client that registers no OpenTelemetry provider
 * (the default: `@opentelemetry/api` answers with no-op instruments), against the same client built with
 * `telemetry: false` (nothing wired but health), in the same run, paired. Also, for scale, the cost with the CLI's
 * metrics SDK and Prometheus exporter (`--health-port`), whose collection runs only when scraped (never here).
 *
 * - observability.throughput.*: `flood` windows as in throughput.ts (100 subscriptions, a fresh client per window),
 *   in triplets baseline / no provider / Prometheus SDK, the order rotating every triplet so that drift favours none.
 *   `*_ratio` is the median over triplets of (variant msg/s ÷ baseline msg/s) of the same triplet, with its range;
 *   `*_cpu_ratio` the same for the reader's CPU µs per message.
 * - observability.idle.*: an authenticated, idle client's process CPU and main-thread busy time per minute, pairs of
 *   samples baseline / no provider in alternating order, each client fresh, each sample after two full GCs. The
 *   gateway sends a heartbeat every second (not every 10 s) so that each sample holds enough of the client's only
 *   idle work to compare.
 */
import { loadPrometheusMetrics } from '../src/observability/prometheus.js';
import type { IbkrWsOptions } from '../src/index.js';
import { createIbkrWs } from '../src/index.js';
import { idleSample, settle, SETTLED_PROCESS_AGE_MS } from './cost.js';
import { sleep } from './support/clock.js';
import type { BenchContext, BenchResults } from './support/context.js';
import { startGatewayProcess } from './support/gateway.js';
import { median, round } from './support/stats.js';
import { clientWindow, type WindowSample } from './throughput.js';

type Variant = 'baseline' | 'no_provider' | 'prometheus';

const SUBSCRIPTIONS = 100;

export async function runObservabilityThroughput(context: BenchContext): Promise<BenchResults> {
  const plan = context.quick
    ? { triplets: 4, windowMs: 400, warmupMs: 100 }
    : { triplets: 10, windowMs: 1_000, warmupMs: 250 };
  const gateway = await startGatewayProcess({
    port: context.port,
    certificate: context.certificate,
    simulator: { marketDataMode: 'flood', marketDataLines: 1_100 },
  });
  const prometheus = await loadPrometheusMetrics('ibkr-ws-bench');
  const options: Record<Variant, Partial<IbkrWsOptions>> = {
    baseline: { telemetry: false },
    no_provider: {},
    prometheus: { telemetry: { meterProvider: prometheus.meterProvider } },
  };
  const variants: readonly Variant[] = ['baseline', 'no_provider', 'prometheus'];
  const window = (variant: Variant) =>
    clientWindow(gateway, context.certificate.cert, SUBSCRIPTIONS, plan, undefined, options[variant]);
  const samples: Record<Variant, WindowSample[]> = { baseline: [], no_provider: [], prometheus: [] };
  try {
    // Unmeasured: the first windows would measure V8 compiling the client.
    for (const variant of variants) await window(variant);
    for (let triplet = 0; triplet < plan.triplets; triplet++) {
      const order = variants.map((_, index) => variants[(index + triplet) % variants.length] as Variant);
      for (const variant of order) samples[variant].push(await window(variant));
    }
  } finally {
    await gateway.stop();
    await prometheus.shutdown();
  }
  const results: BenchResults = {
    'observability.throughput.subscriptions': SUBSCRIPTIONS,
    'observability.throughput.triplets': plan.triplets,
  };
  results['observability.throughput.baseline_msgs_per_s'] = round(
    median(samples.baseline.map((sample) => sample.delivered)),
  );
  for (const variant of ['no_provider', 'prometheus'] as const) {
    const ratios = samples[variant].map(
      (sample, index) => sample.delivered / (samples.baseline[index] as WindowSample).delivered,
    );
    const cpuRatios = samples[variant].map(
      (sample, index) => cpuPerMessage(sample) / cpuPerMessage(samples.baseline[index] as WindowSample),
    );
    results[`observability.throughput.${variant}_msgs_per_s`] = round(
      median(samples[variant].map((sample) => sample.delivered)),
    );
    results[`observability.throughput.${variant}_ratio`] = round(median(ratios), 3);
    results[`observability.throughput.${variant}_ratio_min`] = round(Math.min(...ratios), 3);
    results[`observability.throughput.${variant}_ratio_max`] = round(Math.max(...ratios), 3);
    results[`observability.throughput.${variant}_cpu_ratio`] = round(median(cpuRatios), 3);
    results[`observability.throughput.${variant}_cpu_ratio_min`] = round(Math.min(...cpuRatios), 3);
    results[`observability.throughput.${variant}_cpu_ratio_max`] = round(Math.max(...cpuRatios), 3);
  }
  context.log(
    `observability throughput (${SUBSCRIPTIONS} subs): baseline ${results['observability.throughput.baseline_msgs_per_s']} msg/s; ` +
      `no provider ×${results['observability.throughput.no_provider_ratio']} (${results['observability.throughput.no_provider_ratio_min']}–${results['observability.throughput.no_provider_ratio_max']}), ` +
      `CPU/msg ×${results['observability.throughput.no_provider_cpu_ratio']}; Prometheus SDK ×${results['observability.throughput.prometheus_ratio']}, CPU/msg ×${results['observability.throughput.prometheus_cpu_ratio']}`,
  );
  return results;
}

function cpuPerMessage(sample: WindowSample): number {
  return sample.arrived > 0 ? (sample.benchCpu * 10_000) / sample.arrived : Number.NaN;
}

export async function runObservabilityIdle(context: BenchContext): Promise<BenchResults> {
  const plan = context.quick
    ? { pairs: 2, sampleMs: 3_000, afterStartMs: 500 }
    : { pairs: 4, sampleMs: 10_000, afterStartMs: 1_000 };
  const gateway = await startGatewayProcess({
    port: context.port,
    certificate: context.certificate,
    simulator: { heartbeatIntervalMs: 1_000 },
  });
  const samples: Record<'baseline' | 'no_provider', Array<{ cpu: number; busy: number }>> = {
    baseline: [],
    no_provider: [],
  };
  try {
    await sleep(Math.max(0, SETTLED_PROCESS_AGE_MS - process.uptime() * 1000));
    for (let pair = 0; pair < plan.pairs; pair++) {
      const order = pair % 2 === 0 ? (['baseline', 'no_provider'] as const) : (['no_provider', 'baseline'] as const);
      for (const variant of order) {
        const client = createIbkrWs({
          gateway: gateway.url,
          tls: { ca: context.certificate.cert },
          ...(variant === 'baseline' ? { telemetry: false } : {}),
        });
        try {
          await client.start();
          await sleep(plan.afterStartMs);
          await settle();
          samples[variant].push(await idleSample(plan.sampleMs));
          if (client.state !== 'authenticated') throw new Error(`the idle client left authenticated (${client.state})`);
        } finally {
          await client.stop();
        }
      }
    }
  } finally {
    await gateway.stop();
  }
  const ratio = (key: 'cpu' | 'busy') =>
    samples.no_provider.map(
      (sample, index) => sample[key] / (samples.baseline[index] as { cpu: number; busy: number })[key],
    );
  const results: BenchResults = {
    'observability.idle.pairs': plan.pairs,
    'observability.idle.sample_ms': plan.sampleMs,
    'observability.idle.baseline_cpu_ms_per_min': round(median(samples.baseline.map((sample) => sample.cpu)), 1),
    'observability.idle.no_provider_cpu_ms_per_min': round(median(samples.no_provider.map((sample) => sample.cpu)), 1),
    'observability.idle.cpu_ratio': round(median(ratio('cpu')), 3),
    'observability.idle.cpu_ratio_min': round(Math.min(...ratio('cpu')), 3),
    'observability.idle.cpu_ratio_max': round(Math.max(...ratio('cpu')), 3),
    'observability.idle.baseline_event_loop_busy_ms_per_min': round(
      median(samples.baseline.map((sample) => sample.busy)),
      1,
    ),
    'observability.idle.no_provider_event_loop_busy_ms_per_min': round(
      median(samples.no_provider.map((sample) => sample.busy)),
      1,
    ),
    'observability.idle.event_loop_busy_ratio': round(median(ratio('busy')), 3),
  };
  context.log(
    `observability idle: CPU ${results['observability.idle.no_provider_cpu_ms_per_min']} ms/min with the wiring, ${results['observability.idle.baseline_cpu_ms_per_min']} without ` +
      `(×${results['observability.idle.cpu_ratio']}, pairs ${results['observability.idle.cpu_ratio_min']}–${results['observability.idle.cpu_ratio_max']}); ` +
      `main thread ${results['observability.idle.no_provider_event_loop_busy_ms_per_min']} vs ${results['observability.idle.baseline_event_loop_busy_ms_per_min']} ms/min`,
  );
  return results;
}
