/**
 * A socket that closes or errors, in any phase that has one, sends the machine to `reconnect` with the reason; and a
 * socket that is no longer the current one cannot move the machine at all (statelyai/xstate#4952).
 */
import { describe, expect, test } from 'vitest';
import type { SocketEvent } from '../../src/protocol/session.js';
import { DEFAULT_SILENCE_MS, DEFAULT_TIMING } from '../../machines/index.js';
import { driveTo, RESTING_PLACES, SOCKET_PHASES } from './support/drive.js';
import { createHarness, frames, type Harness } from './support/in-memory-adapters.js';

describe('socket failures', () => {
  test.each(SOCKET_PHASES.flatMap((phase) => [1000, 1006, 1011].map((code) => [phase, code] as const)))(
    'a close in %s (code %i) tears the socket down and reconnects with reason closed-<code>',
    async (phase, code) => {
      const harness = createHarness({}, { manualChecks: true });
      await driveTo(harness, phase);
      const socket = harness.current();
      socket.closed(code);
      await harness.settle();
      expect(harness.state()).toBe('reconnect');
      expect(harness.actor.getSnapshot().context.lastReason).toBe(`closed-${code}`);
      expect(harness.emitted.at(-1)).toMatchObject({ type: 'reconnect', attempt: 1, reason: `closed-${code}` });
      expect(socket.torn).toBe(true);
      expect(socket.terminated).toBe(false);
      expect(harness.liveSockets()).toHaveLength(0);
    },
  );

  test.each(SOCKET_PHASES)(
    'an error in %s tears the socket down and reconnects with reason socket-error:<code>',
    async (phase) => {
      const harness = createHarness({}, { manualChecks: true });
      await driveTo(harness, phase);
      harness.current().errored('ECONNRESET');
      await harness.settle();
      expect(harness.state()).toBe('reconnect');
      expect(harness.actor.getSnapshot().context.lastReason).toBe('socket-error:ECONNRESET');
      expect(harness.liveSockets()).toHaveLength(0);
    },
  );

  test('the closed socket is never reused: the next one has a new id and is the only one alive', async () => {
    const harness = createHarness({}, { manualChecks: true });
    await driveTo(harness, 'authenticated', { afterALostSocket: true });
    expect(harness.sockets.map((socket) => socket.socketId)).toEqual([1, 2]);
    expect(harness.liveSockets().map((socket) => socket.socketId)).toEqual([2]);
  });
});

/** Every event an old socket could still have in flight. */
function staleEvents(socketId: number): SocketEvent[] {
  return [
    { type: 'SOCKET.OPENED', socketId },
    ...[
      frames.greeting,
      frames.stsAuthenticated,
      frames.stsUnauthenticated,
      frames.waitingForSession,
      frames.heartbeat,
      frames.echo,
      frames.topicUnknown,
    ].map((message) => ({ type: 'SOCKET.MESSAGE' as const, socketId, message })),
    { type: 'SOCKET.ACTIVITY', socketId },
    { type: 'SOCKET.ERROR', socketId, error: { code: 'ECONNRESET', message: 'reset' } },
    { type: 'SOCKET.CLOSED', socketId, code: 1006, reason: '' },
  ];
}

function observable(harness: Harness) {
  const snapshot = harness.actor.getSnapshot();
  return {
    value: snapshot.value,
    context: JSON.stringify(snapshot.context),
    emitted: harness.emitted.length,
    commands: harness.sockets.map((socket) => socket.commands.length),
    live: harness.liveSockets().map((socket) => socket.socketId),
    timeouts: harness.timeouts(),
    checks: harness.checks.length,
  };
}

describe('stale-socket protection', () => {
  test.each(RESTING_PLACES.filter((place) => place !== 'idle'))(
    'in %s, every event of an older socket is ignored',
    async (place) => {
      const harness = createHarness({ maxAttempts: 3 }, { manualChecks: true });
      await driveTo(harness, place, { afterALostSocket: true });
      const before = observable(harness);
      for (const event of staleEvents(1)) harness.actor.send(event);
      await harness.settle();
      expect(observable(harness)).toEqual(before);
    },
  );

  test('in idle, socket events of any id are ignored', async () => {
    const harness = createHarness({}, { manualChecks: true });
    const before = observable(harness);
    for (const event of [...staleEvents(0), ...staleEvents(1)]) harness.actor.send(event);
    await harness.settle();
    expect(observable(harness)).toEqual(before);
  });

  test('a torn-down socket cannot reach the machine even through its own callback', async () => {
    const harness = createHarness({}, { manualChecks: true });
    await driveTo(harness, 'authenticated', { afterALostSocket: true });
    const old = harness.sockets[0]!;
    const before = observable(harness);
    old.opened();
    old.message(frames.stsUnauthenticated);
    old.closed(1006);
    await harness.settle();
    expect(observable(harness)).toEqual(before);
  });

  test('stale heartbeats do not keep a silent current socket alive', async () => {
    const harness = createHarness({}, { manualChecks: true });
    await driveTo(harness, 'authenticated', { afterALostSocket: true });
    for (let elapsed = 0; elapsed < DEFAULT_SILENCE_MS; elapsed += 2_500) {
      harness.actor.send({ type: 'SOCKET.MESSAGE', socketId: 1, message: frames.heartbeat });
      harness.actor.send({ type: 'SOCKET.ACTIVITY', socketId: 1 });
      await harness.advance(2_500);
    }
    expect(harness.state()).toBe('lingering-detected');
  });

  test('a stale close during lingering neither condemns nor rescues the current socket', async () => {
    const harness = createHarness({}, { manualChecks: true });
    await driveTo(harness, 'lingering-detected', { afterALostSocket: true });
    harness.actor.send({ type: 'SOCKET.CLOSED', socketId: 1, code: 1006, reason: '' });
    harness.actor.send({ type: 'SOCKET.MESSAGE', socketId: 1, message: frames.echo });
    await harness.settle();
    expect(harness.state()).toBe('lingering-detected');
    // The probe timeout, then one read of the socket.
    await harness.advance(DEFAULT_TIMING.probeTimeoutMs);
    await harness.advance(1);
    expect(harness.state()).toBe('reconnect');
    expect(harness.actor.getSnapshot().context.lastReason).toBe('probe-timeout');
    expect(harness.sockets[1]!.terminated).toBe(true);
  });
});
