import { afterEach, describe, expect, it } from 'vitest';
import {
  closeEverything,
  isHeartbeat,
  isTopic,
  openReadySocket,
  openSocket,
  startSimulator,
  TestSocket,
} from './helpers.js';

afterEach(closeEverything);

const isWaiting = (frame: { json: any }): boolean => frame.json?.message === 'waiting for session';

describe('the waiting-for-session path', () => {
  it('asks a socket for its session when requireSessionMessage is on, and accepts the tickle value', async () => {
    const simulator = await startSimulator({ requireSessionMessage: true });
    const socket = openSocket(simulator);
    const waiting = await socket.next();
    expect(waiting.json).toEqual({ message: 'waiting for session' });
    expect(waiting.binary).toBe(true);
    socket.send(JSON.stringify({ session: simulator.sessionValue }));
    await socket.next(isTopic('system'));
    expect(socket.frames.slice(1, 3).map((frame) => frame.json)).toEqual([
      { topic: 'sts', args: { authenticated: true } },
      { topic: 'system', success: 'user1234', isFT: false, isPaper: true },
    ]);
    await socket.next(isHeartbeat);
  });

  it('answers a wrong session value with sts authenticated:false and keeps waiting', async () => {
    const simulator = await startSimulator({ requireSessionMessage: true });
    const socket = openSocket(simulator);
    await socket.next(isWaiting);
    socket.send('{"session":"ffffffffffffffffffffffffffffffff"}');
    expect((await socket.next(isTopic('sts'))).json).toEqual({ topic: 'sts', args: { authenticated: false } });
    socket.send(JSON.stringify({ session: simulator.sessionValue }));
    expect((await socket.next(isTopic('sts'))).json.args).toEqual({ authenticated: true });
    const outcomes = simulator.connections.at(-1)?.frames.map((frame) => frame.outcome);
    expect(outcomes).toEqual(['rejected-session', 'handled']);
  });

  it('ignores subscriptions while waiting, but echoes ech+hb', async () => {
    const simulator = await startSimulator({ requireSessionMessage: true });
    const socket = openSocket(simulator);
    await socket.next(isWaiting);
    socket.send('smd+265598+{"fields":["31"]}');
    socket.send('ech+hb');
    expect((await socket.next((frame) => frame.text === 'ech+hb')).binary).toBe(true);
    expect(simulator.connections.at(-1)?.frames.map((frame) => frame.outcome)).toEqual([
      'ignored-awaiting-session',
      'handled',
    ]);
  });

  it('asks for the session when the gateway is not logged in, and accepts it once someone logs in', async () => {
    const simulator = await startSimulator({ loggedIn: false });
    const socket = openSocket(simulator);
    await socket.next(isWaiting);
    socket.send(JSON.stringify({ session: simulator.sessionValue }));
    expect((await socket.next(isTopic('sts'))).json.args).toEqual({ authenticated: false });
    simulator.login();
    socket.send(JSON.stringify({ session: simulator.sessionValue }));
    expect((await socket.next(isTopic('sts'))).json.args).toEqual({ authenticated: true });
    await socket.next(isTopic('system'));
    expect(socket.frames.some(isTopic('act'))).toBe(false);
  });

  it('applies setRequireSessionMessage to sockets opened afterwards', async () => {
    const simulator = await startSimulator();
    await openReadySocket(simulator);
    simulator.setRequireSessionMessage(true);
    const asked = openSocket(simulator);
    await asked.next(isWaiting);
    simulator.setRequireSessionMessage(false);
    await openReadySocket(simulator);
  });
});

describe('the socket handshake', () => {
  it("ignores the client's cookies: the gateway's own login authenticates the socket", async () => {
    const simulator = await startSimulator();
    const socket = new TestSocket(simulator.wsUrl, {
      ca: simulator.ca,
      headers: { Cookie: 'api=ffffffffffffffffffffffffffffffff' },
    });
    try {
      await socket.next(isTopic('sts'));
      expect(socket.frames[0]?.json.success).toBe('user1234');
    } finally {
      await socket.close();
    }
  });
});

describe('a session message on an authenticated socket', () => {
  it('is answered Topic unknown with the first three characters, {"s', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send(JSON.stringify({ session: simulator.sessionValue }));
    const error = await socket.next((frame) => frame.json?.error !== undefined);
    expect(error.text).toBe('{"error":"Topic unknown \'{\\"s\'","code":1}');
    expect(error.json).toEqual({ error: "Topic unknown '{\"s'", code: 1 });
    expect(simulator.counters.topicUnknown).toBe(1);
  });
});
