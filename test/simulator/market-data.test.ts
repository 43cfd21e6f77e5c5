import { afterEach, describe, expect, it } from 'vitest';
import {
  closeEverything,
  isTopic,
  openReadySocket,
  restClient,
  startSimulator,
  type ReceivedFrame,
} from './helpers.js';

afterEach(closeEverything);

const METADATA = ['topic', 'conid', '_updated', 'server_id', '6119'];
const isError = (frame: ReceivedFrame): boolean => frame.json?.error !== undefined;

describe('smd deltas', () => {
  it('sends every requested field first, then only what changed, always with the metadata', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('smd+265598+{"fields":["31","84","86","85","88","7059","55","6509"]}');
    const messages = await socket.waitForCount(isTopic('smd+265598'), 6);
    const [first, ...later] = messages.map((message) => message.json);
    expect(first).toMatchObject({
      topic: 'smd+265598',
      conid: 265598,
      conidEx: '265598',
      server_id: 'q0',
      '6119': 'q0',
      '55': 'AAPL',
      '6509': 'RpB',
    });
    for (const field of ['31', '84', '86', '85', '88', '7059']) expect(typeof first[field]).toBe('string');
    expect(typeof first._updated).toBe('number');
    const accumulated: Record<string, unknown> = { ...first };
    for (const delta of later) {
      for (const key of METADATA) expect(delta).toHaveProperty(key);
      expect(delta).not.toHaveProperty('55');
      expect(delta).not.toHaveProperty('conidEx');
      for (const [key, value] of Object.entries(delta)) {
        if (!METADATA.includes(key)) expect(accumulated[key]).not.toEqual(value);
        accumulated[key] = value;
      }
    }
    expect(Number(accumulated['86'])).toBeGreaterThan(Number(accumulated['84']));
  });

  it('adds fields when the stream is requested again', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('smd+8314+{"fields":["31"]}');
    await socket.next(isTopic('smd+8314'));
    socket.send('smd+8314+{"fields":["70","71"]}');
    const withHigh = await socket.next((frame) => frame.json?.topic === 'smd+8314' && frame.json['70'] !== undefined);
    expect(withHigh.json['71']).toBeDefined();
    expect(simulator.state.marketDataLinesInUse).toBe(1);
  });

  it('stops silently after umd', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('smd+265598+{"fields":["31"]}');
    await socket.next(isTopic('smd+265598'));
    socket.send('umd+265598+{}');
    await simulator.waitForClientFrame((frame) => frame.text.startsWith('umd'));
    const countAfterUnsubscribe = socket.frames.filter(isTopic('smd+265598')).length;
    await socket.heartbeatsPass(2);
    expect(socket.frames.filter(isTopic('smd+265598')).length).toBe(countAfterUnsubscribe);
    expect(socket.frames.some(isError)).toBe(false);
    expect(simulator.state.marketDataLinesInUse).toBe(0);
  });
});

describe('the market data line limit', () => {
  it('refuses a stream past the limit with an error on its topic, and frees a line on umd', async () => {
    const simulator = await startSimulator({ marketDataLines: 2 });
    const socket = await openReadySocket(simulator);
    socket.send('smd+1001+{"fields":["31"]}');
    socket.send('smd+1002+{"fields":["31"]}');
    socket.send('smd+1003+{"fields":["31"]}');
    const refusal = await socket.next(isError);
    expect(refusal.json).toEqual({ topic: 'smd+1003', error: 'market data lines exhausted: 2 in use' });
    expect(simulator.connections.at(-1)?.frames.map((frame) => frame.outcome)).toEqual([
      'handled',
      'handled',
      'refused-limit',
    ]);
    socket.send('umd+1001+{}');
    socket.send('smd+1003+{"fields":["31"]}');
    await socket.next(isTopic('smd+1003'));
  });

  it('counts lines across sockets and keeps them after a disconnect until unsubscribeall', async () => {
    const simulator = await startSimulator({ marketDataLines: 1 });
    const first = await openReadySocket(simulator);
    first.send('smd+1001+{"fields":["31"]}');
    await first.next(isTopic('smd+1001'));
    await first.close();
    const second = await openReadySocket(simulator);
    second.send('smd+1001+{"fields":["31"]}');
    await second.next(isTopic('smd+1001'));
    second.send('smd+1002+{"fields":["31"]}');
    await second.next(isError);
    const reply = await restClient(simulator).call('GET', '/v1/api/iserver/marketdata/unsubscribeall');
    expect(reply.json).toEqual({ unsubscribed: true });
    expect(simulator.state.marketDataLinesInUse).toBe(0);
    second.send('smd+1002+{"fields":["31"]}');
    await second.next(isTopic('smd+1002'));
  });
});

