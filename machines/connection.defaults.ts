/**
 * Every timing of the connection statechart, one source of truth each, with the reason for its value. The machine
 * reads them through named delays, so tests drive them with SimulatedClock and users tune them per client.
 * docs/CONFIGURATION.md repeats this table for users; a test keeps the two in step.
 */
export interface ConnectionTiming {
  /**
   * The longest silence (no inbound frame at all) ever allowed before the socket is suspected to linger: the ceiling
   * of the learnt threshold (machines/cadence.ts), and the whole rule when cadence learning is off.
   */
  readonly heartbeatTimeoutMs: number;
  /** How long the `ech+hb` probe may go unanswered before the socket is replaced. */
  readonly probeTimeoutMs: number;
  /** How long the TLS + WebSocket handshake may take. */
  readonly openTimeoutMs: number;
  /** How long an open socket may take to say how it stands (greeting, `sts`, or "waiting for session"). */
  readonly readyTimeoutMs: number;
  /** Interval of the WebSocket `tic` keep-alive. */
  readonly ticIntervalMs: number;
  /** Interval of the REST `/tickle` keep-alive (and of the session-rotation check). */
  readonly tickleIntervalMs: number;
  /** First reconnect delay cap; each attempt doubles it (full jitter: the delay is uniform in [0, cap]). */
  readonly backoffInitialMs: number;
  /** Largest reconnect delay cap. */
  readonly backoffMaxMs: number;
  /** How often `login-required` asks the gateway whether a person has logged in (after the fast phase). */
  readonly loginPollIntervalMs: number;
  /** The pace of `login-required` right after the login was lost, when a new one is likely (machines/login-poll.ts). */
  readonly loginPollFastMs: number;
  /** How long the fast phase lasts. A fast pace not below `loginPollIntervalMs` switches the phase off. */
  readonly loginPollFastForMs: number;
  /** How often every market-data stream is re-requested (IBKR ends `smd` streams after 10–15 min). */
  readonly marketDataRefreshMs: number;
  /** Authenticated this long without trouble, the reconnect attempt counter starts again from zero. */
  readonly stableAfterMs: number;
  /** OAuth: the least wait after IBKR refused a live session token; it doubles per attempt, up to 10 minutes. */
  readonly authorizationRetryMs: number;
}

export const DEFAULT_TIMING: ConnectionTiming = {
  // A ceiling, not the rule: the threshold is learnt from the heartbeats (11.5 s on the documented 10 s beat). 40 s
  // lets a gateway beating every 30 s be learnt too (34.5 s) and caps what a run of long gaps can teach.
  heartbeatTimeoutMs: 40_000,
  // A live gateway answers `ech+hb` within a round trip (milliseconds on loopback, ~100 ms across the world); 3 s is
  // 30 round trips of a slow link, and keeps condemnation within 15 s of the last frame (11.5 s + 3 s).
  probeTimeoutMs: 3_000,
  // A loopback TLS handshake takes milliseconds; 10 s covers a gateway starting up (TS-STREAM uses 10 s too).
  openTimeoutMs: 10_000,
  // The greeting comes within ~250 ms (LIVE-DE); 10 s covers a slow upstream connect.
  readyTimeoutMs: 10_000,
  // IBKR asks for a `tic` at least once a minute; 55 s keeps under it with margin (TS-STREAM's choice).
  ticIntervalMs: 55_000,
  // IBKR: "call /tickle approximately every 60 seconds"; the brokerage session idles out after 5 min.
  tickleIntervalMs: 60_000,
  // Fast first retry for a blip; doubling reaches the cap in 7 steps.
  backoffInitialMs: 250,
  // 30 s: a gateway down for its daily restart is re-tried twice a minute, never hammered.
  backoffMaxMs: 30_000,
  // Past the fast phase nobody is logging in right now: 5 s is prompt and far below the 1 req/s tickle limit.
  loginPollIntervalMs: 5_000,
  // A login right after the loss is likely (a person re-logging in, a competing session ending): once a second is the
  // tickle rate limit itself (the next poll starts a full second after the previous answer), so data is back ~1 s after.
  loginPollFastMs: 1_000,
  // Two minutes covers a person logging in again with two-factor authentication; then the slow pace.
  loginPollFastForMs: 120_000,
  // 9 min: under both documented stream lifetimes (10 min per IBind, 15 min per IBKR Campus, docs/PROTOCOL.md §4.2).
  marketDataRefreshMs: 540_000,
  // Past one REST keep-alive cycle without a fault, the connection is healthy again: backoff starts small.
  stableAfterMs: 60_000,
  // A refused token (invalid consumer, bad signature) stays refused: ≤ 3 LST requests in 10 s, then ever slower.
  authorizationRetryMs: 5_000,
};

/** After a refused live session token, never retry sooner than this (1-based attempt): retry × 2^(attempt−1), ≤ 10 min. */
export function authorizationRetryFloorMs(
  timing: Pick<ConnectionTiming, 'authorizationRetryMs'>,
  attempt: number,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(600_000, timing.authorizationRetryMs * 2 ** exponent);
}

/** Reconnect attempts before `failed`: never give up by default (a trading stream should outlive any outage). */
export const DEFAULT_MAX_ATTEMPTS = Number.POSITIVE_INFINITY;

/** The largest backoff cap for a given attempt (1-based): initial × 2^(attempt−1), capped at the maximum. */
export function backoffCapMs(
  timing: Pick<ConnectionTiming, 'backoffInitialMs' | 'backoffMaxMs'>,
  attempt: number,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(timing.backoffMaxMs, timing.backoffInitialMs * 2 ** exponent);
}

/** Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): uniform in [0, cap]. */
export function backoffDelayMs(
  timing: Pick<ConnectionTiming, 'backoffInitialMs' | 'backoffMaxMs'>,
  attempt: number,
  random: () => number,
): number {
  const sample = Math.min(Math.max(random(), 0), 1);
  return Math.round(sample * backoffCapMs(timing, attempt));
}
