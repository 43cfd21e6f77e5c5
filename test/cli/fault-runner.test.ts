/** The demo's fault runner injects on schedule and times detection and recovery from the client's own events. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FaultRunner } from '../../src/cli/demo/fault-runner.js';
import { DEMO_FAULTS, type DemoFault } from '../../src/cli/demo/faults.js';
import { IbkrWsError } from '../../src/errors.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import { createFakeClient, recordingReporter } from './support/fake-client.js';

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

function fakeSimulator() {
  const calls: string[] = [];
  const simulator = {
    linger: () => calls.push('linger'),
    closeSockets: (code: number) => calls.push(`close ${code}`),
    logout: () => calls.push('logout'),
    login: () => calls.push('login'),
    sendRaw: () => calls.push('sendRaw'),
  } as unknown as GatewaySimulator;
  return { simulator, calls };
}

function setup(faults: readonly DemoFault[] = DEMO_FAULTS, repeat = false) {
  const fake = createFakeClient();
  const sim = fakeSimulator();
  const { reporter, calls } = recordingReporter();
  const runner = new FaultRunner({
    client: fake.client,
    simulator: sim.simulator,
    reporter,
    faults,
    repeat,
    now: () => Date.now(),
  });
  fake.setState('authenticated');
  runner.start();
  const faultLines = () =>
    calls
      .filter((call) => call[0] === 'event' && call[1] === 'fault')
      .map((call) => call[2] as Record<string, unknown>);
  return {
    fake,
    sim,
    runner,
    faultLines,
    texts: () => calls.filter((call) => call[0] === 'event').map((call) => call[3] as string),
  };
}

describe('FaultRunner', () => {
  it('injects each fault at its time in the cycle', () => {
    const { sim } = setup();
    vi.advanceTimersByTime(3_999);
    expect(sim.calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sim.calls).toEqual(['linger']);
    vi.advanceTimersByTime(6_000);
    expect(sim.calls).toEqual(['linger', 'close 1000']);
  });

  it('times a lingering socket from injection to the lingering event and to authenticated again', () => {
    const { fake, runner, faultLines, texts } = setup();
    vi.advanceTimersByTime(4_000);
    vi.advanceTimersByTime(3_100);
    fake.events.emit('lingering', { at: Date.now() });
    fake.setState('lingering-detected');
    vi.advanceTimersByTime(1_000);
    fake.setState('reconnect');
    vi.advanceTimersByTime(300);
    fake.setState('authenticated');
    expect(runner.records[0]).toMatchObject({ status: 'recovered' });
    expect(faultLines().find((line) => line['phase'] === 'recovered')).toMatchObject({
      name: 'lingering socket',
      detectedInMs: 3_100,
      recoveredInMs: 4_400,
    });
    expect(texts()).toContain('t=8.4s  fault: lingering socket → detected in 3.1 s, recovered in 4.4 s');
  });

  it('waits for the follow-up (a login) before a logout counts as recovered', () => {
    const { fake, sim, faultLines } = setup(DEMO_FAULTS.filter((fault) => fault.name === 'session logout'));
    vi.advanceTimersByTime(13_000);
    fake.setState('checking-session');
    fake.setState('login-required');
    vi.advanceTimersByTime(1_500);
    expect(sim.calls).toEqual(['logout', 'login']);
    expect(faultLines().some((line) => line['phase'] === 'recovered')).toBe(false);
    vi.advanceTimersByTime(400);
    fake.setState('authenticated');
    expect(faultLines().at(-1)).toMatchObject({
      phase: 'recovered',
      detectedInMs: 0,
      recoveredInMs: 1_900,
      recoveredAfterFollowUpMs: 400,
    });
  });

  it('reports a malformed frame that never disturbed the connection as detected and unaffected', () => {
    const { fake, faultLines, texts } = setup(DEMO_FAULTS.filter((fault) => fault.name === 'malformed frame'));
    vi.advanceTimersByTime(17_002);
    fake.events.emit('error', new IbkrWsError('malformed-json', 'not JSON'));
    expect(faultLines().at(-1)).toMatchObject({ phase: 'recovered', detectedInMs: 2, recoveredInMs: 2 });
    expect(texts().at(-1)).toMatch(/malformed frame → detected in 2 ms, connection unaffected/);
  });

  it('reports a fault nobody noticed as missed after its deadline', () => {
    const { runner, faultLines } = setup(DEMO_FAULTS.filter((fault) => fault.name === 'close 1000'));
    vi.advanceTimersByTime(10_000 + 8_000);
    expect(faultLines().at(-1)).toMatchObject({ name: 'close 1000', phase: 'missed' });
    expect(runner.summary()).toEqual({ injected: 1, detected: 0, recovered: 0, missed: 1 });
  });

  it('repeats the schedule without --for, and stop() leaves no timer behind', () => {
    const { sim, runner } = setup(
      DEMO_FAULTS.filter((fault) => fault.name === 'close 1000'),
      true,
    );
    vi.advanceTimersByTime(50_000);
    expect(sim.calls).toEqual(['close 1000', 'close 1000', 'close 1000']);
    runner.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});

it('keeps the records of two cycles at most while counting every fault (a demo left running stays small)', () => {
  const { runner } = setup(
    DEMO_FAULTS.filter((fault) => fault.name === 'close 1000'),
    true,
  );
  vi.advanceTimersByTime(100_000);
  expect(runner.records.length).toBeLessThanOrEqual(2);
  expect(runner.summary().injected).toBe(5);
  runner.stop();
});
