/** The cadence estimator (machines/cadence.ts): pure arithmetic on heartbeat read times. */
import { describe, expect, test } from 'vitest';
import {
  CADENCE_RULE,
  DEFAULT_SILENCE_MS,
  EMPTY_CADENCE,
  estimateCadence,
  maxReadingPauseMs,
  observeBeat,
  silenceTimeoutMs,
  type Cadence,
} from '../../machines/index.js';

function beats(gaps: readonly number[], start = 0): Cadence {
  let cadence = observeBeat(EMPTY_CADENCE, start);
  let at = start;
  for (const gap of gaps) {
    at += gap;
    cadence = observeBeat(cadence, at);
  }
  return cadence;
}

const CEILING = 40_000;

describe('the cadence estimate', () => {
  test('before minSamples gaps there is no estimate, and the documented 10 s beat stands in (11.5 s)', () => {
    expect(DEFAULT_SILENCE_MS).toBe(11_500);
    const few = beats([10_000, 10_000, 10_000]);
    expect(estimateCadence(few)).toBeUndefined();
    expect(silenceTimeoutMs(few, CEILING, true)).toBe(DEFAULT_SILENCE_MS);
  });

  test('the live gateway (10 s ± 30 ms): 11.5 s, so detection within 12 s and condemnation within 15 s', () => {
    const gaps = Array.from({ length: 40 }, (_, index) => 10_000 + ((index * 37) % 61) - 30);
    const threshold = silenceTimeoutMs(beats(gaps), CEILING, true);
    expect(threshold).toBeGreaterThanOrEqual(11_000);
    expect(threshold).toBeLessThanOrEqual(11_600);
  });

  test.each([
    [5_000, 6_000],
    [30_000, 34_500],
    [1_000, 2_000],
  ])('a gateway beating every %d ms gets %d ms', (interval, expected) => {
    expect(silenceTimeoutMs(beats(Array(10).fill(interval)), CEILING, true)).toBe(expected);
  });

  test('a jittery beat gets room in proportion to its spread, above every gap it showed twice', () => {
    // ±30 %: gaps spread evenly over 7–13 s.
    const gaps = Array.from({ length: 32 }, (_, index) => 7_000 + Math.round((index * 6_000) / 31));
    const threshold = silenceTimeoutMs(beats(gaps), CEILING, true);
    expect(threshold).toBeGreaterThan(13_000 + CADENCE_RULE.minMarginMs);
    expect(threshold).toBeLessThan(CEILING);
  });

  test('one long gap does not slow detection; the same long gap twice is part of this gateway', () => {
    const steady = Array<number>(20).fill(10_000);
    expect(silenceTimeoutMs(beats([...steady, 30_000, ...steady.slice(0, 5)]), CEILING, true)).toBe(11_500);
    expect(silenceTimeoutMs(beats([...steady, 30_000, 10_000, 30_000]), CEILING, true)).toBe(31_000);
  });

  test('the window keeps the latest gaps only: a gateway that changes its beat is followed', () => {
    const cadence = beats([...Array<number>(40).fill(30_000), ...Array<number>(CADENCE_RULE.window).fill(5_000)]);
    expect(cadence.gaps).toHaveLength(CADENCE_RULE.window);
    expect(silenceTimeoutMs(cadence, CEILING, true)).toBe(6_000);
  });

  test('heartbeatTimeoutMs is the ceiling, and with learning off the whole rule', () => {
    const slow = beats(Array(10).fill(60_000));
    expect(silenceTimeoutMs(slow, CEILING, true)).toBe(CEILING);
    expect(silenceTimeoutMs(beats(Array(10).fill(5_000)), 25_000, false)).toBe(25_000);
    expect(silenceTimeoutMs(EMPTY_CADENCE, 800, true)).toBe(800);
  });

  test('a stamp that goes backwards or is not a number teaches nothing', () => {
    const cadence = beats([10_000]);
    expect(observeBeat(cadence, 5_000)).toBe(cadence);
    expect(observeBeat(cadence, Number.NaN)).toBe(cadence);
  });
});

describe('the longest safe backpressure pause', () => {
  test('ends before a probe could time out, and within half the ceiling', () => {
    expect(maxReadingPauseMs({ heartbeatTimeoutMs: 40_000, probeTimeoutMs: 3_000 }, 5_000)).toBe(2_400);
    expect(maxReadingPauseMs({ heartbeatTimeoutMs: 800, probeTimeoutMs: 400 }, 5_000)).toBe(320);
    expect(maxReadingPauseMs({ heartbeatTimeoutMs: 40_000, probeTimeoutMs: 30_000 }, 5_000)).toBe(5_000);
  });
});
