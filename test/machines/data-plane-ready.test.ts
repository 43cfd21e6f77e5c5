/**
 * "The data plane is ready" is one state, `socket.ready`: entering it hands the subscription layer the socket
 * (`dataPlaneReady`), leaving it takes the socket away (`dataPlaneLost`) with the reason of the event that left. A false
 * alarm stays inside it. And FATAL: a failure retrying cannot heal goes to `failed` from anywhere, `retry()` still works.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_SILENCE_MS, DEFAULT_TIMING, isDataPlaneReady } from '../../machines/index.js';
import { driveTo, RESTING_PLACES } from './support/drive.js';
import { authenticated, createHarness, frames, loginRequired, SESSION_B } from './support/in-memory-adapters.js';

const T = DEFAULT_TIMING;

/** Heartbeats keep the liveness watch quiet until the REST keep-alive tickle is in flight. */
async function keptAliveUntilTheTickle(harness: ReturnType<typeof createHarness>): Promise<void> {
  await harness.advanceInSteps(T.tickleIntervalMs, 10_000, () => harness.current().message(frames.heartbeat));
}

describe('socket.ready', () => {
  test('authenticated and lingering-detected are the two phases inside it, under their public names', async () => {
    const harness = createHarness({}, { manualChecks: true });
    await harness.connect();
    expect(harness.actor.getSnapshot().matches({ socket: { ready: 'authenticated' } })).toBe(true);
    expect(harness.state()).toBe('authenticated');
    await harness.advance(DEFAULT_SILENCE_MS);
    expect(harness.actor.getSnapshot().matches({ socket: { ready: 'lingering-detected' } })).toBe(true);
    expect(harness.state()).toBe('lingering-detected');
    expect(isDataPlaneReady(harness.actor.getSnapshot())).toBe(true);
  });

  test('is entered once per socket and left once, with no exit for a false alarm', async () => {
    const harness = createHarness({}, { manualChecks: true });
    const socket = await harness.connect();
    await harness.advance(DEFAULT_SILENCE_MS);
    expect(harness.state()).toBe('lingering-detected');
    socket.message(frames.heartbeat);
    await harness.settle();
    expect(harness.state()).toBe('authenticated');
    expect(harness.notifications).toMatchObject({ authenticated: 1, lost: [] });
    socket.closed(1006);
    await harness.settle();
    expect(harness.notifications).toMatchObject({ authenticated: 1, lost: ['closed-1006'] });
    expect(isDataPlaneReady(harness.actor.getSnapshot())).toBe(false);
  });

  test.each([
    ['closed by the gateway', 'closed-1000', async (h: ReturnType<typeof createHarness>) => h.current().closed(1000)],
    [
      'a socket error',
      'socket-error:ECONNRESET',
      async (h: ReturnType<typeof createHarness>) => h.current().errored('ECONNRESET'),
    ],
    [
      'sts authenticated:false',
      'auth-lost',
      async (h: ReturnType<typeof createHarness>) => h.current().message(frames.stsUnauthenticated),
    ],
    ['STOP', 'stop', async (h: ReturnType<typeof createHarness>) => void h.actor.send({ type: 'STOP' })],
    [
      'FATAL',
      'tls-certificate',
      async (h: ReturnType<typeof createHarness>) => void h.actor.send({ type: 'FATAL', code: 'tls-certificate' }),
    ],
    [
      'the probe timing out',
      'probe-timeout',
      async (h: ReturnType<typeof createHarness>) => {
        // The silence threshold (no beat learnt: 11.5 s), the probe timeout, and the 1 ms read of the socket.
        await h.advance(DEFAULT_SILENCE_MS);
        await h.advance(T.probeTimeoutMs);
        await h.advance(1);
      },
    ],
    [
      'a keep-alive tickle that finds the session rotated',
      'session-rotated',
      async (h: ReturnType<typeof createHarness>) => {
        await keptAliveUntilTheTickle(h);
        await h.answerCheck(authenticated(SESSION_B));
      },
    ],
    [
      'a keep-alive tickle that finds the login gone',
      'auth-lost',
      async (h: ReturnType<typeof createHarness>) => {
        await keptAliveUntilTheTickle(h);
        await h.answerCheck(loginRequired('not-authenticated'));
      },
    ],
  ])(
    'left through %s: the subscription layer is told why (%s), before the transition records it',
    async (_, reason, leave) => {
      const harness = createHarness({}, { manualChecks: true });
      await harness.connect();
      await leave(harness);
      await harness.settle();
      expect(harness.notifications.lost).toEqual([reason]);
      expect(isDataPlaneReady(harness.actor.getSnapshot())).toBe(false);
    },
  );
});

describe('FATAL', () => {
  test.each(RESTING_PLACES.filter((place) => place !== 'failed'))(
    'in %s goes to failed with the code as reason, no timer and no socket left',
    async (place) => {
      const harness = createHarness({ maxAttempts: 2 }, { manualChecks: true });
      await driveTo(harness, place);
      harness.actor.send({ type: 'FATAL', code: 'tls-certificate' });
      await harness.settle();
      expect(harness.state()).toBe('failed');
      expect(harness.actor.getSnapshot().context.lastReason).toBe('tls-certificate');
      expect(harness.emitted.at(-1)).toMatchObject({ type: 'failed', reason: 'tls-certificate' });
      expect(harness.liveSockets()).toEqual([]);
      expect(harness.timeouts()).toEqual([]);
      expect(harness.pendingChecks()).toEqual([]);
    },
  );

  test('retry() after a FATAL failure checks the session again from zero attempts', async () => {
    const harness = createHarness({}, { manualChecks: true });
    await harness.connect();
    harness.actor.send({ type: 'FATAL', code: 'tls-certificate' });
    await harness.settle();
    harness.actor.send({ type: 'RETRY' });
    await harness.settle();
    expect(harness.state()).toBe('checking-session');
    expect(harness.actor.getSnapshot().context.attempt).toBe(0);
    await harness.answerCheck(authenticated());
    expect(harness.state()).toBe('open');
  });
});
