/**
 * IBKR asks for `/iserver/account/orders` before `sor` (docs/PROTOCOL.md §6): order updates may not flow otherwise. The
 * client queries the day's orders once per session value, unfiltered, before the first `sor` of that session —
 * whether orders were wanted at connect time or opened later — and never makes a socket wait for it otherwise.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IbkrWs } from '../../src/client.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import { createTestClient, eventually, recordStates, startSimulator, stopWhatWasStarted } from '../support/harness.js';

let simulator: GatewaySimulator | undefined;
let client: IbkrWs | undefined;

afterEach(stopWhatWasStarted);

const ORDERS_PATH = '/v1/api/iserver/account/orders';

/** The order in which the gateway saw orders queries (`rest`) and `sor` frames (`sor`). */
function timeline(gateway: GatewaySimulator): string[] {
  const seen: string[] = [];
  gateway.on('rest-request', (request) => {
    if (request.path === ORDERS_PATH) seen.push(`rest ${request.method} ${request.status}`);
  });
  gateway.on('client-frame', (frame) => {
    if (frame.text.startsWith('sor')) seen.push('sor');
  });
  return seen;
}

describe('the orders pre-flight', () => {
  it('queries the day’s orders before the first sor when orders are wanted at start', async () => {
    simulator = await startSimulator({ ordersIntervalMs: 0 });
    const seen = timeline(simulator);
    client = createTestClient(simulator);
    const orders = client.orders();
    await client.start();
    await orders.acknowledged;
    await eventually(() => seen.includes('sor'), 'the sor frame at the gateway');
    expect(seen).toEqual(['rest GET 200', 'sor']);
  });

  it('holds an orders subscription opened on a live socket until the query has answered', async () => {
    simulator = await startSimulator({ ordersIntervalMs: 0 });
    const seen = timeline(simulator);
    client = createTestClient(simulator);
    await client.start();
    expect(seen).toEqual([]);
    const orders = client.orders();
    expect(orders.status).toBe('pending');
    await orders.acknowledged;
    await eventually(() => seen.includes('sor'), 'the sor frame at the gateway');
    expect(seen).toEqual(['rest GET 200', 'sor']);
    // A second consumer joins the same wire subscription (unfiltered already covers `Filled`): no second query. The
    // first quote of a stream opened afterwards is the yardstick: a query made at the join would have arrived by then.
    await client.orders(['Filled']).acknowledged;
    await client.marketData(265598, ['31']).acknowledged;
    expect(seen).toEqual(['rest GET 200', 'sor']);
  });

  it('queries once per session value: not again on a new socket, again after the session changed', async () => {
    simulator = await startSimulator({ ordersIntervalMs: 0 });
    const seen = timeline(simulator);
    client = createTestClient(simulator);
    const recorder = recordStates(client);
    const orders = client.orders();
    await client.start();
    await orders.acknowledged;
    await eventually(() => seen.includes('sor'), 'the sor frame at the gateway');
    simulator.closeSockets(1000);
    await recorder.waitForState('reconnect');
    await recorder.waitForState('authenticated');
    await eventually(() => seen.filter((entry) => entry === 'sor').length >= 2, 'sor sent again on the new socket');
    expect(seen).toEqual(['rest GET 200', 'sor', 'sor']);
    simulator.rotateSession();
    simulator.closeSockets(1000);
    await eventually(() => seen.filter((entry) => entry === 'sor').length >= 3, 'sor sent after the session changed');
    expect(seen).toEqual(['rest GET 200', 'sor', 'sor', 'rest GET 200', 'sor']);
  });
});
