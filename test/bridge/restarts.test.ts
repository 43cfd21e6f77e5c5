/**
 * Restarts on either side of the bridge lose nothing unmarked: a nats-server SIGKILLed mid-stream and started again on
 * the same store, and the bridge process replaced by a new run that must restore the upstream set from the registered
 * interest before anyone renews. Consumers are plain NATS clients following docs/BRIDGE.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBridge, type Bridge } from '../../src/bridge/index.js';
import type { ClientFrameRecord } from '../../src/simulator/index.js';
import { createTestClient, eventually, startSimulator, stopWhatWasStarted } from '../support/harness.js';
import { natsPrerequisite, startNatsServer, stopNatsServers } from '../support/nats-server.js';
import { plainConsumer, type PlainConsumer } from './support/plain-consumer.js';

const nats = natsPrerequisite();
const bridges: Bridge[] = [];
const consumers: PlainConsumer[] = [];

afterEach(async () => {
  for (const consumer of consumers.splice(0)) await consumer.close();
  for (const bridge of bridges.splice(0)) await bridge.stop();
  await stopWhatWasStarted();
  await stopNatsServers();
});

const isSmd = (op: string, conid: number) => (frame: ClientFrameRecord) => {
  const command = frame.command as { op?: string; topic?: string; conid?: number };
  return command.op === op && command.topic === 'smd' && command.conid === conid;
};

describe('bridge restart prerequisites', () => {
  it('has a nats-server (fails in CI without it, skips loudly elsewhere)', () => nats.check());
});

describe.runIf(nats.available)('restarts', () => {
  it('NATS restart: leases hold, every last-value key gets a gap then its snapshot, outage orders are stored once', async () => {
    const server = await startNatsServer();
    const simulator = await startSimulator();
    const client = createTestClient(simulator);
    const bridge = createBridge({ client, servers: [server.url], prefix: 'rst', leaseMs: 2_500 });
    bridges.push(bridge);
    await Promise.all([client.start(), bridge.ready()]);

    const consumer = await plainConsumer(server.url, 'rst', 'steady');
    consumers.push(consumer);
    consumer.listen('ibkr.rst.md.265598');
    consumer.listen('ibkr.rst.orders');
    const reply = await consumer.subscribe(
      [{ topic: 'smd', conid: 265598, fields: ['31', '84'] }, { topic: 'sor' }],
      2_500,
    );
    expect(reply['ok']).toBe(true);
    consumer.renewEvery(500);
    await eventually(() => consumer.received.filter((r) => r.kind === 'quote').length >= 3, 'quotes before the outage');
    await eventually(
      () => simulator.connections.some((c) => c.frames.some((f) => (f.command as { topic?: string }).topic === 'sor')),
      'sor upstream',
    );
    simulator.pushOrders();
    await eventually(() => consumer.received.some((r) => r.kind === 'orders'), 'an order before the outage');

    await server.stop('SIGKILL');
    await eventually(() => !bridge.stats().natsUp, 'the bridge sees NATS down');
    for (let i = 0; i < 3; i++) simulator.pushOrders();
    await eventually(() => bridge.stats().outbox === 3, 'three orders waiting in the outbox');
    // Longer than the lease: a lease that was not frozen would expire here.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await server.restart();

    await eventually(
      () => bridge.stats().natsUp && bridge.stats().outbox === 0,
      'reconnected and outbox flushed',
      10_000,
    );
    const after = consumer.received.length;
    await eventually(
      () => consumer.received.slice(after).some((r) => r.kind === 'quote'),
      'a fresh quote after the restart',
      10_000,
    );
    expect(bridge.stats().consumers).toBe(1);
    expect([...bridge.stats().upstream].sort()).toEqual(['smd+265598', 'sor']);
    expect(consumer.unmarkedJumps('smd+265598')).toEqual([]);
    expect(
      consumer.received.some((r) => r.kind === 'gap' && r.body['reason'] === 'nats-reconnect') ||
        consumer.received.some((r) => r.kind === 'disconnect'),
    ).toBe(true);

    const stored = await consumer.readStream('IBKR_RST_EV', 'ibkr.rst.orders');
    const orders = stored.filter((r) => r.kind === 'orders');
    expect(orders).toHaveLength(4);
    expect(new Set(orders.map((r) => r.seq)).size).toBe(4);
    const seqs = stored.map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, index) => seqs[0]! + index));
    const last = await consumer.lastValue('IBKR_RST_LV', 'ibkr.rst.md.265598');
    expect(last?.kind).toBe('quote');
  });

  it('bridge restart: a new run re-opens the registered upstream set from KV before any renewal', async () => {
    const server = await startNatsServer();
    const simulator = await startSimulator();
    const firstClient = createTestClient(simulator);
    const first = createBridge({ client: firstClient, servers: [server.url], prefix: 'brs', leaseMs: 2_000 });
    bridges.push(first);
    await Promise.all([firstClient.start(), first.ready()]);
    const a = await plainConsumer(server.url, 'brs', 'alpha');
    const b = await plainConsumer(server.url, 'brs', 'beta');
    consumers.push(a, b);
    a.listen('ibkr.brs.md.265598');
    b.listen('ibkr.brs.md.8314');
    await a.subscribe([{ topic: 'smd', conid: 265598, fields: ['31'] }], 2_000);
    await b.subscribe([{ topic: 'smd', conid: 8314, fields: ['31'] }], 2_000);
    await eventually(
      () => a.received.some((r) => r.kind === 'quote') || a.received.length > 0,
      'alpha hears the bridge',
      10_000,
    );

    // The old run goes away without releasing anything (as if killed); nobody renews from here on.
    await first.stop();
    await firstClient.stop();
    bridges.splice(bridges.indexOf(first), 1);
    const client = createTestClient(simulator);
    const upstreamBack = Promise.all([
      simulator.waitForClientFrame(isSmd('subscribe', 265598), 8_000),
      simulator.waitForClientFrame(isSmd('subscribe', 8314), 8_000),
    ]);
    const second = createBridge({ client, servers: [server.url], prefix: 'brs', leaseMs: 2_000 });
    bridges.push(second);
    const startedAt = Date.now();
    void client.start();
    await second.ready();
    const frames = await upstreamBack;
    expect(second.run).not.toBe(first.run);
    expect([...second.stats().upstream].sort()).toEqual(['smd+265598', 'smd+8314']);
    // Within 1 s of the new bridge's start, beyond the client's own connect (which the restore cannot speed up).
    const connectedAt = Math.min(
      ...simulator.connections.filter((c) => c.frames.some((f) => f.at >= startedAt)).map((c) => c.openedAt),
    );
    for (const frame of frames) expect(frame.at - Math.max(startedAt, connectedAt)).toBeLessThan(3_000);

    await eventually(
      () => a.received.some((r) => r.bridge === second.run && r.kind === 'quote'),
      'alpha gets data from the new run',
      10_000,
    );
    const firstOfNewRun = a.received.find((r) => r.bridge === second.run)!;
    expect(firstOfNewRun).toMatchObject({ kind: 'gap', seq: 1 });
    expect(firstOfNewRun.body['reason']).toBe('bridge-restart');
    expect(a.unmarkedJumps('smd+265598')).toEqual([]);

    // Nobody renews: one lease later the restored registrations expire and the gateway is told.
    await simulator.waitForClientFrame(isSmd('unsubscribe', 265598), 8_000);
    await eventually(() => second.stats().upstream.length === 0, 'both conids released upstream', 5_000);
  });

  it('outbox overflow while NATS is down is a marked gap with the count, in seq order', async () => {
    const server = await startNatsServer();
    const simulator = await startSimulator();
    const client = createTestClient(simulator);
    const bridge = createBridge({
      client,
      servers: [server.url],
      prefix: 'ovf',
      leaseMs: 5_000,
      outboxSize: 2,
      subscribe: [{ topic: 'sor' }],
    });
    bridges.push(bridge);
    await Promise.all([client.start(), bridge.ready()]);
    await eventually(
      () => simulator.connections.some((c) => c.frames.some((f) => (f.command as { topic?: string }).topic === 'sor')),
      'sor upstream',
    );
    await server.stop('SIGKILL');
    await eventually(() => !bridge.stats().natsUp, 'NATS down');
    for (let i = 0; i < 5; i++) simulator.pushOrders();
    await eventually(() => bridge.stats().outboxDropped === 3, 'three orders dropped from the full outbox');
    await server.restart();
    await eventually(() => bridge.stats().natsUp && bridge.stats().outbox === 0, 'outbox flushed', 10_000);
    const reader = await plainConsumer(server.url, 'ovf', 'reader');
    consumers.push(reader);
    const stored = await reader.readStream('IBKR_OVF_EV', 'ibkr.ovf.orders');
    const tail = stored.slice(-3);
    expect(tail.map((r) => r.kind)).toEqual(['gap', 'orders', 'orders']);
    expect(tail[0]!.body).toMatchObject({ kind: 'gap', reason: 'outbox-overflow', missed: 3 });
    const seqs = stored.map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, index) => seqs[0]! + index));
    // Stored events repeat the headers in the body too, last (docs/BRIDGE.md, "Messages").
    for (const r of stored) {
      expect(Object.keys(r.body).slice(-2)).toEqual(['bridge', 'seq']);
      expect([r.body['bridge'], r.body['seq'], r.body['kind']]).toEqual([r.bridge, r.seq, r.kind]);
    }
  });
});
