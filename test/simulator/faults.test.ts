import { afterEach, describe, expect, it } from 'vitest';
import {
  closeEverything,
  isHeartbeat,
  isTopic,
  openReadySocket,
  openSocket,
  restClient,
  startSimulator,
} from './helpers.js';

afterEach(closeEverything);

describe('linger', () => {
  it('silences every open socket with TCP open, and resume() brings the heartbeats back', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('smd+265598+{"fields":["31"]}');
    await socket.next(isTopic('smd+265598'));
    simulator.linger();
    const silentFrom = socket.frames.length;
    socket.send('tic');
    const ignored = await simulator.waitForClientFrame((frame) => frame.text === 'tic');
    expect(ignored.outcome).toBe('ignored-lingering');
    // The TCP connection and the WebSocket layer stay alive: a ping is still answered.
    const pong = new Promise<void>((resolve) => socket.ws.once('pong', () => resolve()));
    socket.ws.ping();
    await pong;
    // A fresh socket is not affected and serves as the clock for "nothing arrived meanwhile".
    const clock = await openReadySocket(simulator);
    await clock.heartbeatsPass(3);
    expect(socket.frames.length).toBe(silentFrom);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    simulator.resume();
    await socket.next(isHeartbeat);
  });
});

describe('dropConnections', () => {
  it('destroys the TCP connections: the client sees 1006', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    simulator.dropConnections();
    expect((await socket.closed).code).toBe(1006);
    expect(simulator.sockets).toBe(0);
  });
});

describe('closeSockets', () => {
  it('closes with 1000 and no reason by default', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    simulator.closeSockets();
    expect(await socket.closed).toEqual({ code: 1000, reason: '' });
    expect(simulator.connections.at(-1)?.closeCode).toBe(1000);
  });

  it('closes with another code when asked, and refuses codes a server cannot send', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    expect(() => simulator.closeSockets(1006)).toThrow(RangeError);
    simulator.closeSockets(4000);
    expect((await socket.closed).code).toBe(4000);
  });
});

describe('logout and login', () => {
  it('pushes sts authenticated:false and closes 1000; new sockets wait for a session; login restores', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    const socket = await openReadySocket(simulator);
    simulator.logout();
    expect((await socket.next(isTopic('sts'))).json).toEqual({ topic: 'sts', args: { authenticated: false } });
    expect((await socket.closed).code).toBe(1000);
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(401);
    const waiting = openSocket(simulator);
    expect((await waiting.next()).json).toEqual({ message: 'waiting for session' });
    simulator.login();
    expect((await rest.call('POST', '/v1/api/tickle')).json.iserver.authStatus.authenticated).toBe(true);
    await openReadySocket(simulator);
  });

  it('is what REST /logout does too', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    await restClient(simulator).call('POST', '/v1/api/logout');
    expect((await socket.closed).code).toBe(1000);
    expect(simulator.state.loggedIn).toBe(false);
  });
});

describe('maintenance', () => {
  it('answers REST with 503 and closes sockets 1000, now and right after every new accept', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    const socket = await openReadySocket(simulator);
    simulator.maintenance(true);
    expect((await socket.closed).code).toBe(1000);
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(503);
    const refused = openSocket(simulator);
    await refused.opened;
    expect((await refused.closed).code).toBe(1000);
    expect(refused.frames).toHaveLength(0);
    simulator.maintenance(false);
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(200);
    await openReadySocket(simulator);
  });
});

describe('sendRaw', () => {
  it('sends malformed, non-UTF-8 and oversized frames byte for byte', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    const nonUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x99, 0xff, 0x22, 0x7d]);
    const received: Buffer[] = [];
    socket.ws.on('message', (data) => received.push(Buffer.from(data as Buffer)));
    simulator.sendRaw('{"topic":"system",');
    simulator.sendRaw(nonUtf8);
    simulator.sendRaw('x'.repeat(5 * 1024 * 1024), { binary: false });
    await socket.waitForCount((frame) => frame.text.startsWith('xxx'), 1);
    const raw = received.filter((data) => !data.toString().includes('"hb"'));
    expect(raw[0]?.toString()).toBe('{"topic":"system",');
    expect(raw[1]?.equals(nonUtf8)).toBe(true);
    expect(raw[2]?.length).toBe(5 * 1024 * 1024);
    const oversized = socket.frames.find((frame) => frame.text.startsWith('xxx'));
    expect(oversized?.binary).toBe(false);
    expect(socket.frames.find((frame) => frame.text.startsWith('{"topic":"system",'))?.binary).toBe(true);
  });
});

describe('slowHandshake', () => {
  it('holds back the upgrade response', async () => {
    const simulator = await startSimulator();
    // A hold far longer than any loaded machine's TLS handshake, so "held" and "not held" cannot be confused.
    simulator.slowHandshake(1_000);
    const startedAt = Date.now();
    const slow = openSocket(simulator);
    await slow.opened;
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(990);
    simulator.slowHandshake(0);
    const fastStartedAt = Date.now();
    await openSocket(simulator).opened;
    expect(Date.now() - fastStartedAt).toBeLessThan(900);
  });
});

describe('failNextTickles', () => {
  it('fails the next tickles with 401, then serves them again', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    simulator.failNextTickles(2);
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(401);
    expect((await rest.call('GET', '/v1/api/tickle')).status).toBe(401);
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(200);
    expect(simulator.counters).toMatchObject({ tickles: 3, failedTickles: 2 });
  });

  it('fails with another status when asked', async () => {
    const simulator = await startSimulator();
    simulator.failNextTickles(1, 503);
    expect((await restClient(simulator).call('POST', '/v1/api/tickle')).status).toBe(503);
    expect(() => simulator.failNextTickles(1, 200)).toThrow(RangeError);
  });
});

describe('rotateSession', () => {
  it('hands out a new session value on tickle and in tic replies', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    const socket = await openReadySocket(simulator);
    const old = simulator.sessionValue;
    const rotated = simulator.rotateSession();
    expect(rotated).toMatch(/^[0-9a-f]{32}$/);
    expect(rotated).not.toBe(old);
    expect(simulator.sessionValue).toBe(rotated);
    expect((await rest.call('POST', '/v1/api/tickle')).json.session).toBe(rotated);
    socket.send('tic');
    expect((await socket.next(isTopic('tic'))).json.id).toBe(rotated);
  });
});

describe('closeAfterClientSilenceMs', () => {
  it('closes 1000 a socket whose client stays silent, and keeps one that talks', async () => {
    const simulator = await startSimulator({ closeAfterClientSilenceMs: 300 });
    const silent = await openReadySocket(simulator);
    const talking = await openReadySocket(simulator);
    const keepAlive = setInterval(() => talking.send('ech+hb'), 30);
    try {
      expect((await silent.closed).code).toBe(1000);
      expect(talking.ws.readyState).toBe(talking.ws.OPEN);
    } finally {
      clearInterval(keepAlive);
    }
  });
});
