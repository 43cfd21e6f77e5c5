/**
 * `authenticated`: the socket is kept alive (`tic`), the brokerage session too (REST tickle, which also notices a
 * rotated session or a lost login), market data is re-requested before IBKR expires it, and a stable connection
 * forgets its past reconnects.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_TIMING } from '../../machines/index.js';
import { advanceThroughBackoff } from './support/drive.js';
import {
  authenticated,
  createHarness,
  frames,
  loginRequired,
  rejection,
  SESSION_A,
  SESSION_B,
  unavailable,
  type Harness,
} from './support/in-memory-adapters.js';

const T = DEFAULT_TIMING;
const BEAT = 10_000;

/** Keep the current socket beating like the real server does, while `ms` pass. */
async function beatFor(harness: Harness, ms: number): Promise<void> {
  await harness.advanceInSteps(ms, BEAT, () => {
    const socket = harness.current();
    if (!socket.torn) socket.message(frames.heartbeat);
  });
}

async function connectedManual(): Promise<Harness> {
  const harness = createHarness({}, { manualChecks: true });
  await harness.connect();
  return harness;
}

/** Runs to the first keep-alive tickle and leaves it in flight. */
async function toKeepAliveCheck(harness: Harness): Promise<void> {
  await beatFor(harness, T.tickleIntervalMs);
  expect(harness.pendingChecks().map((check) => check.input)).toEqual([
    { purpose: 'keep-alive', reauthenticate: false },
  ]);
}

describe('tic keep-alive', () => {
  test('a tic is sent every ticIntervalMs while authenticated, and nothing else', async () => {
    const harness = createHarness();
    const socket = await harness.connect();
    await beatFor(harness, 10 * 60 * 1000);
    expect(socket.count('SOCKET.SEND_TIC')).toBe(Math.floor((10 * 60 * 1000) / T.ticIntervalMs));
    expect(new Set(socket.commands.map((command) => command.type))).toEqual(new Set(['SOCKET.SEND_TIC']));
  });

  test('the first tic waits a full interval after authentication', async () => {
    const harness = createHarness();
    const socket = await harness.connect();
    await harness.advanceInSteps(T.ticIntervalMs - 1, BEAT, () => socket.message(frames.heartbeat));
    expect(socket.count('SOCKET.SEND_TIC')).toBe(0);
    await harness.advance(1);
    expect(socket.count('SOCKET.SEND_TIC')).toBe(1);
  });
});

