import { request as httpsRequest } from 'node:https';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROL_NAMES } from '../../src/simulator/index.js';
import { isLoopbackAddress } from '../../src/simulator/control/http.js';
import type { FaultEvent } from '../../src/simulator/index.js';
import { closeEverything, isTopic, openReadySocket, openSocket, restClient, startSimulator } from './helpers.js';

afterEach(closeEverything);

/** A control call over real HTTP with a raw body (to send non-JSON) and optional extra headers. */
async function rawCall(
  url: string,
  ca: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  const agent = new Agent({ connect: { ca } });
  try {
    const response = await request(new URL(path, url), {
      method: method as 'POST',
      dispatcher: agent,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: JSON.parse(text) };
  } finally {
    await agent.close();
  }
}

describe('the control API', () => {
  it('closes every socket with the code given as a JSON array, and reports the fault', async () => {
    const simulator = await startSimulator();
    const faults: FaultEvent[] = [];
    simulator.on('fault', (event) => faults.push(event));
    const socket = await openReadySocket(simulator);
    const answer = await restClient(simulator).call('POST', '/__sim/closeSockets', [4001]);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ ok: true, name: 'closeSockets', result: null });
    expect((await socket.closed).code).toBe(4001);
    expect(faults).toEqual([expect.objectContaining({ name: 'closeSockets', args: [4001], source: 'api' })]);
  });

  it('takes arguments by name, and answers the queries on GET and POST', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    expect((await rest.call('POST', '/__sim/failNextTickles', { count: 2, status: 503 })).status).toBe(200);
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(503);
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(503);
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(200);
    const counters = await rest.call('GET', '/__sim/counters');
    expect(counters.json.result).toMatchObject({ tickles: 3, failedTickles: 2 });
    expect((await rest.call('POST', '/__sim/counters')).json.result).toMatchObject({ tickles: 3 });
  });

  it('logs out and in: GET /__sim/state follows, the gateway answers 401 in between', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    const socket = await openReadySocket(simulator);
    expect((await rest.call('GET', '/__sim/state')).json.result).toMatchObject({
      loggedIn: true,
      sockets: 1,
      maintenance: false,
    });
    expect((await rest.call('POST', '/__sim/logout')).status).toBe(200);
    await socket.next(isTopic('sts'));
    expect((await socket.closed).code).toBe(1000);
    expect((await rest.call('GET', '/__sim/state')).json.result).toMatchObject({
      loggedIn: false,
      brokerage: { authenticated: false },
    });
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(401);
    expect((await rest.call('POST', '/__sim/login', [])).status).toBe(200);
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(200);
  });

  it('sends raw bytes, base64 for non-UTF-8, and pushes notices', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    const socket = await openReadySocket(simulator);
    await rest.call('POST', '/__sim/sendRaw', {
      data: Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'),
      base64: true,
    });
    const raw = await socket.next((frame) => frame.text.includes('\uFFFD'));
    expect(Buffer.from(raw.text, 'utf8').includes(Buffer.from('{'))).toBe(true);
    await rest.call('POST', '/__sim/pushNotice', ['ntf', { text: 'hello' }]);
    expect((await socket.next(isTopic('ntf'))).json.args).toEqual({ text: 'hello' });
  });

  it.each([
    ['/__sim/noSuchFault', '[]', /unknown control 'noSuchFault'/],
    ['/__sim/closeSockets', '[1006]', /1006 is not a close code a server can send/],
    ['/__sim/closeSockets', '["1000"]', /must be a number/],
    ['/__sim/closeSockets', '[1000, 2]', /at most 1 argument/],
    ['/__sim/maintenance', '[]', /'on' is required/],
    ['/__sim/maintenance', '{"on": true, "off": false}', /unknown argument 'off'/],
    ['/__sim/failNextTickles', '{"count": 1, "status": 200}', /at least 400/],
    ['/__sim/slowHandshake', '[-5]', /at least 0/],
    ['/__sim/pushNotice', '["xyz", {}]', /'ntf' or 'blt'/],
    ['/__sim/pushOrders', '[[1, 2]]', /array of objects/],
    ['/__sim/logout', '{not json', /must be JSON/],
    ['/__sim/logout', '"yes"', /array or object/],
    ['/__sim/%E0%A4%A', '[]', /not valid URL encoding/],
    ['/__sim/constructor', '[]', /unknown control 'constructor'/],
  ])('refuses POST %s %s with 400 and a message, and changes nothing', async (path, body, message) => {
    const simulator = await startSimulator();
    const faults: FaultEvent[] = [];
    simulator.on('fault', (event) => faults.push(event));
    const socket = await openReadySocket(simulator);
    const before = simulator.state;
    const answer = await rawCall(simulator.url, simulator.ca, 'POST', path, body, {
      'content-type': 'application/json',
    });
    expect(answer.status).toBe(400);
    expect(answer.json.ok).toBe(false);
    expect(answer.json.error).toMatch(message);
    expect(simulator.state).toEqual(before);
    expect(simulator.sockets).toBe(1);
    expect(faults).toEqual([]);
    // The socket still speaks: the simulator was not disturbed.
    await socket.heartbeatsPass(2);
  });

  it('is the same call from code: simulator.control() validates and reports the fault with source code', async () => {
    const simulator = await startSimulator();
    const faults: FaultEvent[] = [];
    simulator.on('fault', (event) => faults.push(event));
    simulator.control('maintenance', { on: true });
    expect(simulator.state.maintenance).toBe(true);
    expect(() => simulator.control('maintenance', ['yes'])).toThrow(/must be true or false/);
    expect(simulator.control('state')).toMatchObject({ maintenance: true });
    expect(faults).toEqual([expect.objectContaining({ name: 'maintenance', args: [true], source: 'code' })]);
  });

  it('refuses GET on a fault (it would change state on a read) with 400', async () => {
    const simulator = await startSimulator();
    const answer = await rawCall(simulator.url, simulator.ca, 'GET', '/__sim/logout');
    expect(answer.status).toBe(400);
    expect(simulator.state.loggedIn).toBe(true);
  });

  it('is never reachable under a gateway path', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    for (const path of ['/v1/api/__sim/logout', '/v1/portal/__sim/logout', '/v1/api/sim/logout']) {
      const answer = await rest.call('POST', path);
      expect(answer.status).toBe(404);
      expect(answer.text).toBe('Unknown path');
    }
    expect(simulator.state.loggedIn).toBe(true);
  });

  it('refuses a non-loopback Host (DNS rebinding) and a foreign browser Origin with 403', async () => {
    const simulator = await startSimulator();
    const foreignHost = await new Promise<number>((resolve, reject) => {
      // node:https keeps the TLS name (servername) apart from the Host header a rebinding page would send.
      const call = httpsRequest(
        {
          host: '127.0.0.1',
          port: simulator.port,
          path: '/__sim/logout',
          method: 'POST',
          ca: simulator.ca,
          servername: 'localhost',
          headers: { host: 'evil.example:5000' },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      call.on('error', reject);
      call.end();
    });
    expect(foreignHost).toBe(403);
    const foreignOrigin = await rawCall(simulator.url, simulator.ca, 'POST', '/__sim/logout', '', {
      origin: 'https://evil.example',
    });
    expect(foreignOrigin.status).toBe(403);
    expect(simulator.state.loggedIn).toBe(true);
    const loopbackOrigin = await rawCall(simulator.url, simulator.ca, 'GET', '/__sim/state', undefined, {
      origin: 'https://localhost:3000',
    });
    expect(loopbackOrigin.status).toBe(200);
  });

  it('accepts loopback peers only', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.5')).toBe(false);
    expect(isLoopbackAddress('::ffff:192.168.1.2')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });

  it('never hands out the session value: recorded {"session":…} frames are redacted', async () => {
    const simulator = await startSimulator({ requireSessionMessage: true });
    const socket = openSocket(simulator);
    await socket.next((frame) => frame.json?.message === 'waiting for session');
    socket.send(JSON.stringify({ session: simulator.sessionValue }));
    await socket.next(isTopic('system'));
    const rest = restClient(simulator);
    expect((await rest.call('POST', '/__sim/rotateSession')).json).toEqual({
      ok: true,
      name: 'rotateSession',
      result: null,
    });
    const connections = await rest.call('GET', '/__sim/connections');
    expect(connections.status).toBe(200);
    expect(connections.json.result[0].frames.length).toBeGreaterThan(0);
    expect(connections.text).not.toContain(simulator.sessionValue);
    expect(connections.text).not.toContain('0123456789abcdef0123456789abcdef');
  });

  it('lists every control on GET /__sim/, and is off with controlApi: false', async () => {
    const simulator = await startSimulator();
    const list = await restClient(simulator).call('GET', '/__sim/');
    expect(Object.keys(list.json.controls).sort()).toEqual([...CONTROL_NAMES].sort());
    expect(CONTROL_NAMES).toEqual(
      expect.arrayContaining([
        'linger',
        'resume',
        'dropConnections',
        'closeSockets',
        'logout',
        'login',
        'expireBrokerageSession',
        'competingSession',
        'rotateSession',
        'maintenance',
        'sendRaw',
        'slowHandshake',
        'failNextTickles',
        'setRequireSessionMessage',
        'pushOrders',
        'pushTrades',
        'pushNotice',
        'counters',
        'connections',
        'state',
      ]),
    );
    const plain = await startSimulator({ controlApi: false });
    const answer = await restClient(plain).call('GET', '/__sim/state');
    expect(answer.status).toBe(404);
  });
});
