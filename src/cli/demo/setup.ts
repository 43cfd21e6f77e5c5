/**
 * The demo's cast: the instruments it watches, the simulator it embeds and the client timings. Timings are tight so
 * that each fault is detected and healed within seconds, yet sane (never below what a loaded laptop can keep up with):
 * the simulator beats every second and the client suspects a socket after three silent seconds.
 */
import type { ConnectionTiming } from '../../../machines/index.js';
import type { GatewaySimulatorOptions } from '../../simulator/index.js';
import type { CliSubscription } from '../args.js';

export interface DemoInstrument {
  readonly conid: number;
  readonly symbol: string;
}

export const DEMO_INSTRUMENTS: readonly DemoInstrument[] = [
  { conid: 265598, symbol: 'AAPL' },
  { conid: 8314, symbol: 'IBM' },
  { conid: 756733, symbol: 'SPY' },
  { conid: 272093, symbol: 'MSFT' },
];

/** last, symbol, change, change %, bid, ask size, ask, volume, bid size. */
export const DEMO_FIELDS = ['31', '55', '82', '83', '84', '85', '86', '87', '88'] as const;

export const DEMO_SUBSCRIPTIONS: readonly CliSubscription[] = DEMO_INSTRUMENTS.map((instrument) => ({
  topic: 'smd',
  conid: instrument.conid,
  fields: DEMO_FIELDS,
}));

export const DEMO_SIMULATOR_OPTIONS: GatewaySimulatorOptions = {
  // Any free port: the demo must run beside a real gateway on 5000, or a second demo.
  port: 0,
  // One beat a second (the real gateway: 10 s) so that silence is noticed in seconds.
  heartbeatIntervalMs: 1_000,
  // Four quotes a second per instrument: lively, still readable.
  marketDataIntervalMs: 250,
};

export const DEMO_TIMING: Partial<ConnectionTiming> = {
  // Three missed beats.
  heartbeatTimeoutMs: 3_000,
  probeTimeoutMs: 1_000,
  openTimeoutMs: 3_000,
  readyTimeoutMs: 3_000,
  ticIntervalMs: 10_000,
  tickleIntervalMs: 5_000,
  backoffInitialMs: 100,
  backoffMaxMs: 1_000,
  // A person logging in again is noticed within half a second.
  loginPollIntervalMs: 500,
  // Recovered faults stop counting towards the backoff after 5 quiet seconds.
  stableAfterMs: 5_000,
};
