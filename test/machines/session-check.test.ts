/** `idle` → `checking-session` → socket / `login-required` / `reconnect`: what the first REST tickle decides. */
import { describe, expect, test } from 'vitest';
import {
  authenticated,
  createHarness,
  loginRequired,
  rejection,
  SESSION_B,
  unavailable,
} from './support/in-memory-adapters.js';

describe('starting a connection', () => {
  test('the machine waits in idle and checks nothing until START', async () => {
    const harness = createHarness({}, { manualChecks: true });
    await harness.advance(24 * 60 * 60 * 1000);
    expect(harness.state()).toBe('idle');
    expect(harness.checks).toHaveLength(0);
    expect(harness.sockets).toHaveLength(0);
  });

  test('START checks the gateway session once, for a connect, without reauthenticating', async () => {
    const harness = createHarness({}, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    expect(harness.state()).toBe('checking-session');
    expect(harness.checks).toEqual([{ purpose: 'connect', reauthenticate: false }]);
    expect(harness.actor.getSnapshot().context.lastReason).toBe('start');
  });

  test('a second START while checking does nothing', async () => {
    const harness = createHarness({}, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    expect(harness.pendingChecks()).toHaveLength(1);
  });
});

describe('checking-session', () => {
  test('an authenticated session opens a socket with that session value', async () => {
    const harness = createHarness({}, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.answerCheck(authenticated(SESSION_B));
    expect(harness.state()).toBe('open');
    expect(harness.sockets).toHaveLength(1);
    expect(harness.current().socketId).toBe(1);
    expect(harness.current().session.reveal()).toBe(SESSION_B);
    expect(harness.actor.getSnapshot().context).toMatchObject({
      socketId: 1,
      gatewayLoggedIn: true,
      competing: false,
      lastReason: 'session-authenticated',
    });
  });

  test.each([
    ['logged-out', false, false],
    ['no-session', false, false],
    ['not-authenticated', false, true],
    ['competing', true, true],
  ] as const)(
    'a login-required answer (%s) goes to login-required and emits its reason and competing flag',
    async (reason, competing, loggedIn) => {
      const harness = createHarness({}, { manualChecks: true });
      harness.actor.send({ type: 'START' });
      await harness.settle();
      await harness.answerCheck(loginRequired(reason));
      expect(harness.state()).toBe('login-required');
      expect(harness.emitted).toEqual([{ type: 'login-required', reason, competing }]);
      expect(harness.actor.getSnapshot().context).toMatchObject({
        competing,
        gatewayLoggedIn: loggedIn,
        lastReason: `login-required:${reason}`,
      });
      expect(harness.sockets).toHaveLength(0);
    },
  );

  test.each(['network', 'server-error'] as const)(
    'an unavailable gateway (%s) goes to reconnect and says why',
    async (reason) => {
      const harness = createHarness({}, { manualChecks: true });
      harness.actor.send({ type: 'START' });
      await harness.settle();
      await harness.answerCheck(unavailable(reason));
      expect(harness.state()).toBe('reconnect');
      expect(harness.actor.getSnapshot().context.lastReason).toBe(`gateway-${reason}`);
      expect(harness.emitted).toEqual([{ type: 'reconnect', attempt: 1, delayMs: 250, reason: `gateway-${reason}` }]);
      expect(harness.sockets).toHaveLength(0);
    },
  );

  test('a session check that throws goes to reconnect as session-check-failed', async () => {
    const harness = createHarness({}, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.answerCheck(rejection());
    expect(harness.state()).toBe('reconnect');
    expect(harness.actor.getSnapshot().status).toBe('active');
    expect(harness.actor.getSnapshot().context.lastReason).toBe('session-check-failed');
    expect(harness.emitted).toEqual([{ type: 'reconnect', attempt: 1, delayMs: 250, reason: 'session-check-failed' }]);
  });

  test('a session check is never repeated while one is in flight, however long it takes', async () => {
    const harness = createHarness({}, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.settle();
    await harness.advance(24 * 60 * 60 * 1000);
    expect(harness.checks).toHaveLength(1);
    expect(harness.state()).toBe('checking-session');
  });
});
