/**
 * `open` → `awaiting-session` → (`sending-session` →) `authenticated`: both authentication paths, and the rule that
 * the session message goes out only when the server asks for it.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_TIMING } from '../../machines/index.js';
import { driveTo } from './support/drive.js';
import { createHarness, frames } from './support/in-memory-adapters.js';

const manual = () => createHarness({}, { manualChecks: true });

describe('open', () => {
  test('an opened socket waits for the server to say how it stands', async () => {
    const harness = manual();
    await driveTo(harness, 'open');
    harness.current().opened();
    await harness.settle();
    expect(harness.state()).toBe('awaiting-session');
    expect(harness.actor.getSnapshot().context.lastReason).toBe('socket-opened');
    expect(harness.current().commands).toEqual([]);
  });

  test('a handshake longer than openTimeoutMs is abandoned: the socket is torn down and the machine reconnects', async () => {
    const harness = manual();
    await driveTo(harness, 'open');
    await harness.advance(DEFAULT_TIMING.openTimeoutMs - 1);
    expect(harness.state()).toBe('open');
    await harness.advance(1);
    expect(harness.state()).toBe('reconnect');
    expect(harness.actor.getSnapshot().context.lastReason).toBe('open-timeout');
    expect(harness.sockets[0]!.torn).toBe(true);
    expect(harness.emitted.at(-1)).toMatchObject({ type: 'reconnect', reason: 'open-timeout' });
  });
});

describe('awaiting-session', () => {
  test.each([
    ['the system greeting', frames.greeting],
    ['sts authenticated:true', frames.stsAuthenticated],
  ])(
    '%s authenticates the socket: the subscription layer is told once and `authenticated` is emitted',
    async (_, frame) => {
      const harness = manual();
      await driveTo(harness, 'awaiting-session');
      harness.current().message(frame);
      await harness.settle();
      expect(harness.state()).toBe('authenticated');
      expect(harness.notifications.authenticated).toBe(1);
      expect(harness.emitted).toEqual([{ type: 'authenticated', socketId: 1 }]);
      expect(harness.actor.getSnapshot().context.lastReason).toBe('greeting');
    },
  );

  test('"waiting for session" is answered with exactly one session message', async () => {
    const harness = manual();
    await driveTo(harness, 'awaiting-session');
    harness.current().message(frames.waitingForSession);
    await harness.settle();
    expect(harness.state()).toBe('sending-session');
    expect(harness.current().commands).toEqual([{ type: 'SOCKET.SEND_SESSION' }]);
    expect(harness.actor.getSnapshot().context.lastReason).toBe('waiting-for-session');
  });

  test('on the cookie path no session message is ever sent, through greeting, keep-alives and an hour of heartbeats', async () => {
    const harness = createHarness();
    const socket = await harness.connect();
    await harness.advanceInSteps(60 * 60 * 1000, 10_000, () => socket.message(frames.heartbeat));
    expect(harness.state()).toBe('authenticated');
    expect(socket.count('SOCKET.SEND_SESSION')).toBe(0);
    expect(socket.count('SOCKET.SEND_TIC')).toBeGreaterThan(0);
  });

  test('sts authenticated:false sends the machine back to check the session', async () => {
    const harness = manual();
    await driveTo(harness, 'awaiting-session');
    harness.current().message(frames.stsUnauthenticated);
    await harness.settle();
    expect(harness.state()).toBe('checking-session');
    expect(harness.actor.getSnapshot().context.lastReason).toBe('not-authenticated');
    expect(harness.sockets[0]!.torn).toBe(true);
    expect(harness.pendingChecks()).toHaveLength(1);
  });

  test('frames that say nothing about the session (heartbeat, echo, neutral sts, errors) leave it waiting', async () => {
    const harness = manual();
    await driveTo(harness, 'awaiting-session');
    for (const frame of [frames.heartbeat, frames.echo, frames.stsNeutral, frames.topicUnknown])
      harness.current().message(frame);
    harness.current().activity();
    await harness.settle();
    expect(harness.state()).toBe('awaiting-session');
    expect(harness.current().commands).toEqual([]);
  });

  test('no word from the server within readyTimeoutMs means reconnect', async () => {
    const harness = manual();
    await driveTo(harness, 'awaiting-session');
    await harness.advance(DEFAULT_TIMING.readyTimeoutMs - 1);
    expect(harness.state()).toBe('awaiting-session');
    await harness.advance(1);
    expect(harness.state()).toBe('reconnect');
    expect(harness.actor.getSnapshot().context.lastReason).toBe('ready-timeout');
    expect(harness.sockets[0]!.torn).toBe(true);
  });
});

describe('sending-session', () => {
  test.each([
    ['the system greeting', frames.greeting],
    ['sts authenticated:true', frames.stsAuthenticated],
  ])('%s confirms the session: authenticated, told once, no second session message', async (_, frame) => {
    const harness = manual();
    await driveTo(harness, 'sending-session');
    harness.current().message(frame);
    await harness.settle();
    expect(harness.state()).toBe('authenticated');
    expect(harness.notifications.authenticated).toBe(1);
    expect(harness.emitted).toEqual([{ type: 'authenticated', socketId: 1 }]);
    expect(harness.actor.getSnapshot().context.lastReason).toBe('session-accepted');
    expect(harness.current().count('SOCKET.SEND_SESSION')).toBe(1);
  });

  test('an error frame rejects the session: the socket is dropped and the machine reconnects', async () => {
    const harness = manual();
    await driveTo(harness, 'sending-session');
    harness.current().message(frames.topicUnknown);
    await harness.settle();
    expect(harness.state()).toBe('reconnect');
    expect(harness.actor.getSnapshot().context.lastReason).toBe('session-rejected');
    expect(harness.sockets[0]!.torn).toBe(true);
  });

  test('sts authenticated:false sends the machine back to check the session', async () => {
    const harness = manual();
    await driveTo(harness, 'sending-session');
    harness.current().message(frames.stsCompeting);
    await harness.settle();
    expect(harness.state()).toBe('checking-session');
    expect(harness.sockets[0]!.torn).toBe(true);
  });

  test('a second "waiting for session" is not answered again', async () => {
    const harness = manual();
    await driveTo(harness, 'sending-session');
    harness.current().message(frames.waitingForSession);
    await harness.settle();
    expect(harness.state()).toBe('sending-session');
    expect(harness.current().count('SOCKET.SEND_SESSION')).toBe(1);
  });

  test('no confirmation within readyTimeoutMs means reconnect', async () => {
    const harness = manual();
    await driveTo(harness, 'sending-session');
    await harness.advance(DEFAULT_TIMING.readyTimeoutMs - 1);
    expect(harness.state()).toBe('sending-session');
    await harness.advance(1);
    expect(harness.state()).toBe('reconnect');
    expect(harness.actor.getSnapshot().context.lastReason).toBe('ready-timeout');
  });

  test('before authenticated, the only command a socket ever receives is the one session message it asked for', async () => {
    const harness = manual();
    await driveTo(harness, 'sending-session');
    await harness.advance(DEFAULT_TIMING.readyTimeoutMs - 1);
    expect(harness.current().commands).toEqual([{ type: 'SOCKET.SEND_SESSION' }]);
  });
});
