/**
 * The CLI's timing flags (milliseconds), mapped onto the statechart's timing options: one table, no drift. Only the
 * text → number step is here; the client validates the values (src/options.ts) and the CLI words its verdict in flags.
 */
import type { ConnectionTiming } from '../../machines/index.js';
import { parseNonNegativeNumber } from './args.js';

export const TIMING_FLAGS = {
  'heartbeat-timeout': 'heartbeatTimeoutMs',
  'probe-timeout': 'probeTimeoutMs',
  'open-timeout': 'openTimeoutMs',
  'ready-timeout': 'readyTimeoutMs',
  'tic-interval': 'ticIntervalMs',
  'tickle-interval': 'tickleIntervalMs',
  'backoff-initial': 'backoffInitialMs',
  'backoff-max': 'backoffMaxMs',
} as const satisfies Record<string, keyof ConnectionTiming>;

export function timingFromFlags(values: Record<string, unknown>): Partial<ConnectionTiming> {
  const timing: Partial<Record<keyof ConnectionTiming, number>> = {};
  for (const [flag, key] of Object.entries(TIMING_FLAGS)) {
    const text = values[flag];
    if (typeof text === 'string') timing[key] = parseNonNegativeNumber(`--${flag}`, text, { integer: true });
  }
  return timing;
}
