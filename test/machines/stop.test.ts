/** `STOP` from every state ends in the final `stopped`, with no socket, no timer and no check left behind. */
import { describe, expect, test, vi } from 'vitest';
import { driveTo, RESTING_PLACES } from './support/drive.js';
import { authenticated, createHarness, frames } from './support/in-memory-adapters.js';

const A_DAY = 24 * 60 * 60 * 1000;

describe('STOP', () => {
  test.each(RESTING_PLACES)('from %s, the machine stops and leaves nothing running', async (place) => {
    const harness = createHarness({ maxAttempts: 2 }, { manualChecks: true });
    await driveTo(harness, place);
    expect(
      harness.timeouts().length + harness.pendingChecks().length + harness.liveSockets().length,
    ).toBeGreaterThanOrEqual(place === 'idle' || place === 'failed' ? 0 : 1);

    harness.actor.send({ type: 'STOP' });
    await harness.settle();

    const snapshot = harness.actor.getSnapshot();
    expect(snapshot.value).toBe('stopped');
    expect(snapshot.status).toBe('done');
    expect(snapshot.context.lastReason).toBe('stop');
    expect(snapshot.children).toEqual({});
    expect(harness.liveSockets()).toEqual([]);
    expect(harness.timeouts()).toEqual([]);
    expect(harness.pendingChecks()).toEqual([]);
    // A normal stop closes (1000, by the adapter's teardown); only a condemned socket is terminated.
    expect(harness.sockets.some((socket) => socket.terminated)).toBe(false);

    const emitted = harness.emitted.length;
    const commands = harness.sockets.map((socket) => socket.commands.length);
    const checks = harness.checks.length;
    await harness.advance(A_DAY);
    expect(harness.emitted).toHaveLength(emitted);
    expect(harness.sockets.map((socket) => socket.commands.length)).toEqual(commands);
    expect(harness.checks).toHaveLength(checks);
    expect(harness.actor.getSnapshot().value).toBe('stopped');
  });

  test('a session check answered after STOP changes nothing', async () => {
    const harness = createHarness({}, { manualChecks: true });
    await driveTo(harness, 'checking-session');
    const [inFlight] = harness.pendingChecks();
    harness.actor.send({ type: 'STOP' });
    await harness.settle();
    expect(inFlight!.cancelled).toBe(true);
    inFlight!.settle(authenticated());
    await harness.settle();
    expect(harness.actor.getSnapshot().value).toBe('stopped');
    expect(harness.sockets).toEqual([]);
  });

  test('events after STOP change nothing', async () => {
    // XState warns about events sent to a stopped actor; that warning is the expected outcome here.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const harness = createHarness({}, { manualChecks: true });
    await driveTo(harness, 'authenticated');
    const socket = harness.current();
    harness.actor.send({ type: 'STOP' });
    await harness.settle();
    for (const type of ['START', 'RETRY', 'STOP'] as const) harness.actor.send({ type });
    harness.actor.send({ type: 'SOCKET.MESSAGE', socketId: socket.socketId, message: frames.greeting });
    await harness.settle();
    expect(harness.actor.getSnapshot().value).toBe('stopped');
    expect(harness.checks).toHaveLength(1);
    expect(harness.timeouts()).toEqual([]);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});
