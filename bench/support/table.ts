/** The console summary: every figure of results.json, the headline ones first with their goals. */
import type { BenchResults } from './context.js';

interface Row {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  /** A goal from issue 7, checked against the results. */
  readonly goal?: { readonly text: string; readonly met: (results: BenchResults) => boolean };
}

const HEADLINE: readonly Row[] = [
  { key: 'throughput.client_msgs_per_s', label: 'throughput, client (100 subscriptions)', unit: 'msg/s' },
  { key: 'throughput.raw_ws_msgs_per_s', label: 'throughput, bare ws + JSON.parse', unit: 'msg/s' },
  {
    key: 'throughput.ratio',
    label: 'throughput ratio client / raw',
    unit: '',
    goal: { text: '≥ 0.9', met: (r) => (r['throughput.ratio'] ?? 0) >= 0.9 },
  },
  { key: 'throughput.client_cpu_us_per_msg', label: 'reader CPU per message, client', unit: 'µs' },
  { key: 'throughput.raw_cpu_us_per_msg', label: 'reader CPU per message, bare ws + parse', unit: 'µs' },
  { key: 'throughput.cpu_cost_ratio', label: 'CPU per message, client / raw', unit: '' },
  { key: 'throughput.subs_1.ratio', label: 'throughput ratio, 1 subscription', unit: '' },
  { key: 'throughput.subs_100.ratio', label: 'throughput ratio, 100 subscriptions', unit: '' },
  { key: 'throughput.subs_1000.ratio', label: 'throughput ratio, 1,000 subscriptions', unit: '' },
  { key: 'recovery.client_ms', label: 'recovery, client (100 subscriptions)', unit: 'ms' },
  { key: 'recovery.minimum_ms', label: 'recovery, physical minimum', unit: 'ms' },
  { key: 'recovery.partysocket_ms', label: 'recovery, partysocket (cap if never)', unit: 'ms' },
  { key: 'recovery.partysocket_delivered', label: 'partysocket got data after the restart', unit: '0/1' },
  {
    key: 'recovery.ratio_to_minimum',
    label: 'recovery ratio client / minimum',
    unit: '',
    goal: { text: '≤ 1.5', met: (r) => (r['recovery.ratio_to_minimum'] ?? Number.POSITIVE_INFINITY) <= 1.5 },
  },
  {
    key: 'lingering.detect_ms',
    label: 'lingering detected (tight timings)',
    unit: 'ms',
    goal: {
      text: '≤ bound + 50',
      met: (r) => (r['lingering.detect_ms'] ?? Number.POSITIVE_INFINITY) <= (r['lingering.bound_ms'] ?? 0) + 50,
    },
  },
  { key: 'lingering.bound_ms', label: 'lingering bound (heartbeat + probe)', unit: 'ms' },
  { key: 'lingering.recover_ms', label: 'lingering → data on a fresh socket', unit: 'ms' },
  {
    key: 'lingering.default.detect_ms',
    label: 'lingering detected (default timings)',
    unit: 'ms',
    goal: {
      text: '≤ bound + 50',
      met: (r) =>
        (r['lingering.default.detect_ms'] ?? Number.POSITIVE_INFINITY) <= (r['lingering.default.bound_ms'] ?? 0) + 50,
    },
  },
  { key: 'lingering.default.bound_ms', label: 'lingering bound (default timings)', unit: 'ms' },
  { key: 'lingering.default.recover_ms', label: 'lingering → data (default timings)', unit: 'ms' },
  { key: 'memory.bytes_per_subscription', label: 'heap per smd subscription', unit: 'bytes' },
  { key: 'memory.growth_bytes_10k_reconnects', label: 'heap growth over the reconnect cycles', unit: 'bytes' },
  { key: 'memory.reconnect_cycles', label: 'reconnect cycles run', unit: '' },
  { key: 'idle.cpu_ms_per_min', label: 'idle CPU while authenticated', unit: 'ms/min' },
  { key: 'idle.baseline_cpu_ms_per_min', label: 'idle CPU, same process without client', unit: 'ms/min' },
];

export function printTable(results: BenchResults): void {
  const lines: string[] = [];
  const shown = new Set<string>();
  const width = 44;
  lines.push('', `${'figure'.padEnd(width)} ${'value'.padStart(12)}  unit     goal`);
  lines.push('-'.repeat(width + 36));
  for (const row of HEADLINE) {
    const value = results[row.key];
    if (value === undefined) continue;
    shown.add(row.key);
    const goal = row.goal === undefined ? '' : `${row.goal.text}  ${row.goal.met(results) ? 'met' : 'MISSED'}`;
    lines.push(`${row.label.padEnd(width)} ${format(value).padStart(12)}  ${row.unit.padEnd(7)}  ${goal}`);
  }
  lines.push('', 'all figures:');
  for (const key of Object.keys(results).sort()) {
    const value = results[key];
    if (value !== undefined) lines.push(`  ${key.padEnd(width + 8)} ${format(value).padStart(12)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value)
    ? value.toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
