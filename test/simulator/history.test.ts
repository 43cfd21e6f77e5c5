import { afterEach, describe, expect, it } from 'vitest';
import { closeEverything, isTopic, openReadySocket, startSimulator } from './helpers.js';

afterEach(closeEverything);

const isHistory = (frame: { json: any }): boolean =>
  typeof frame.json?.topic === 'string' && frame.json.topic.startsWith('smh+') && frame.json.error === undefined;

describe('smh', () => {
  it('answers once with a string serverId and bars sized by period and bar', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send(
      'smh+265598+{"exchange":"ISLAND","period":"2h","bar":"5min","outsideRth":false,"source":"trades","format":"%h/%l"}',
    );
    const response = (await socket.next(isTopic('smh+265598'))).json;
    expect(response).toMatchObject({
      serverId: '341115',
      symbol: 'AAPL',
      topic: 'smh+265598',
      points: 24,
      barLength: 300,
      timePeriod: '7200s',
    });
    expect(response.data).toHaveLength(24);
    expect(Object.keys(response.data[0])).toEqual(['o', 'c', 'h', 'l', 'v', 't']);
    await socket.heartbeatsPass(2);
    expect(socket.frames.filter(isHistory)).toHaveLength(1);
  });

  it('allows five concurrent requests, refuses the sixth, and frees a slot on umh', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    for (let conid = 1; conid <= 6; conid++) socket.send(`smh+${conid}+{}`);
    const refusal = await socket.next((frame) => frame.json?.error !== undefined);
    expect(refusal.json).toEqual({ topic: 'smh+6', error: 'too many concurrent history requests: at most 5' });
    const responses = await socket.waitForCount(isHistory, 5);
    expect(simulator.state.historyStreamsInUse).toBe(5);
    const serverId = responses[0]!.json.serverId as string;
    socket.send(`umh+${serverId}`);
    expect((await socket.next((frame) => typeof frame.json?.message === 'string')).json).toEqual({
      message: `Unsubscribed ${serverId}`,
    });
    socket.send('smh+6+{}');
    await socket.next(isTopic('smh+6'));
  });

  it('frees the slots of a socket that closes', async () => {
    const simulator = await startSimulator({ maxHistoryStreams: 1 });
    const first = await openReadySocket(simulator);
    first.send('smh+1+{}');
    await first.next(isHistory);
    await first.close();
    const second = await openReadySocket(simulator);
    second.send('smh+2+{}');
    await second.next(isTopic('smh+2'));
  });
});
