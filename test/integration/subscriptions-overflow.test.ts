/**
 * Nothing lost silently: a slow consumer's overflow is counted in the metrics and reported as events, under both
 * policies, and a stalled never-drop consumer cannot make the liveness watch kill a healthy socket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import type { IbkrWs } from '../../src/client.js';
import type { IbkrWsError } from '../../src/errors.js';
import { createTestClient, eventually, recordStates, startSimulator, stopWhatWasStarted } from '../support/harness.js';
import { openSocketHolds } from '../subscriptions/integration-support.js';

let simulator: GatewaySimulator | undefined;
let client: IbkrWs | undefined;

afterEach(stopWhatWasStarted);

describe('overflow is counted and reported', () => {
  it('drops the oldest quotes of a consumer that does not read, counting each drop and telling the handle', async () => {
    simulator = await startSimulator({ marketDataIntervalMs: 20 });
    client = createTestClient(simulator);
    await client.start();
    const quotes = client.marketData(265598, ['31', '84', '86'], { bufferSize: 2 });
    let dropEvents = 0;
    quotes.on('drop', (event) => {
      dropEvents += event.count;
    });
    await quotes.acknowledged;
    await eventually(
      () => (client!.metrics().droppedByReason['marketData-drop-oldest'] ?? 0) >= 3,
      'quotes dropped and counted',
    );
    expect(dropEvents).toBe(client.metrics().droppedByReason['marketData-drop-oldest']);
    // The two newest quotes are still there, and they are whole quotes.
    const iterator = quotes[Symbol.asyncIterator]();
    const newest = await iterator.next();
    expect(newest.value).toMatchObject({ kind: 'quote', conid: 265598 });
    expect(client.state).toBe('authenticated');
  });

  it('pauses the socket for a stalled order consumer at most maxPauseMs, then reports and counts what it drops', async () => {
    simulator = await startSimulator({ ordersIntervalMs: 0 });
    client = createTestClient(simulator, { subscriptions: { maxPauseMs: 200 } });
    const recorder = recordStates(client);
    const errors: IbkrWsError[] = [];
    client.on('error', (error) => errors.push(error));
    await client.start();
    const orders = client.orders({ bufferSize: 2 });
    await orders.acknowledged;
    // sor has no acknowledgement (active when sent): wait until the gateway holds it before pushing updates.
    await openSocketHolds(simulator, 'sor');
    const gaps: string[] = [];
    orders.on('gap', (gap) => gaps.push(gap.reason));
    for (let update = 0; update < 20; update++)
      simulator.pushOrders([{ acct: 'DU1234567', orderId: 1, status: 'Submitted', seq: update }]);
    await eventually(() => errors.some((error) => error.code === 'buffer-overflow'), 'the stall reported');
    await eventually(() => (client!.metrics().droppedByReason['orders-overflow'] ?? 0) > 0, 'the overflow counted');
    expect(gaps).toEqual(['overflow']);
    // The pause never lasted long enough to look like a dead socket.
    expect(recorder.states).not.toContain('lingering-detected');
    expect(client.state).toBe('authenticated');
    // What was kept is delivered in order, then the gap marker where updates are missing.
    const iterator = orders[Symbol.asyncIterator]();
    const kept: unknown[] = [];
    for (let index = 0; index < 5; index++) kept.push((await iterator.next()).value);
    expect(kept.map((item) => (item as { kind: string }).kind)).toEqual(['sor', 'sor', 'sor', 'sor', 'gap']);
  });
});
