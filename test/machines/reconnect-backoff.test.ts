/**
 * `reconnect`: exponential backoff with full jitter, capped; `failed` once `maxAttempts` are spent; `RETRY` starts
 * over. The jitter source is injected, so every delay is exact.
 */
import { describe, expect, test } from 'vitest';
import { backoffCapMs, DEFAULT_TIMING } from '../../machines/index.js';
import { createHarness, unavailable, type Harness } from './support/in-memory-adapters.js';

const T = DEFAULT_TIMING;

/** Fail `count` consecutive session checks, letting each backoff run out in between. */
async function failChecks(harness: Harness, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (harness.state() === 'reconnect') await harness.advance(harness.actor.getSnapshot().context.backoffDelayMs);
    await harness.answerCheck(unavailable());
  }
}

function sequence(values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length]!;
}

describe('backoff', () => {
  test('the delay cap doubles from backoffInitialMs up to backoffMaxMs, and the delay is the jitter fraction of it', async () => {
    const samples = [0.5, 0.999_999, 0, 0.25, 0.75, 0.1, 0.9, 0.33, 0.66, 0.5, 0.01];
    const harness = createHarness({ random: sequence(samples) }, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await failChecks(harness, samples.length);
    const reconnects = harness.emitted.filter((event) => event.type === 'reconnect');
    expect(reconnects).toHaveLength(samples.length);
    reconnects.forEach((event, index) => {
      const attempt = index + 1;
      const cap = Math.min(T.backoffMaxMs, T.backoffInitialMs * 2 ** (attempt - 1));
      expect(event).toEqual({
        type: 'reconnect',
        attempt,
        delayMs: Math.round(samples[index]! * cap),
        reason: 'gateway-server-error',
      });
      expect(event.delayMs).toBeGreaterThanOrEqual(0);
      expect(event.delayMs).toBeLessThanOrEqual(cap);
      expect(backoffCapMs(T, attempt)).toBe(cap);
    });
    expect(reconnects.at(-1)!.delayMs).toBe(Math.round(0.01 * T.backoffMaxMs));
  });

  test('a jitter source out of [0, 1) cannot push a delay out of bounds', async () => {
    const harness = createHarness({ random: sequence([7, -3]) }, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await failChecks(harness, 2);
    const delays = harness.emitted.flatMap((event) => (event.type === 'reconnect' ? [event.delayMs] : []));
    expect(delays).toEqual([T.backoffInitialMs, 0]);
  });

  test('the machine waits exactly the chosen delay, then checks the session again', async () => {
    const harness = createHarness({ random: () => 0.5 }, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.answerCheck(unavailable());
    const delay = harness.actor.getSnapshot().context.backoffDelayMs;
    expect(delay).toBe(125);
    await harness.advance(delay - 1);
    expect(harness.state()).toBe('reconnect');
    expect(harness.checks).toHaveLength(1);
    await harness.advance(1);
    expect(harness.state()).toBe('checking-session');
    expect(harness.checks).toHaveLength(2);
    expect(harness.actor.getSnapshot().context.lastReason).toBe('backoff-elapsed');
  });

  test('a zero delay still goes through the clock, not around it', async () => {
    const harness = createHarness({ random: () => 0 }, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.answerCheck(unavailable());
    expect(harness.state()).toBe('reconnect');
    await harness.advance(0);
    expect(harness.state()).toBe('checking-session');
  });

  test('timing options move the bounds', async () => {
    const harness = createHarness({ timing: { backoffInitialMs: 1_000, backoffMaxMs: 3_000 } }, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await failChecks(harness, 4);
    const delays = harness.emitted.flatMap((event) => (event.type === 'reconnect' ? [event.delayMs] : []));
    expect(delays).toEqual([1_000, 2_000, 3_000, 3_000]);
  });

  test('the reason of each reconnect is what ended the state before it', async () => {
    const harness = createHarness({}, { manualChecks: true });
    const socket = await harness.connect();
    socket.closed(1006);
    await harness.settle();
    await harness.advance(harness.actor.getSnapshot().context.backoffDelayMs);
    await harness.answerCheck(unavailable('network'));
    const reasons = harness.emitted.flatMap((event) => (event.type === 'reconnect' ? [event.reason] : []));
    expect(reasons).toEqual(['closed-1006', 'gateway-network']);
  });
});

describe('failed', () => {
  test('maxAttempts reconnects are made; the next failure ends in failed, emitted with the attempts made', async () => {
    const harness = createHarness({ maxAttempts: 3 }, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await failChecks(harness, 4);
    expect(harness.state()).toBe('failed');
    expect(
      harness.emitted
        .filter((event) => event.type === 'reconnect')
        .map((event) => (event as { attempt: number }).attempt),
    ).toEqual([1, 2, 3]);
    expect(harness.emitted.at(-1)).toEqual({ type: 'failed', attempts: 3, reason: 'gateway-server-error' });
    expect(harness.timeouts()).toEqual([]);
    expect(harness.pendingChecks()).toEqual([]);
    await harness.advance(24 * 60 * 60 * 1000);
    expect(harness.state()).toBe('failed');
    expect(harness.checks).toHaveLength(4);
  });

  test('maxAttempts 0 fails at the first failure, with no reconnect emitted', async () => {
    const harness = createHarness({ maxAttempts: 0 }, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.answerCheck(unavailable());
    expect(harness.state()).toBe('failed');
    expect(harness.emitted).toEqual([{ type: 'failed', attempts: 0, reason: 'gateway-server-error' }]);
  });

  test('RETRY checks the session again with the attempt counter reset', async () => {
    const harness = createHarness({ maxAttempts: 1 }, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await failChecks(harness, 2);
    expect(harness.state()).toBe('failed');
    harness.actor.send({ type: 'RETRY' });
    await harness.settle();
    expect(harness.state()).toBe('checking-session');
    expect(harness.actor.getSnapshot().context).toMatchObject({ attempt: 0, lastReason: 'retry' });
    expect(harness.pendingChecks().map((check) => check.input)).toEqual([
      { purpose: 'connect', reauthenticate: false },
    ]);
    await harness.answerCheck(unavailable());
    expect(harness.emitted.at(-1)).toMatchObject({ type: 'reconnect', attempt: 1, delayMs: T.backoffInitialMs });
  });

  test('RETRY and START mean nothing outside the states that take them', async () => {
    const harness = createHarness({}, { manualChecks: true });
    const socket = await harness.connect();
    harness.actor.send({ type: 'RETRY' });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    expect(harness.state()).toBe('authenticated');
    expect(harness.liveSockets()).toEqual([socket]);
  });
});
