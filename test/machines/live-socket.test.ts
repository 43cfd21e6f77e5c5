/**
 * A live socket is never given up: a simulated day of a live gateway per seed (heartbeats jittered ±30 %, long gaps,
 * data bursts, event-loop stalls of up to 3 s with frames buffered meanwhile, backpressure read pauses), played
 * against the real statechart under SimulatedClock (test/machines/support/live-gateway-simulation.ts). Probes are
 * false alarms (allowed, counted); a condemned socket is a defect. bench/liveness.ts runs many more seeds.
 */
import { describe, expect, test } from 'vitest';
import { simulateLiveGateway } from './support/live-gateway-simulation.js';
import { judgeWithoutReading } from './support/mutants.js';

const DAY = 24 * 3_600_000;

describe('a live gateway for a simulated day', () => {
  test.each([1, 2, 3])(
    'seed %d: zero condemnations, a handful of probes per hour',
    async (seed) => {
      const report = await simulateLiveGateway({ seed, durationMs: DAY });
      console.log(`[figures] live socket, seed ${seed}: ${JSON.stringify(report)}`);
      expect(report.heartbeats).toBeGreaterThan(8_000);
      expect(report.stalls).toBeGreaterThan(100);
      expect(report.pauses).toBeGreaterThan(100);
      expect(report.condemnations).toBe(0);
      expect(report.falseAlarms).toBe(report.probes);
      expect(report.probes / report.hours).toBeLessThan(5);
    },
    120_000,
  );
});

describe('a probe after every beat (ceiling 5 s), a stall of up to 6 s after most probes (2 simulated hours)', () => {
  const harsh = { maxStallMs: 6_000, stallEveryMs: 60_000, stallAfterProbeChance: 0.8, pauseChance: 0.2 };
  const input = { timing: { heartbeatTimeoutMs: 5_000 } };

  test('the machine keeps its socket: every late probe timer is followed by a read of the socket', async () => {
    const report = await simulateLiveGateway({ seed: 7, durationMs: 2 * 3_600_000, input, profile: harsh });
    console.log(`[figures] live socket, harsh profile: ${JSON.stringify(report)}`);
    expect(report.stalls).toBeGreaterThan(300);
    expect(report.probes).toBeGreaterThan(300);
    expect(report.condemnations).toBe(0);
  }, 120_000);

  test('the simulation can fail: a machine that judges in the same timers phase (no read first) condemns live sockets', async () => {
    const report = await simulateLiveGateway({
      seed: 7,
      durationMs: 2 * 3_600_000,
      input,
      profile: harsh,
      machine: judgeWithoutReading(),
    });
    expect(report.condemnations).toBeGreaterThan(0);
  }, 120_000);

  test('…and so does reading paused longer than the silence threshold and the probe together (a steady beat: 11.5 s + 3 s)', async () => {
    const steady = { jitter: 0.01, longGapChance: 0, burstEveryMs: 60_000, pauseChance: 0.5, maxPauseMs: 20_000 };
    const report = await simulateLiveGateway({ seed: 7, durationMs: 2 * 3_600_000, profile: steady });
    expect(report.condemnations).toBeGreaterThan(0);
    const safe = await simulateLiveGateway({
      seed: 7,
      durationMs: 2 * 3_600_000,
      profile: { ...steady, maxPauseMs: undefined },
    });
    expect(safe.pauses).toBeGreaterThan(50);
    expect(safe.condemnations).toBe(0);
  }, 120_000);
});
