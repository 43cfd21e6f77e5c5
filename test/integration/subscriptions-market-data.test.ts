/**
 * Market data over time and at scale: streams the simulator expires are re-requested in time (the statechart's
 * refresh) or, failing that, noticed and re-requested (the hub's expiry); 100 streams come back within a second of
 * re-authentication.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import type { IbkrWs } from '../../src/client.js';
import type { Quote } from '../../src/subscriptions/index.js';
import {
  FAST_TIMING,
  createTestClient,
  eventually,
  recordStates,
  startSimulator,
  stopWhatWasStarted,
} from '../support/harness.js';
import { subscribeFrames, tap } from '../subscriptions/integration-support.js';

let simulator: GatewaySimulator | undefined;
let client: IbkrWs | undefined;

afterEach(stopWhatWasStarted);

describe('stream expiry', () => {
  it('re-requests market data before the gateway expires it, so quotes never stop', async () => {
    simulator = await startSimulator({ marketDataStreamLifetimeMs: 1_000 });
    client = createTestClient(simulator, { timing: { ...FAST_TIMING, marketDataRefreshMs: 400 } });
    await client.start();
    const quotes = tap(client.marketData(265598, ['31', '84', '86']));
    await quotes.handle.acknowledged;
    const statuses: string[] = [];
    quotes.handle.on('status', (change) => statuses.push(change.status));
    // Four lifetimes: without the refresh the stream would have ended after the first.
    for (let lifetime = 0; lifetime < 4; lifetime++) {
      const before = quotes.data().length;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(quotes.data().length).toBeGreaterThan(before);
    }
    expect(statuses).not.toContain('expired');
    expect(quotes.gaps()).toEqual([]);
    expect(
      subscribeFrames(simulator).filter((frame) => frame.text.startsWith('smd+265598')).length,
    ).toBeGreaterThanOrEqual(8);
  });

  it('notices a stream that expired anyway, marks it expired with a gap, and re-requests it at once', async () => {
    simulator = await startSimulator({ marketDataStreamLifetimeMs: 600 });
    client = createTestClient(simulator, {
      // No refresh within the test: the expiry rule alone must bring the stream back.
      timing: { ...FAST_TIMING, marketDataRefreshMs: 600_000 },
      subscriptions: { marketDataExpiryMs: 400 },
    });
    const subscriptionEvents: string[] = [];
    client.on('subscription', (change) => subscriptionEvents.push(`${change.key} ${change.status}`));
    await client.start();
    const quotes = tap(client.marketData(8314, ['31', '84']));
    await quotes.handle.acknowledged;
    await eventually(() => subscriptionEvents.includes('smd+8314 expired'), 'the stream marked expired');
    await quotes.dataAfterGap('quotes again after the re-request');
    expect(quotes.gaps().map((gap) => gap.reason)).toContain('expired');
    await eventually(() => quotes.handle.status === 'active', 'active again');
    expect(
      subscribeFrames(simulator).filter((frame) => frame.text.startsWith('smd+8314')).length,
    ).toBeGreaterThanOrEqual(2);
  });
});

describe('scale', () => {
  it('restores 100 market-data streams within one second of re-authentication', async () => {
    simulator = await startSimulator({ marketDataIntervalMs: 100 });
    client = createTestClient(simulator);
    const recorder = recordStates(client);
    await client.start();
    const handles = Array.from({ length: 100 }, (_, index) => client!.marketData(10_000 + index, ['31', '84', '86']));
    await Promise.all(handles.map((handle) => handle.acknowledged));
    const restoredAt = new Map<number, number>();
    handles.forEach((handle, index) =>
      handle.on('status', (change) => {
        if (change.status === 'active') restoredAt.set(index, Date.now());
      }),
    );
    simulator.closeSockets(1000);
    await recorder.waitForState('reconnect');
    const authenticated = await recorder.waitForState('authenticated');
    await eventually(() => restoredAt.size === 100, 'all 100 streams active again', 5_000);
    const slowest = Math.max(...restoredAt.values()) - authenticated.at;
    expect(slowest).toBeLessThan(1_000);
    // Each stream is a quote again, complete from the new stream's first message.
    const last = handles[99]!;
    const quote = await new Promise<Quote>((resolve) => last.on('data', resolve));
    expect(quote.conid).toBe(10_099);
  });
});
