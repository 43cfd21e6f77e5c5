/**
 * A live socket is never given up: the simulated day of test/machines/support/live-gateway-simulation.ts (the real
 * statechart under SimulatedClock; a live gateway with heartbeats jittered ±30 %, long gaps, data bursts, event-loop
 * stalls of up to 3 s with frames buffered meanwhile — one right after the probe one time in five — and backpressure
 * read pauses), over many seeds. Every condemned socket is a defect; every probe is a false alarm. The same days are
 * played against the fixed rule of earlier versions (25 s + 5 s, learning off) as the baseline.
 *
 * CPU-bound (one core, ~5 s per simulated day on this machine): run.ts never runs it beside the idle benchmark.
 */
import { simulateLiveGateway, type SimulationReport } from '../test/machines/support/live-gateway-simulation.js';
import type { ConnectionInput } from '../machines/index.js';
import type { BenchContext, BenchResults } from './support/context.js';
import { round } from './support/stats.js';

const DAY = 24 * 3_600_000;
const FIXED: ConnectionInput = { learnCadence: false, timing: { heartbeatTimeoutMs: 25_000, probeTimeoutMs: 5_000 } };

async function days(
  context: BenchContext,
  label: string,
  seeds: number,
  input: ConnectionInput | undefined,
): Promise<SimulationReport[]> {
  const reports: SimulationReport[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    reports.push(await simulateLiveGateway({ seed, durationMs: DAY, ...(input === undefined ? {} : { input }) }));
    const last = reports.at(-1)!;
    context.log(
      `liveness ${label}: seed ${seed}: ${last.probes} probes, ${last.condemnations} condemned, ${last.stalls} stalls, ${last.pauses} pauses`,
    );
  }
  return reports;
}

function sum(
  reports: readonly SimulationReport[],
  key: 'probes' | 'condemnations' | 'stalls' | 'pauses' | 'heartbeats',
): number {
  return reports.reduce((total, report) => total + report[key], 0);
}

export async function runLiveness(context: BenchContext): Promise<BenchResults> {
  const seeds = context.quick ? 4 : 20;
  const learnt = await days(context, 'learnt', seeds, undefined);
  const fixed = await days(context, 'fixed', Math.max(2, seeds / 4), FIXED);
  const hours = (reports: readonly SimulationReport[]) => reports.reduce((total, report) => total + report.hours, 0);
  return {
    'liveness.live_socket_condemnations': sum(learnt, 'condemnations'),
    'liveness.false_alarm_probes_per_hour': round(sum(learnt, 'probes') / hours(learnt), 2),
    'liveness.seeds': learnt.length,
    'liveness.simulated_hours': hours(learnt),
    'liveness.stalls_per_hour': round(sum(learnt, 'stalls') / hours(learnt), 1),
    'liveness.pauses_per_hour': round(sum(learnt, 'pauses') / hours(learnt), 1),
    'liveness.fixed.live_socket_condemnations': sum(fixed, 'condemnations'),
    'liveness.fixed.false_alarm_probes_per_hour': round(sum(fixed, 'probes') / hours(fixed), 2),
    'liveness.fixed.simulated_hours': hours(fixed),
  };
}
