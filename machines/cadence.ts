/**
 * The gateway's heartbeat cadence, learnt from the socket itself, and the silence after which the liveness watch
 * suspects a lingering socket. Pure: the socket actor stamps each frame with the time it was read (`at`, monotonic
 * ms); this module only does arithmetic on those stamps. docs/RELIABILITY.md explains the rule with its numbers.
 *
 * Why heartbeats only: the gateway promises a heartbeat every interval whatever else flows, so the gaps between
 * heartbeats bound the silence of a live socket. Data and other frames still restart the watch (they prove life), but
 * they do not teach the cadence: a market-data burst would teach a pace the gateway never promised, and the first
 * quiet minute of the market would then look like a dead socket.
 */
import type { ServerMessage } from '../src/protocol/types.js';
import { isHeartbeat } from './message-guards.js';

/** What has been seen on the current socket: when its last heartbeat came, and the latest gaps between heartbeats. */
export interface Cadence {
  /** Monotonic ms of the last heartbeat read on this socket; undefined before the first. */
  readonly lastBeatAt: number | undefined;
  /** The latest gaps between consecutive heartbeats (ms), oldest first, at most CADENCE_RULE.window. */
  readonly gaps: readonly number[];
}

/** The robust estimate of the beat: the median gap and a robust standard deviation (1.4826 × median absolute deviation). */
export interface CadenceEstimate {
  readonly intervalMs: number;
  readonly spreadMs: number;
  /** The second-largest gap seen: a gap that happened twice in the window is part of this gateway's normal life. */
  readonly highMs: number;
  readonly samples: number;
}

export const CADENCE_RULE = {
  /** 32 gaps: about 5 minutes of a 10 s beat, long enough to see its spread, short enough to follow a change. */
  window: 32,
  /** Fewer gaps than this (the first ~40 s of a socket) are not an estimate: the documented cadence stands in. */
  minSamples: 4,
  /** The documented and observed beat of the gateway: every 10 s, ± 30 ms (live captures). */
  assumedIntervalMs: 10_000,
  /** Four robust standard deviations: a jittery gateway gets room in proportion to its jitter. */
  spreadFactor: 4,
  /** Never closer to the beat than 15 % of it: scheduling jitter on either side scales with the interval. */
  marginFraction: 0.15,
  /** …and never closer than 1 s: a GC pause or a busy event loop on either side must not look like silence. */
  minMarginMs: 1_000,
  /** No threshold under 2 s, however fast the beat: below that, ordinary event-loop hiccups would probe. */
  floorMs: 2_000,
} as const;

export const EMPTY_CADENCE: Cadence = { lastBeatAt: undefined, gaps: [] };

/** The cadence after a heartbeat read at `at`. A stamp that goes backwards (never, with a monotonic clock) is ignored. */
export function observeBeat(cadence: Cadence, at: number): Cadence {
  if (!Number.isFinite(at)) return cadence;
  if (cadence.lastBeatAt === undefined) return { lastBeatAt: at, gaps: cadence.gaps };
  const gap = at - cadence.lastBeatAt;
  if (gap < 0) return cadence;
  const gaps =
    cadence.gaps.length >= CADENCE_RULE.window
      ? [...cadence.gaps.slice(1 - CADENCE_RULE.window), gap]
      : [...cadence.gaps, gap];
  return { lastBeatAt: at, gaps };
}

/** The cadence after any event: a heartbeat stamped with its read time teaches it; everything else leaves it as is. */
export function learnFrom(
  cadence: Cadence,
  event: { readonly type: string; readonly message?: ServerMessage; readonly at?: number },
): Cadence {
  return event.type === 'SOCKET.MESSAGE' &&
    event.at !== undefined &&
    event.message !== undefined &&
    isHeartbeat(event.message)
    ? observeBeat(cadence, event.at)
    : cadence;
}

/** The estimate, or undefined while fewer than `minSamples` gaps were seen. */
export function estimateCadence(cadence: Cadence): CadenceEstimate | undefined {
  const { gaps } = cadence;
  if (gaps.length < CADENCE_RULE.minSamples) return undefined;
  const sorted = [...gaps].sort((a, b) => a - b);
  const intervalMs = medianOfSorted(sorted);
  const deviations = sorted.map((gap) => Math.abs(gap - intervalMs)).sort((a, b) => a - b);
  return {
    intervalMs,
    spreadMs: 1.4826 * medianOfSorted(deviations),
    highMs: sorted[sorted.length - 2] ?? intervalMs,
    samples: gaps.length,
  };
}

/** The silence a live socket with this beat does not show: the beat plus its margin, or past its usual long gaps. */
export function thresholdForEstimate(estimate: Pick<CadenceEstimate, 'intervalMs' | 'spreadMs' | 'highMs'>): number {
  const margin = Math.max(
    CADENCE_RULE.spreadFactor * estimate.spreadMs,
    CADENCE_RULE.marginFraction * estimate.intervalMs,
    CADENCE_RULE.minMarginMs,
  );
  return Math.round(
    Math.max(estimate.intervalMs + margin, estimate.highMs + CADENCE_RULE.minMarginMs, CADENCE_RULE.floorMs),
  );
}

/** Before enough gaps: the documented 10 s beat with no spread (11.5 s). */
export const DEFAULT_SILENCE_MS = thresholdForEstimate({
  intervalMs: CADENCE_RULE.assumedIntervalMs,
  spreadMs: 0,
  highMs: CADENCE_RULE.assumedIntervalMs,
});

/**
 * How long the watch waits after the last frame before it probes. `ceilingMs` is the user's `heartbeatTimeoutMs`: never
 * more; with learning off it is the whole rule (the fixed timeout of earlier versions).
 */
export function silenceTimeoutMs(cadence: Cadence, ceilingMs: number, learn: boolean): number {
  if (!learn) return ceilingMs;
  const estimate = estimateCadence(cadence);
  return Math.min(ceilingMs, estimate === undefined ? DEFAULT_SILENCE_MS : thresholdForEstimate(estimate));
}

/**
 * The longest backpressure pause of socket reading that can never make a live socket look dead: shorter than the
 * probe timeout, so a probe's answer waiting in the socket buffer is always read before the probe is judged (and
 * within half the ceiling, as before). `preferredMs` is the subscription layer's own default.
 */
export function maxReadingPauseMs(
  timing: { readonly heartbeatTimeoutMs: number; readonly probeTimeoutMs: number },
  preferredMs: number,
): number {
  return Math.max(
    1,
    Math.min(preferredMs, Math.floor(timing.heartbeatTimeoutMs / 2), Math.floor(timing.probeTimeoutMs * 0.8)),
  );
}

function medianOfSorted(sorted: readonly number[]): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
