import { afterEach, describe, expect, it } from 'vitest';
import { closeEverything, isTopic, openReadySocket, startSimulator } from './helpers.js';

afterEach(closeEverything);

describe('tic', () => {
  it('is answered {"topic":"tic","alive":true,"id":<session>,"lastAccessed":<ms>}', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    const before = Date.now();
    socket.send('tic');
    const reply = await socket.next(isTopic('tic'));
    expect(reply.binary).toBe(true);
    expect(Object.keys(reply.json)).toEqual(['topic', 'alive', 'id', 'lastAccessed']);
    expect(reply.json).toMatchObject({ topic: 'tic', alive: true, id: simulator.sessionValue });
    expect(reply.json.lastAccessed).toBeGreaterThanOrEqual(before);
  });

  it('is answered with four identical frames when ticReplies is 4, like LIVE-DE', async () => {
    const simulator = await startSimulator({ ticReplies: 4 });
    const socket = await openReadySocket(simulator);
    socket.send('tic');
    const replies = await socket.waitForCount(isTopic('tic'), 4);
    expect(new Set(replies.map((reply) => reply.text)).size).toBe(1);
  });
});

describe('ech+hb', () => {
  it('is echoed verbatim as ech+hb', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('ech+hb');
    const echo = await socket.next((frame) => frame.json === undefined);
    expect(echo.text).toBe('ech+hb');
    expect(echo.binary).toBe(true);
  });
});

describe('client frames', () => {
  it('are accepted as binary frames too', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send(Buffer.from('tic'));
    await socket.next(isTopic('tic'));
    expect(simulator.connections.at(-1)?.frames[0]).toMatchObject({ text: 'tic', binary: true, outcome: 'handled' });
  });

  it('close the socket 1009 when larger than maxClientPayloadBytes', async () => {
    const simulator = await startSimulator({ maxClientPayloadBytes: 1_024 });
    const socket = await openReadySocket(simulator);
    socket.send(`ssd+DU1234567+{"keys":["${'x'.repeat(2_000)}"]}`);
    expect((await socket.closed).code).toBe(1009);
  });
});

describe('unknown topics', () => {
  it('are answered {"error":"Topic unknown \'<3 chars>\'","code":1}', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('xyz+{}');
    const error = await socket.next((frame) => frame.json?.error !== undefined);
    expect(error.json).toEqual({ error: "Topic unknown 'xyz'", code: 1 });
    const record = simulator.connections.at(-1)?.frames.at(-1);
    expect(record?.command).toEqual({ error: 'topic-unknown', code3: 'xyz' });
    expect(record?.outcome).toBe('topic-unknown');
  });

  it('covers a known code whose arguments cannot be read', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('smd+AAPL+{"fields":["31"]}');
    expect((await socket.next((frame) => frame.json?.error !== undefined)).json).toEqual({
      error: "Topic unknown 'smd'",
      code: 1,
    });
  });
});

describe('the option-exercise handshake', () => {
  it('acknowledges shs+exercise with {"topic":"shs+exercise"}', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('shs+exercise+{"CEX":"123456789"}');
    expect((await socket.next(isTopic('shs+exercise'))).json).toEqual({ topic: 'shs+exercise' });
  });
});

describe('the record of client frames', () => {
  it('emits client-frame with the parsed intent and keeps it per connection', async () => {
    const simulator = await startSimulator();
    const seen: string[] = [];
    simulator.on('client-frame', (frame) => seen.push(frame.text));
    const socket = await openReadySocket(simulator);
    const waiting = simulator.waitForClientFrame((frame) => 'op' in frame.command && frame.command.op === 'echo');
    socket.send('tic');
    socket.send('ech+hb');
    const echo = await waiting;
    expect(echo).toMatchObject({
      text: 'ech+hb',
      binary: false,
      beforeGreeting: false,
      outcome: 'handled',
      command: { op: 'echo' },
    });
    expect(seen).toEqual(['tic', 'ech+hb']);
    const connection = simulator.connections.at(-1);
    expect(connection?.frames.map((frame) => frame.command)).toEqual([{ op: 'tic' }, { op: 'echo' }]);
    expect(simulator.counters.clientFrames).toBe(2);
  });

  it('rejects waitForClientFrame after its timeout', async () => {
    const simulator = await startSimulator();
    await expect(simulator.waitForClientFrame(() => true, 50)).rejects.toThrow(/no matching client frame/);
  });
});