describe('REST tickle keep-alive', () => {
  test('the gateway is tickled every tickleIntervalMs while authenticated', async () => {
    const harness = createHarness();
    await harness.connect();
    await beatFor(harness, 10 * 60 * 1000);
    const keepAlives = harness.checks.filter((check) => check.purpose === 'keep-alive');
    expect(keepAlives).toHaveLength(10);
    expect(keepAlives.every((check) => !check.reauthenticate)).toBe(true);
    expect(harness.state()).toBe('authenticated');
    expect(harness.sockets).toHaveLength(1);
  });

  test('the same session value keeps the same socket', async () => {
    const harness = await connectedManual();
    await toKeepAliveCheck(harness);
    await harness.answerCheck(authenticated(SESSION_A));
    expect(harness.state()).toBe('authenticated');
    expect(harness.liveSockets()).toEqual([harness.sockets[0]]);
  });

  test('a rotated session value condemns the socket: session-rotated is emitted and the next socket carries the new value', async () => {
    const harness = await connectedManual();
    await toKeepAliveCheck(harness);
    await harness.answerCheck(authenticated(SESSION_B));
    expect(harness.state()).toBe('reconnect');
    expect(harness.emitted.filter((event) => event.type === 'session-rotated')).toEqual([{ type: 'session-rotated' }]);
    expect(harness.actor.getSnapshot().context.lastReason).toBe('session-rotated');
    expect(harness.sockets[0]!.torn).toBe(true);
    await advanceThroughBackoff(harness);
    await harness.answerCheck(authenticated(SESSION_B));
    expect(harness.state()).toBe('open');
    expect(harness.current().socketId).toBe(2);
    expect(harness.current().session.reveal()).toBe(SESSION_B);
    expect(harness.current().session.equals(harness.actor.getSnapshot().context.session)).toBe(true);
  });

  test.each(['logged-out', 'not-authenticated', 'competing'] as const)(
    'a tickle that says login-required (%s) sends the machine back to check the session',
    async (reason) => {
      const harness = await connectedManual();
      await toKeepAliveCheck(harness);
      await harness.answerCheck(loginRequired(reason));
      expect(harness.state()).toBe('checking-session');
      expect(harness.actor.getSnapshot().context.lastReason).toBe('auth-lost');
      expect(harness.sockets[0]!.torn).toBe(true);
      expect(harness.pendingChecks().map((check) => check.input.purpose)).toEqual(['connect']);
    },
  );

  test.each([
    ['an unavailable gateway', unavailable('network')],
    ['a check that throws', rejection()],
  ])(
    '%s during a keep-alive leaves a delivering socket alone, and the next tickle comes an interval later',
    async (_, answer) => {
      const harness = await connectedManual();
      await toKeepAliveCheck(harness);
      await harness.answerCheck(answer);
      expect(harness.state()).toBe('authenticated');
      expect(harness.liveSockets()).toHaveLength(1);
      await beatFor(harness, T.tickleIntervalMs - BEAT);
      expect(harness.pendingChecks()).toHaveLength(0);
      await beatFor(harness, BEAT);
      expect(harness.pendingChecks()).toHaveLength(1);
    },
  );

  test('a keep-alive tickle is never overlapped by another', async () => {
    const harness = await connectedManual();
    await toKeepAliveCheck(harness);
    await beatFor(harness, 5 * T.tickleIntervalMs);
    expect(harness.checks.filter((check) => check.purpose === 'keep-alive')).toHaveLength(1);
  });
});

describe('market-data refresh', () => {
  test('every market-data stream is re-requested every marketDataRefreshMs while authenticated', async () => {
    const harness = createHarness();
    await harness.connect();
    await beatFor(harness, 30 * 60 * 1000);
    expect(harness.notifications.refreshes).toBe(Math.floor((30 * 60 * 1000) / T.marketDataRefreshMs));
  });

  test('no refresh happens before authentication', async () => {
    const harness = createHarness({}, { manualChecks: true });
    harness.actor.send({ type: 'START' });
    await harness.advance(T.marketDataRefreshMs * 2);
    expect(harness.notifications.refreshes).toBe(0);
  });
});

describe('stability', () => {
  test('the attempt counter starts again from zero after stableAfterMs authenticated', async () => {
    const harness = createHarness();
    const first = await harness.connect();
    first.closed(1006);
    await harness.settle();
    expect(harness.actor.getSnapshot().context.attempt).toBe(1);
    await advanceThroughBackoff(harness);
    const second = harness.current();
    second.opened();
    second.message(frames.greeting);
    await harness.settle();
    expect(harness.state()).toBe('authenticated');
    await harness.advanceInSteps(T.stableAfterMs - 1, BEAT, () => second.message(frames.heartbeat));
    expect(harness.actor.getSnapshot().context.attempt).toBe(1);
    await harness.advance(1);
    expect(harness.actor.getSnapshot().context.attempt).toBe(0);
    second.closed(1006);
    await harness.settle();
    expect(harness.emitted.at(-1)).toEqual({
      type: 'reconnect',
      attempt: 1,
      delayMs: T.backoffInitialMs,
      reason: 'closed-1006',
    });
  });

  test('a connection lost before stableAfterMs keeps counting attempts', async () => {
    const harness = createHarness();
    const first = await harness.connect();
    first.closed(1006);
    await harness.settle();
    await advanceThroughBackoff(harness);
    const second = harness.current();
    second.opened();
    second.message(frames.greeting);
    await harness.advanceInSteps(T.stableAfterMs - BEAT, BEAT, () => second.message(frames.heartbeat));
    second.closed(1006);
    await harness.settle();
    expect(harness.emitted.at(-1)).toEqual({
      type: 'reconnect',
      attempt: 2,
      delayMs: T.backoffInitialMs * 2,
      reason: 'closed-1006',
    });
  });
});
