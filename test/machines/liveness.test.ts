/**
 * Liveness while authenticated: silence past the threshold → `lingering-detected` → one `ech+hb` probe → any frame is
 * a false alarm on the same socket, no answer within the probe timeout (and one more read of the socket) condemns the
 * socket (terminated, then torn down) → `reconnect`. These frames carry no read time, so nothing is learnt and the
 * threshold is the documented-cadence default; test/machines/learnt-cadence.test.ts covers the learning.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_SILENCE_MS, DEFAULT_TIMING } from '../../machines/index.js';
import { driveTo } from './support/drive.js';
import { authenticated, createHarness, frames, TEARDOWN, type Harness } from './support/in-memory-adapters.js';

const T = DEFAULT_TIMING;
const SILENCE = DEFAULT_SILENCE_MS;

async function lingering(): Promise<Harness> {
  const harness = createHarness({}, { manualChecks: true });
  await driveTo(harness, 'lingering-detected');
  expect(harness.state()).toBe('lingering-detected');
  return harness;
}

describe('liveness watch', () => {
  test('silence for the threshold (11.5 s before any beat is learnt) is lingering: one probe is sent and `lingering` is emitted', async () => {
    const harness = createHarness({}, { manualChecks: true });
    const socket = await harness.connect();
    await harness.advance(SILENCE - 1);
    expect(harness.state()).toBe('authenticated');
    await harness.advance(1);
    expect(harness.state()).toBe('lingering-detected');
    expect(socket.count('SOCKET.SEND_PROBE')).toBe(1);
    expect(harness.emitted.at(-1)).toEqual({ type: 'lingering', socketId: 1 });
    expect(harness.actor.getSnapshot().context.lastReason).toBe('silence');
  });

  test('every heartbeat and every activity signal restarts the watch: no lingering while frames keep coming', async () => {
    const harness = createHarness();
    const socket = await harness.connect();
    let beat = 0;
    await harness.advanceInSteps(60 * 60 * 1000, SILENCE - 1, () => {
      if (beat++ % 2 === 0) socket.message(frames.heartbeat);
      else socket.activity();
    });
    expect(harness.states).not.toContain('lingering-detected');
    expect(socket.count('SOCKET.SEND_PROBE')).toBe(0);
  });

  test.each([
    ['an echo', frames.echo],
    ['an error frame', frames.topicUnknown],
    ['a neutral sts', frames.stsNeutral],
  ])('%s is a sign of life too', async (_, frame) => {
    const harness = createHarness({}, { manualChecks: true });
    const socket = await harness.connect();
    await harness.advance(SILENCE - 1);
    socket.message(frame);
    await harness.advance(SILENCE - 1);
    expect(harness.state()).toBe('authenticated');
    await harness.advance(1);
    expect(harness.state()).toBe('lingering-detected');
  });

  test('sts authenticated:false while authenticated sends the machine back to check the session', async () => {
    const harness = createHarness({}, { manualChecks: true });
    const socket = await harness.connect();
    socket.message(frames.stsUnauthenticated);
    await harness.settle();
    expect(harness.state()).toBe('checking-session');
    expect(harness.actor.getSnapshot().context.lastReason).toBe('auth-lost');
    expect(socket.torn).toBe(true);
    expect(socket.terminated).toBe(false);
  });
});

describe('lingering-detected', () => {
  test('a stall is not silence: an answer read right after the late probe timer (the next poll phase) is a false alarm', async () => {
    const harness = await lingering();
    const socket = harness.current();
    // The event loop stalled past the probe timeout; Node runs the expired timer before it reads the socket.
    await harness.advance(T.probeTimeoutMs + 2_000);
    expect(harness.state()).toBe('lingering-detected');
    socket.message(frames.echo);
    await harness.settle();
    expect(harness.state()).toBe('authenticated');
    expect(harness.emitted.at(-1)).toEqual({ type: 'false-alarm', socketId: 1 });
    expect(socket.terminated).toBe(false);
  });

  test.each([
    ['a heartbeat', (harness: Harness) => harness.current().message(frames.heartbeat)],
    ['the probe echo', (harness: Harness) => harness.current().message(frames.echo)],
    ['data activity', (harness: Harness) => harness.current().activity()],
    ['a greeting', (harness: Harness) => harness.current().message(frames.greeting)],
  ])('%s is a false alarm: back to authenticated on the same socket, `false-alarm` emitted', async (_, arrive) => {
    const harness = await lingering();
    const socket = harness.current();
    arrive(harness);
    await harness.settle();
    expect(harness.state()).toBe('authenticated');
    expect(harness.emitted.at(-1)).toEqual({ type: 'false-alarm', socketId: 1 });
    expect(harness.actor.getSnapshot().context.lastReason).toBe('false-alarm');
    expect(harness.sockets).toHaveLength(1);
    expect(harness.liveSockets()).toEqual([socket]);
    expect(socket.terminated).toBe(false);
    expect(harness.notifications.authenticated).toBe(1);
  });

  test('after a false alarm the watch starts again in full', async () => {
    const harness = await lingering();
    harness.current().message(frames.echo);
    await harness.advance(SILENCE - 1);
    expect(harness.state()).toBe('authenticated');
    await harness.advance(1);
    expect(harness.state()).toBe('lingering-detected');
    expect(harness.current().count('SOCKET.SEND_PROBE')).toBe(2);
  });

  test('no answer within probeTimeoutMs: the socket is terminated before it is torn down, then the machine reconnects', async () => {
    const harness = await lingering();
    const socket = harness.current();
    await harness.advance(T.probeTimeoutMs);
    // The probe timer has fired; the socket is read once more before it is judged.
    expect(harness.actor.getSnapshot().matches({ socket: { ready: { 'lingering-detected': 'confirming' } } })).toBe(
      true,
    );
    await harness.advance(1);
    expect(harness.state()).toBe('reconnect');
    expect(socket.history).toEqual([{ type: 'SOCKET.SEND_PROBE' }, { type: 'SOCKET.TERMINATE' }, TEARDOWN]);
    expect(harness.actor.getSnapshot().context.lastReason).toBe('probe-timeout');
    expect(harness.emitted.at(-1)).toMatchObject({ type: 'reconnect', attempt: 1, reason: 'probe-timeout' });
    expect(harness.liveSockets()).toHaveLength(0);
  });

  test('the socket after a condemned one is a new socket with a new id', async () => {
    const harness = await lingering();
    // The probe timeout, then the 1 ms read of whatever the socket already holds.
    await harness.advance(T.probeTimeoutMs);
    await harness.advance(1);
    await harness.advance(harness.actor.getSnapshot().context.backoffDelayMs);
    await harness.answerCheck(authenticated());
    expect(harness.sockets.map((socket) => socket.socketId)).toEqual([1, 2]);
    expect(harness.liveSockets().map((socket) => socket.socketId)).toEqual([2]);
  });

  test.each([
    ['sts authenticated:false', frames.stsUnauthenticated],
    ['a competing sts', frames.stsCompeting],
  ])('%s while probing is an auth loss, not a false alarm', async (_, frame) => {
    const harness = await lingering();
    harness.current().message(frame);
    await harness.settle();
    expect(harness.state()).toBe('checking-session');
    expect(harness.actor.getSnapshot().context.lastReason).toBe('auth-lost');
    expect(harness.emitted.filter((event) => event.type === 'false-alarm')).toHaveLength(0);
    expect(harness.sockets[0]!.torn).toBe(true);
  });
});
