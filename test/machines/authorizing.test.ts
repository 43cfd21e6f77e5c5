/**
 * `authorizing` (the direct OAuth path): a live session token before any session check, at start, near its expiry and
 * after a refused signed call; refused tokens are retried slowly; a gateway-mode machine never gets there.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_TIMING } from '../../machines/index.js';
import { authorizationRetryFloorMs } from '../../machines/connection.defaults.js';
import {
  authorizationRefused,
  authorizationRequired,
  authorized,
  createHarness,
  loginRequired,
} from './support/in-memory-adapters.js';

const OAUTH = { oauth: true, random: () => 0 } as const;
const purposes = (harness: ReturnType<typeof createHarness>) => harness.checks.map((check) => check.purpose);

describe('authorizing', () => {
  test('a gateway-mode machine goes from idle straight to checking-session and never authorizes', async () => {
    const harness = createHarness({});
    await harness.connect();
    harness.actor.send({ type: 'AUTHORIZATION.EXPIRING' });
    await harness.settle();
    expect(harness.states).toEqual(['idle', 'checking-session', 'open', 'awaiting-session', 'authenticated']);
    expect(purposes(harness)).not.toContain('authorize');
  });

  test('on the OAuth path the token comes first, then the session check and the socket', async () => {
    const harness = createHarness(OAUTH, { manualChecks: true });
    await harness.connect();
    expect(harness.states).toEqual([
      'idle',
      'authorizing',
      'checking-session',
      'open',
      'awaiting-session',
      'authenticated',
    ]);
    expect(harness.checks[0]).toEqual({ purpose: 'authorize', reason: 'start' });
    expect(harness.actor.getSnapshot().context.authorization).toBe('proven');
  });

  test('a refused token is retried no sooner than the floor, which doubles: at most 3 requests in 10 s', async () => {
    const harness = createHarness({ ...OAUTH, timing: { authorizationRetryMs: 5_000 } });
    harness.authorizeFallback = authorizationRefused('invalid-consumer');
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.advanceInSteps(10_000, 100);
    const attempts = harness.checkTimes.filter((_, index) => harness.checks[index]!.purpose === 'authorize');
    expect(attempts.length).toBeLessThanOrEqual(3);
    await harness.advanceInSteps(120_000, 500);
    const all = harness.checkTimes.filter((_, index) => harness.checks[index]!.purpose === 'authorize');
    const gaps = all.slice(1).map((at, index) => at - all[index]!);
    gaps.forEach((gap, index) =>
      expect(gap).toBeGreaterThanOrEqual(authorizationRetryFloorMs({ authorizationRetryMs: 5_000 }, index + 1)),
    );
    expect(harness.states).not.toContain('open');
    expect(
      harness.emitted
        .filter((event) => event.type === 'reconnect')
        .every((event) => event.type === 'reconnect' && event.reason === 'authorization-invalid-consumer'),
    ).toBe(true);
  });

  test('a network failure while authorizing is retried with the ordinary backoff, through authorizing again', async () => {
    const harness = createHarness(OAUTH, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.answerCheck({ kind: 'unavailable', reason: 'network', message: 'down' });
    expect(harness.state()).toBe('reconnect');
    expect(harness.actor.getSnapshot().context.backoffDelayMs).toBe(0);
    await harness.advance(0);
    expect(harness.state()).toBe('authorizing');
  });

  test('a 401 on the first check authorizes again; a 401 right after a fresh token backs off instead of looping', async () => {
    const harness = createHarness(OAUTH, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.answerCheck(authorized());
    await harness.answerCheck(authorizationRequired());
    expect(harness.state()).toBe('reconnect');
    expect(harness.actor.getSnapshot().context.lastReason).toBe('fresh-token-refused');
    expect(harness.actor.getSnapshot().context.backoffDelayMs).toBe(authorizationRetryFloorMs(DEFAULT_TIMING, 1));
    await harness.advance(authorizationRetryFloorMs(DEFAULT_TIMING, 1));
    expect(harness.state()).toBe('authorizing');
  });

  test('a token near expiry is renewed in the background while authenticated: the socket stays', async () => {
    const harness = createHarness(OAUTH, { manualChecks: true });
    const socket = await harness.connect();
    harness.actor.send({ type: 'AUTHORIZATION.EXPIRING' });
    await harness.settle();
    expect(harness.state()).toBe('authenticated');
    expect(harness.checks.at(-1)).toEqual({ purpose: 'authorize', reason: 'token-expiring' });
    // A second notice while the renewal runs starts nothing new.
    harness.actor.send({ type: 'AUTHORIZATION.EXPIRING' });
    await harness.settle();
    expect(harness.pendingChecks()).toHaveLength(1);
    await harness.answerCheck(authorized());
    expect(harness.state()).toBe('authenticated');
    expect(socket.torn).toBe(false);
    expect(harness.sockets).toHaveLength(1);
    expect(harness.actor.getSnapshot().context.authorization).toBe('fresh');
  });

  test('a token near expiry outside the socket goes through authorizing', async () => {
    const harness = createHarness(OAUTH, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.answerCheck(authorized());
    await harness.answerCheck(loginRequired('not-authenticated'));
    harness.actor.send({ type: 'AUTHORIZATION.EXPIRING' });
    await harness.settle();
    expect(harness.state()).toBe('authorizing');
    expect(harness.checks.at(-1)).toEqual({ purpose: 'authorize', reason: 'token-expiring' });
  });

  test('a refused keep-alive tickle renews once in the background; refused again with the new token, it starts over', async () => {
    // No heartbeats are played here: keep the liveness watch (fixed, not learnt) out of the way of the tickle.
    const harness = createHarness(
      { ...OAUTH, learnCadence: false, timing: { heartbeatTimeoutMs: 10 * DEFAULT_TIMING.tickleIntervalMs } },
      { manualChecks: true },
    );
    const socket = await harness.connect();
    await harness.advance(DEFAULT_TIMING.tickleIntervalMs);
    expect(harness.checks.at(-1)?.purpose).toBe('keep-alive');
    await harness.answerCheck(authorizationRequired());
    expect(harness.checks.at(-1)).toEqual({ purpose: 'authorize', reason: 'token-refused' });
    await harness.answerCheck(authorized());
    expect(harness.state()).toBe('authenticated');
    expect(socket.torn).toBe(false);
    await harness.advance(DEFAULT_TIMING.tickleIntervalMs);
    await harness.answerCheck(authorizationRequired());
    expect(harness.state()).toBe('authorizing');
    expect(socket.torn).toBe(true);
  });

  test('a renewal IBKR refuses ends the socket and backs off from the floor', async () => {
    const harness = createHarness(OAUTH, { manualChecks: true });
    await harness.connect();
    harness.actor.send({ type: 'AUTHORIZATION.EXPIRING' });
    await harness.settle();
    await harness.answerCheck(authorizationRefused('signature'));
    expect(harness.state()).toBe('reconnect');
    expect(harness.actor.getSnapshot().context.backoffDelayMs).toBe(authorizationRetryFloorMs(DEFAULT_TIMING, 1));
  });

  test('a refused login poll authorizes again; renewal notices are ignored in idle and failed', async () => {
    const harness = createHarness({ ...OAUTH, maxAttempts: 0 }, { manualChecks: true });
    harness.actor.send({ type: 'AUTHORIZATION.EXPIRING' });
    await harness.settle();
    expect(harness.state()).toBe('idle');
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.answerCheck(authorized());
    await harness.answerCheck(loginRequired('not-authenticated'));
    await harness.advance(DEFAULT_TIMING.loginPollIntervalMs);
    await harness.answerCheck(authorizationRequired());
    expect(harness.state()).toBe('authorizing');
    await harness.answerCheck(authorizationRefused('signature'));
    expect(harness.state()).toBe('failed');
    harness.actor.send({ type: 'AUTHORIZATION.EXPIRING' });
    await harness.settle();
    expect(harness.state()).toBe('failed');
    harness.actor.send({ type: 'RETRY' });
    await harness.settle();
    expect(harness.state()).toBe('authorizing');
  });
});
