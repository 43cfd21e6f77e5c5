/**
 * Subscriptions through the real client against the simulator over TLS: sent only once the socket is ready, never
 * before the gateway's greeting, and delivered whenever they were asked for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import type { IbkrWs } from '../../src/client.js';
import { createTestClient, eventually, recordStates, startSimulator, stopWhatWasStarted } from '../support/harness.js';
import { subscribeFrames, tap } from '../subscriptions/integration-support.js';

let simulator: GatewaySimulator | undefined;
let client: IbkrWs | undefined;

afterEach(stopWhatWasStarted);

describe('delivery once ready', () => {
  it('delivers subscriptions made before start() once the socket is authenticated', async () => {
    simulator = await startSimulator();
    client = createTestClient(simulator);
    const quotes = tap(client.marketData(265598, ['31', '84', '86', '55']));
    const pnl = tap(client.pnl());
    const summary = tap(client.accountSummary('DU1234567'));
    expect(quotes.handle.status).toBe('pending');
    await client.start();
    await Promise.all([quotes.handle.acknowledged, pnl.handle.acknowledged, summary.handle.acknowledged]);
    await quotes.moreData(1, 'a quote');
    const quote = quotes.data().at(-1);
    expect(quote).toMatchObject({
      kind: 'quote',
      conid: 265598,
      named: { symbol: 'AAPL' },
      availability: { timeline: 'realtime' },
    });
    expect(client.subscriptions().map((row) => [row.key, row.status])).toEqual([
      ['smd+265598', 'active'],
      ['spl', 'active'],
      ['ssd+DU1234567', 'active'],
    ]);
  });

  it('delivers a subscription made during an outage once the gateway is back', async () => {
    simulator = await startSimulator();
    client = createTestClient(simulator);
    const recorder = recordStates(client);
    await client.start();
    simulator.maintenance(true);
    await recorder.waitForState('reconnect');
    const quotes = tap(client.marketData(8314, ['31']));
    const ledger = tap(client.ledger('DU1234567'));
    await eventually(() => client!.metrics().reconnects >= 2, 'a few refused reconnects');
    expect(quotes.handle.status).toBe('pending');
    simulator.maintenance(false);
    await recorder.waitForState('authenticated');
    await Promise.all([quotes.handle.acknowledged, ledger.handle.acknowledged]);
    await quotes.moreData(1, 'quotes after the outage');
  });

  it('never lets a subscription frame reach the gateway before its greeting, on the first socket or the next', async () => {
    simulator = await startSimulator({ greetingDelayMs: 300 });
    client = createTestClient(simulator);
    const recorder = recordStates(client);
    const handles = [
      client.marketData(265598, ['31']),
      client.orders(),
      client.pnl(),
      client.trades(),
      client.ledger('DU1234567'),
    ];
    await client.start();
    await Promise.all(handles.map((handle) => handle.acknowledged));
    simulator.closeSockets(1000);
    await recorder.waitForState('reconnect');
    await recorder.waitForState('authenticated');
    await eventually(
      () => handles.every((handle) => handle.status === 'active'),
      'every subscription active on the second socket',
    );
    const frames = subscribeFrames(simulator);
    expect(new Set(frames.map((frame) => frame.connectionId)).size).toBe(2);
    expect(frames.length).toBeGreaterThanOrEqual(10);
    for (const frame of frames) {
      expect(frame.beforeGreeting).toBe(false);
      expect(frame.outcome).toBe('handled');
    }
    expect(simulator.counters.droppedBeforeGreeting).toBe(0);
  });

  it('shares one wire subscription between consumers and unsubscribes only when the last one closes', async () => {
    simulator = await startSimulator();
    client = createTestClient(simulator);
    await client.start();
    const first = client.marketData(265598, ['31']);
    const second = client.marketData(265598, ['84']);
    await Promise.all([first.acknowledged, second.acknowledged]);
    expect(client.subscriptions()).toEqual([expect.objectContaining({ key: 'smd+265598', consumers: 2 })]);
    first.close();
    expect(simulator.state.marketDataLinesInUse).toBe(1);
    second.close();
    await eventually(() => simulator!.state.marketDataLinesInUse === 0, 'the line freed by umd');
  });
});
