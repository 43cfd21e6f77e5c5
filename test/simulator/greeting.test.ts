import { afterEach, describe, expect, it } from 'vitest';
import { closeEverything, isHeartbeat, isTopic, openSocket, startSimulator } from './helpers.js';

afterEach(closeEverything);

describe('the greeting', () => {
  it('sends system success, act and full sts, in that order, as binary frames', async () => {
    const simulator = await startSimulator();
    const socket = openSocket(simulator);
    await socket.next(isTopic('sts'));
    const [system, account, status] = socket.frames;
    expect(socket.frames.slice(0, 3).every((frame) => frame.binary)).toBe(true);
    expect(system?.json).toEqual({ topic: 'system', success: 'user1234', isFT: false, isPaper: true });
    expect(account?.json.topic).toBe('act');
    expect(account?.json.args).toMatchObject({
      accounts: ['DU1234567'],
      selectedAccount: 'DU1234567',
      isPaper: true,
      isFT: false,
    });
    expect(status?.json).toEqual({
      topic: 'sts',
      args: { connected: true, authenticated: true, established: true, competing: false, message: '', fail: '' },
    });
  });

  it('never puts the session value in the greeting', async () => {
    const simulator = await startSimulator();
    const socket = openSocket(simulator);
    await socket.next(isTopic('sts'));
    expect(socket.frames.some((frame) => frame.text.includes(simulator.sessionValue))).toBe(false);
  });

  it('sends text frames when asked to', async () => {
    const simulator = await startSimulator({ frames: 'text' });
    const socket = openSocket(simulator);
    const system = await socket.next(isTopic('system'));
    expect(system.binary).toBe(false);
  });

  it('accepts a socket on any path, as the gateway does', async () => {
    const simulator = await startSimulator();
    const socket = openSocket(simulator, { path: '/some/other/path?x=1' });
    await socket.next(isTopic('sts'));
    expect(simulator.connections.at(-1)?.path).toBe('/some/other/path');
  });

  it('adds the extra sts variants after the greeting when statusVariants is on', async () => {
    const simulator = await startSimulator({ statusVariants: true });
    const socket = openSocket(simulator);
    await socket.waitForCount(isTopic('sts'), 4);
    const statuses = socket.frames.filter(isTopic('sts')).map((frame) => frame.json.args);
    expect(statuses.slice(1)).toEqual([
      { serverName: 'JifN19053', serverVersion: 'Build 10.25.0p, Dec 5, 2023 5:48:12 PM' },
      { username: 'user1234' },
      { message: '' },
    ]);
  });
});

describe('heartbeats', () => {
  it('sends {"topic":"system","hb":<ms>} every heartbeat interval after the greeting', async () => {
    const simulator = await startSimulator({ heartbeatIntervalMs: 50 });
    const socket = openSocket(simulator);
    const beats = await socket.waitForCount(isHeartbeat, 3);
    expect(Object.keys(beats[0]?.json ?? {})).toEqual(['topic', 'hb']);
    const [first, , third] = beats;
    expect(third!.json.hb - first!.json.hb).toBeGreaterThanOrEqual(80);
    expect(Math.abs(first!.json.hb - first!.at)).toBeLessThan(1_000);
    expect(simulator.counters.heartbeats).toBeGreaterThanOrEqual(3);
  });
});

describe('the readiness rule', () => {
  it('drops and counts client frames that arrive before the greeting', async () => {
    const simulator = await startSimulator({ greetingDelayMs: 400 });
    const socket = openSocket(simulator);
    await socket.opened;
    socket.send('smd+265598+{"fields":["31"]}');
    socket.send('tic');
    await socket.next(isTopic('sts'));
    socket.send('tic');
    await socket.next(isTopic('tic'));
    expect(socket.frames.filter(isTopic('tic'))).toHaveLength(1);
    expect(simulator.counters.droppedBeforeGreeting).toBe(2);
    const frames = simulator.connections.at(-1)?.frames ?? [];
    expect(frames.map((frame) => [frame.text, frame.beforeGreeting, frame.outcome])).toEqual([
      ['smd+265598+{"fields":["31"]}', true, 'dropped-before-greeting'],
      ['tic', true, 'dropped-before-greeting'],
      ['tic', false, 'handled'],
    ]);
    expect(frames[0]?.command).toEqual({ op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31'] });
    // The dropped subscription never produced data.
    expect(socket.frames.some(isTopic('smd+265598'))).toBe(false);
  });
});
