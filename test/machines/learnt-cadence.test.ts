/**
 * The liveness watch with frames stamped by their read time, as the real socket actor sends them: the threshold is
 * learnt from the heartbeats, the default cadence (10 s) is detected within 12 s and condemned within 15 s of the last
 * frame, and other cadences get thresholds of their own. SimulatedClock throughout.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_TIMING, silenceTimeoutMs, type ConnectionInput } from '../../machines/index.js';
import { createHarness, frames, type Harness } from './support/in-memory-adapters.js';

/** Connects, then plays `beats` heartbeats `intervalMs` apart; returns with the clock at the last one. */
async function beating(intervalMs: number, beats: number, input: ConnectionInput = {}): Promise<Harness> {
  const harness = createHarness(input, { stampFrames: true });
  await harness.connect();
  await beat(harness, intervalMs, beats);
  return harness;
}

/** A live gateway: a heartbeat every `intervalMs`, and every probe answered 5 ms after it was sent. */
async function beat(harness: Harness, intervalMs: number, beats: number): Promise<void> {
  const answered = new Map<number, number>();
  for (let count = 0; count < beats; count++) {
    for (let elapsed = 0; elapsed < intervalMs;) {
      const step = Math.min(5, intervalMs - elapsed);
      await harness.advance(step);
      elapsed += step;
      const socket = harness.current();
      const probes = socket.count('SOCKET.SEND_PROBE');
      if (probes > (answered.get(socket.socketId) ?? 0)) {
        answered.set(socket.socketId, probes);
        socket.message(frames.echo);
        await harness.settle();
      }
    }
    harness.current().message(frames.heartbeat);
    await harness.settle();
  }
}

function threshold(harness: Harness): number {
  const { cadence, timing, learnCadence } = harness.actor.getSnapshot().context;
  return silenceTimeoutMs(cadence, timing.heartbeatTimeoutMs, learnCadence);
}

/** Steps 1 ms at a time from the last frame until `state`, and returns how long that took. */
async function msUntil(harness: Harness, state: string, limitMs: number): Promise<number> {
  for (let elapsed = 0; elapsed <= limitMs; elapsed += 1) {
    if (harness.state() === state) return elapsed;
    await harness.advance(1);
  }
  throw new Error(`not ${state} within ${limitMs} ms`);
}

describe('the learnt silence threshold', () => {
  test('on the default 10 s beat: lingering-detected 11.5 s and the socket condemned 14.5 s after the last frame', async () => {
    const harness = await beating(10_000, 12);
    expect(harness.actor.getSnapshot().context.cadence.gaps).toHaveLength(11);
    expect(threshold(harness)).toBe(11_500);
    const detect = await msUntil(harness, 'lingering-detected', 20_000);
    expect(detect).toBeLessThanOrEqual(12_000);
    expect(detect).toBe(11_500);
    const condemn = detect + (await msUntil(harness, 'reconnect', 10_000));
    expect(condemn).toBeLessThanOrEqual(15_000);
    expect(harness.actor.getSnapshot().context.lastReason).toBe('probe-timeout');
    expect(harness.sockets[0]!.terminated).toBe(true);
  });

  test('the fixed rule (learning off) waits the whole heartbeatTimeoutMs, as before', async () => {
    const harness = await beating(10_000, 12, {
      learnCadence: false,
      timing: { heartbeatTimeoutMs: 25_000, probeTimeoutMs: 5_000 },
    });
    expect(await msUntil(harness, 'lingering-detected', 30_000)).toBe(25_000);
  });

  test.each([
    [5_000, 6_000],
    [30_000, 34_500],
  ])('a gateway beating every %d ms is learnt (%d ms) and, once learnt, never probed', async (interval, expected) => {
    const harness = await beating(interval, 8);
    expect(threshold(harness)).toBe(expected);
    const probesBefore = harness.current().count('SOCKET.SEND_PROBE');
    for (let count = 0; count < (60 * 60_000) / interval; count++) {
      await harness.advance(interval);
      harness.current().message(frames.heartbeat);
      await harness.settle();
    }
    expect(harness.current().count('SOCKET.SEND_PROBE')).toBe(probesBefore);
    expect(harness.states).not.toContain('reconnect');
  });

  test('data does not teach the cadence: a busy socket keeps the heartbeat threshold, so a quiet market is not silence', async () => {
    const harness = createHarness({}, { stampFrames: true });
    const socket = await harness.connect();
    for (let second = 1; second <= 300; second++) {
      await harness.advance(1_000);
      socket.activity();
      if (second % 10 === 0) socket.message(frames.heartbeat);
      await harness.settle();
    }
    expect(threshold(harness)).toBe(11_500);
    // The market goes quiet: heartbeats only, and no probe.
    for (let beat = 0; beat < 30; beat++) {
      await harness.advance(10_000);
      socket.message(frames.heartbeat);
      await harness.settle();
    }
    expect(socket.count('SOCKET.SEND_PROBE')).toBe(0);
  });

  test('a heartbeat that ends a false alarm is learnt too, and a new socket starts again from the default', async () => {
    const harness = await beating(30_000, 2);
    // Not yet learnt: the default 11.5 s probes (answered: false alarms); the beats count as gaps, the echoes do not.
    expect(harness.current().count('SOCKET.SEND_PROBE')).toBeGreaterThan(0);
    expect(harness.emitted.filter((event) => event.type === 'false-alarm').length).toBe(
      harness.current().count('SOCKET.SEND_PROBE'),
    );
    expect(harness.states).not.toContain('reconnect');
    expect(harness.actor.getSnapshot().context.cadence.gaps).toEqual([30_000]);
    harness.current().closed(1006);
    await harness.settle();
    await harness.advance(harness.actor.getSnapshot().context.backoffDelayMs);
    harness.current().opened();
    harness.current().message(frames.greeting);
    await harness.settle();
    expect(harness.sockets).toHaveLength(2);
    expect(harness.actor.getSnapshot().context.cadence.gaps).toEqual([]);
    expect(threshold(harness)).toBe(11_500);
  });

  test('the ceiling caps what is learnt', async () => {
    const harness = await beating(30_000, 8, { timing: { heartbeatTimeoutMs: 20_000 } });
    expect(threshold(harness)).toBe(20_000);
    expect(DEFAULT_TIMING.heartbeatTimeoutMs).toBeGreaterThan(34_500);
  });
});
