/**
 * The statechart's named delays, each read from the context when its state is entered: the timings of
 * connection.defaults.ts, the learnt silence (cadence.ts), the pace of the login poll (login-poll.ts) and the drawn
 * backoff. Named, so the diagrams show them and tests drive them with SimulatedClock.
 */
import { silenceTimeoutMs } from './cadence.js';
import type { ConnectionContext } from './connection.types.js';
import { loginPollDelayMs } from './login-poll.js';

type Read = (args: { readonly context: ConnectionContext }) => number;

export const CONNECTION_DELAYS = {
  silence: ({ context }) => silenceTimeoutMs(context.cadence, context.timing.heartbeatTimeoutMs, context.learnCadence),
  probeTimeout: ({ context }) => context.timing.probeTimeoutMs,
  /** One poll phase: a 1 ms timer fires only after the frames already buffered in the socket were read. */
  readBuffered: () => 1,
  openTimeout: ({ context }) => context.timing.openTimeoutMs,
  readyTimeout: ({ context }) => context.timing.readyTimeoutMs,
  ticInterval: ({ context }) => context.timing.ticIntervalMs,
  tickleInterval: ({ context }) => context.timing.tickleIntervalMs,
  loginPollInterval: ({ context }) => loginPollDelayMs(context),
  marketDataRefresh: ({ context }) => context.timing.marketDataRefreshMs,
  stableAfter: ({ context }) => context.timing.stableAfterMs,
  backoff: ({ context }) => context.backoffDelayMs,
} satisfies Record<string, Read>;