describe('stream lifetime', () => {
  it('ends a stream silently after its lifetime, and a re-request starts it again', async () => {
    const simulator = await startSimulator({ marketDataStreamLifetimeMs: 100 });
    const socket = await openReadySocket(simulator);
    socket.send('smd+265598+{"fields":["31"]}');
    const request = await simulator.waitForClientFrame((frame) => frame.text.startsWith('smd'));
    await socket.next(isTopic('smd+265598'));
    await socket.heartbeatsPass(3);
    const messages = socket.frames.filter(isTopic('smd+265598'));
    // Stamped by the server: the last message left before the lifetime, counted from when the request arrived.
    expect(messages.at(-1)!.json._updated).toBeLessThan(request.at + 100);
    expect(socket.frames.some(isError)).toBe(false);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    expect(simulator.state.marketDataLinesInUse).toBe(0);
    const before = messages.length;
    socket.send('smd+265598+{"fields":["31"]}');
    await socket.waitForCount(isTopic('smd+265598'), before + 1);
  });
});

describe('flood mode', () => {
  it('pushes as fast as the socket drains, then returns to the paced interval', async () => {
    const simulator = await startSimulator({ marketDataIntervalMs: 10_000 });
    const socket = await openReadySocket(simulator);
    socket.send('smd+265598+{"fields":["31","84","86"]}');
    await simulator.waitForClientFrame((frame) => frame.text.startsWith('smd'));
    simulator.setMarketDataMode('flood');
    const startedAt = Date.now();
    await socket.waitForCount(isTopic('smd+265598'), 5_000, 10_000);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    simulator.setMarketDataMode('interval');
    const count = socket.frames.filter(isTopic('smd+265598')).length;
    await socket.heartbeatsPass(2);
    // What was already queued may still arrive, but no new flood.
    expect(socket.frames.filter(isTopic('smd+265598')).length - count).toBeLessThan(1_000);
  });

  it('starts flooding at once when created in flood mode', async () => {
    const simulator = await startSimulator({ marketDataMode: 'flood', marketDataIntervalMs: 10_000 });
    const socket = await openReadySocket(simulator);
    socket.send('smd+8314+{"fields":["31"]}');
    await socket.waitForCount(isTopic('smd+8314'), 1_000, 10_000);
  });
});

describe('a lost brokerage session', () => {
  it('ends the streams and ignores new subscriptions until it is back', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('smd+265598+{"fields":["31"]}');
    await socket.next(isTopic('smd+265598'));
    simulator.expireBrokerageSession();
    await socket.next((frame) => frame.json?.topic === 'sts' && frame.json.args.authenticated === false);
    const count = socket.frames.filter(isTopic('smd+265598')).length;
    socket.send('smd+8314+{"fields":["31"]}');
    const ignored = await simulator.waitForClientFrame((frame) => frame.text.startsWith('smd+8314'));
    expect(ignored.outcome).toBe('ignored-not-authenticated');
    await socket.heartbeatsPass(2);
    expect(socket.frames.filter(isTopic('smd+265598')).length).toBe(count);
    expect(socket.frames.some(isTopic('smd+8314'))).toBe(false);
    simulator.login();
    await socket.next((frame) => frame.json?.topic === 'sts' && frame.json.args.authenticated === true);
    socket.send('smd+8314+{"fields":["31"]}');
    await socket.next(isTopic('smd+8314'));
  });
});
