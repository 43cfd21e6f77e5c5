/**
 * After every fault the client recovers from, every subscription is active again, data flows again, and every
 * stream carries a gap marker where data may have been missed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import type { IbkrWs } from '../../src/client.js';
import type { LifecycleState } from '../../machines/index.js';
import {
  createTestClient,
  eventually,
  recordStates,
  startSimulator,
  type Recorder,
  stopWhatWasStarted,
} from '../support/harness.js';
import { openSocketHolds, tap, type Tap } from '../subscriptions/integration-support.js';

let simulator: GatewaySimulator | undefined;
let client: IbkrWs | undefined;

afterEach(stopWhatWasStarted);

interface Fault {
  readonly name: string;
  /** Injects the fault and waits until the client has gone through it. */
  inject(sim: GatewaySimulator, recorder: Recorder): Promise<void>;
  /** A state the client must pass through. */
  readonly passes: LifecycleState;
}

const FAULTS: Fault[] = [
  {
    name: 'a lingering socket',
    passes: 'lingering-detected',
    async inject(sim, recorder) {
      sim.linger();
      await recorder.waitForState('lingering-detected');
    },
  },
  {
    name: 'a close 1000',
    passes: 'reconnect',
    async inject(sim, recorder) {
      sim.closeSockets(1000);
      await recorder.waitForState('reconnect');
    },
  },
  {
    name: 'a logout and a login',
    passes: 'login-required',
    async inject(sim, recorder) {
      sim.logout();
      await recorder.waitForState('login-required');
      sim.login();
    },
  },
  {
    name: 'a session rotation',
    passes: 'reconnect',
    async inject(sim, recorder) {
      sim.rotateSession();
      await recorder.waitForState('reconnect');
    },
  },
];

describe('every subscription survives every fault', () => {
  it.each(FAULTS)('after $name: active again, data flowing, a gap marker in every stream', async (fault) => {
    simulator = await startSimulator({ pnlIntervalMs: 100, ledgerIntervalMs: 200, accountSummaryIntervalMs: 200 });
    client = createTestClient(simulator);
    const recorder = recordStates(client);
    const gapEvents: string[] = [];
    client.on('gap', (gap) => gapEvents.push(gap.key));
    await client.start();
    const flowing: Array<Tap<unknown>> = [
      tap(client.marketData(265598, ['31', '84', '86'])),
      tap(client.marketData(8314, ['31'])),
      tap(client.pnl()),
      tap(client.accountSummary('DU1234567')),
      tap(client.ledger('DU1234567')),
    ] as Array<Tap<unknown>>;
    // Trades stay quiet here: a short ack timeout lets them count as active (assumed) without slowing the test.
    const quiet: Array<Tap<unknown>> = [
      tap(client.orders()),
      tap(client.trades({ realtimeUpdatesOnly: true, ackTimeoutMs: 200 })),
    ] as Array<Tap<unknown>>;
    const all = [...flowing, ...quiet];
    await Promise.all(flowing.map((stream) => stream.handle.acknowledged));
    await eventually(
      () => all.every((stream) => stream.handle.status === 'active'),
      'everything active before the fault',
    );

    await fault.inject(simulator, recorder);
    await recorder.waitForState('authenticated');
    expect(recorder.states).toContain(fault.passes);

    await eventually(() => all.every((stream) => stream.handle.status === 'active'), 'everything active again');
    await Promise.all(flowing.map((stream, index) => stream.dataAfterGap(`data after the gap in stream ${index}`)));
    for (const stream of quiet) expect(stream.gaps()).toHaveLength(1);
    expect(new Set(gapEvents)).toEqual(new Set(all.map((stream) => stream.handle.key)));
    expect(client.subscriptions().every((row) => row.status === 'active')).toBe(true);
  });

  it('keeps order updates flowing to the same handle across a reconnect', async () => {
    simulator = await startSimulator({ ordersIntervalMs: 0 });
    client = createTestClient(simulator);
    const recorder = recordStates(client);
    await client.start();
    const orders = tap(client.orders());
    await orders.handle.acknowledged;
    // sor has no acknowledgement (active when sent): wait until the gateway holds it before pushing updates.
    await openSocketHolds(simulator, 'sor');
    simulator.pushOrders([{ acct: 'DU1234567', orderId: 1, status: 'Submitted' }]);
    await orders.moreData(1, 'the first order update');
    simulator.closeSockets(1000);
    await recorder.waitForState('reconnect');
    await recorder.waitForState('authenticated');
    await eventually(() => orders.handle.status === 'active', 'orders active again');
    await openSocketHolds(simulator, 'sor');
    simulator.pushOrders([{ acct: 'DU1234567', orderId: 1, status: 'Filled' }]);
    await orders.dataAfterGap('the order update after the reconnect');
    expect(orders.items.map((item) => (item as { kind: string }).kind)).toEqual(['sor', 'gap', 'sor']);
  });
});
