/** `login-required`: poll the gateway at a gentle pace until a person logs in; reauthenticate only when it can help. */
import { describe, expect, test } from 'vitest';
import { DEFAULT_TIMING, type ConnectionInput } from '../../machines/index.js';
import { authenticated, createHarness, loginRequired, rejection, unavailable } from './support/in-memory-adapters.js';

const POLL = DEFAULT_TIMING.loginPollIntervalMs;
const FAST = DEFAULT_TIMING.loginPollFastMs;
/** The slow pace alone, for the tests about the pace itself. */
const SLOW_ONLY = { timing: { loginPollFastMs: POLL } };

async function loginRequiredHarness(reason: Parameters<typeof loginRequired>[0], input: ConnectionInput = {}) {
  const harness = createHarness(input, { manualChecks: true });
  harness.actor.send({ type: 'START' });
  await harness.settle();
  await harness.answerCheck(loginRequired(reason));
  return harness;
}

describe('login-required', () => {
  test('past the fast phase it polls at loginPollIntervalMs, never faster, however the time passes', async () => {
    const harness = createHarness(SLOW_ONLY, { fallback: loginRequired('logged-out') });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.advanceInSteps(60_000, 250);
    const polls = harness.checkTimes.slice(1);
    expect(polls).toHaveLength(60_000 / POLL);
    const gaps = polls.map((at, index) => at - (index === 0 ? 0 : polls[index - 1]!));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(POLL);
    expect(harness.checks.slice(1).every((check) => check.purpose === 'login-poll')).toBe(true);
    expect(harness.state()).toBe('login-required');
  });

  test('a slow poll is not overlapped by another: the next waits a full interval after the answer', async () => {
    const harness = await loginRequiredHarness('logged-out', SLOW_ONLY);
    await harness.advance(POLL);
    expect(harness.pendingChecks()).toHaveLength(1);
    await harness.advance(POLL * 10);
    expect(harness.checks).toHaveLength(2);
    await harness.answerCheck(loginRequired('logged-out'));
    await harness.advance(POLL - 1);
    expect(harness.checks).toHaveLength(2);
    await harness.advance(1);
    expect(harness.checks).toHaveLength(3);
  });

  test.each([
    ['logged-out', true, false],
    ['no-session', true, false],
    ['not-authenticated', true, true],
    ['competing', true, false],
    ['not-authenticated', false, false],
  ] as const)(
    'after %s with autoReauthenticate %s, the poll asks to reauthenticate: %s',
    async (reason, autoReauthenticate, expected) => {
      const harness = await loginRequiredHarness(reason, { autoReauthenticate });
      await harness.advance(POLL);
      expect(harness.checks.at(-1)).toEqual({ purpose: 'login-poll', reauthenticate: expected });
    },
  );

  test('the reauthenticate flag follows the latest answer: a competing session stops it', async () => {
    const harness = await loginRequiredHarness('not-authenticated');
    await harness.advance(POLL);
    expect(harness.checks.at(-1)?.reauthenticate).toBe(true);
    await harness.answerCheck(loginRequired('competing'));
    await harness.advance(POLL);
    expect(harness.checks.at(-1)?.reauthenticate).toBe(false);
  });

  test('a login is noticed at the next poll: a socket opens and the attempt counter starts again', async () => {
    const harness = createHarness({}, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.answerCheck(unavailable());
    await harness.advance(harness.actor.getSnapshot().context.backoffDelayMs);
    await harness.answerCheck(loginRequired('logged-out'));
    expect(harness.actor.getSnapshot().context.attempt).toBe(1);
    await harness.advance(POLL);
    await harness.answerCheck(authenticated());
    expect(harness.state()).toBe('open');
    expect(harness.sockets).toHaveLength(1);
    expect(harness.actor.getSnapshot().context).toMatchObject({
      attempt: 0,
      socketId: 1,
      competing: false,
      gatewayLoggedIn: true,
      lastReason: 'logged-in',
    });
  });

  test.each([
    ['an unavailable gateway', unavailable()],
    ['a check that throws', rejection()],
  ])('%s while waiting for a login keeps polling at the same pace, without reconnecting', async (_, answer) => {
    const harness = await loginRequiredHarness('logged-out');
    await harness.advance(POLL);
    await harness.answerCheck(answer);
    expect(harness.state()).toBe('login-required');
    expect(harness.actor.getSnapshot().value).toEqual({ 'login-required': 'waiting' });
    await harness.advance(POLL);
    expect(harness.checks).toHaveLength(3);
    expect(harness.emitted.filter((event) => event.type === 'reconnect')).toHaveLength(0);
  });

  test('a poll that still says login-required does not emit login-required again', async () => {
    const harness = await loginRequiredHarness('logged-out');
    await harness.advance(POLL);
    await harness.answerCheck(loginRequired('logged-out'));
    expect(harness.emitted.filter((event) => event.type === 'login-required')).toHaveLength(1);
  });

  test('right after the loss it polls once a second (the tickle rate limit, never faster) for loginPollFastForMs, then at loginPollIntervalMs', async () => {
    const harness = createHarness({}, { fallback: loginRequired('logged-out') });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.advanceInSteps(DEFAULT_TIMING.loginPollFastForMs + 60_000, 100);
    const polls = harness.checkTimes.slice(1);
    const gaps = polls.map((at, index) => at - (index === 0 ? 0 : polls[index - 1]!));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(FAST);
    const fast = DEFAULT_TIMING.loginPollFastForMs / FAST;
    expect(gaps.slice(0, fast).every((gap) => gap === FAST)).toBe(true);
    expect(gaps.slice(fast).every((gap) => gap === POLL)).toBe(true);
    expect(polls).toHaveLength(fast + 60_000 / POLL);
  });

  test('a login 2 s after the loss is noticed within a second: the poll after it finds the session', async () => {
    const harness = await loginRequiredHarness('logged-out');
    await harness.advance(FAST);
    await harness.answerCheck(loginRequired('logged-out'));
    await harness.advance(FAST);
    await harness.answerCheck(loginRequired('logged-out'));
    // The person logs in now (2 s after the loss); the next poll is due within FAST.
    await harness.advance(FAST);
    await harness.answerCheck(authenticated());
    expect(harness.state()).toBe('open');
    expect(harness.checkTimes.at(-1)! - harness.checkTimes[0]!).toBe(3 * FAST);
  });

  test('in the fast phase only one poll in loginPollIntervalMs / loginPollFastMs asks to reauthenticate', async () => {
    const harness = createHarness({}, { fallback: loginRequired('not-authenticated') });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.advanceInSteps(20 * FAST, 100);
    const flags = harness.checks.slice(1).map((check) => check.reauthenticate);
    expect(flags).toHaveLength(20);
    expect(flags.filter(Boolean)).toHaveLength(20 / (POLL / FAST));
    expect(flags.slice(0, 6)).toEqual([true, false, false, false, false, true]);
  });

  test('the fast phase starts again only after a login: a reconnect in between does not restart it', async () => {
    const harness = createHarness({}, { fallback: loginRequired('logged-out') });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.advanceInSteps(DEFAULT_TIMING.loginPollFastForMs, 100);
    expect(harness.actor.getSnapshot().context.loginPolls).toBe(DEFAULT_TIMING.loginPollFastForMs / FAST);
    harness.answers.push(authenticated());
    await harness.advanceInSteps(POLL, 100);
    expect(harness.state()).toBe('open');
    expect(harness.actor.getSnapshot().context.loginPolls).toBe(0);
  });
});
