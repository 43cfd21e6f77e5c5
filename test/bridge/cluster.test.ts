/**
 * Past one machine: the bridge against a 3-node NATS cluster on loopback with JetStream replicas 3. Killing the node
 * the bridge is connected to mid-stream loses nothing beyond a marked gap: quotes resume with a gap (or the
 * consumer's own disconnect) in between, and every order pushed during the failover is stored exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBridge, type Bridge } from '../../src/bridge/index.js';
import { createTestClient, eventually, startSimulator, stopWhatWasStarted } from '../support/harness.js';
import { natsPrerequisite, startNatsCluster, stopNatsServers } from '../support/nats-server.js';
import { plainConsumer, type PlainConsumer } from './support/plain-consumer.js';

const nats = natsPrerequisite();
let bridge: Bridge | undefined;
let consumer: PlainConsumer | undefined;

afterAll(async () => {
  await consumer?.close();
  await bridge?.stop();
  await stopWhatWasStarted();
  await stopNatsServers();
});

describe('cluster prerequisites', () => {
  it('has a nats-server (fails in CI without it, skips loudly elsewhere)', () => nats.check());
});

describe.runIf(nats.available)('a 3-node NATS cluster', () => {
  it('survives the loss of the bridge’s node with nothing lost beyond a marked gap', async () => {
    const nodes = await startNatsCluster();
    const urls = nodes.map((node) => node.url);
    const simulator = await startSimulator();
    const client = createTestClient(simulator);
    bridge = createBridge({ client, servers: urls, prefix: 'clu', leaseMs: 3_000, replicas: 3 });
    await Promise.all([client.start(), bridge.ready()]);
    let delivered = 0;
    client.orders().on('data', () => delivered++);

    consumer = await plainConsumer(urls, 'clu', 'clu-consumer');
    consumer.listen('ibkr.clu.md.265598');
    expect(
      (await consumer.subscribe([{ topic: 'smd', conid: 265598, fields: ['31', '84'] }, { topic: 'sor' }], 3_000))[
        'ok'
      ],
    ).toBe(true);
    consumer.renewEvery(1_000);
    await eventually(
      () => consumer!.received.filter((r) => r.kind === 'quote').length >= 3,
      'quotes through the cluster',
      15_000,
    );
    await eventually(
      () => simulator.connections.some((c) => c.frames.some((f) => (f.command as { topic?: string }).topic === 'sor')),
      'sor upstream',
    );
    simulator.pushOrders();

    const victim = nodes.find((node) => `n${nodes.indexOf(node) + 1}` === bridge!.stats().natsServer)!;
    expect(victim).toBeDefined();
    await victim.stop('SIGKILL');
    for (let i = 0; i < 3; i++) simulator.pushOrders();
    const mark = consumer.received.length;
    await eventually(
      () => bridge!.stats().natsUp && bridge!.stats().natsServer !== `n${nodes.indexOf(victim) + 1}`,
      'the bridge on another node',
      15_000,
    );
    await eventually(() => bridge!.stats().outbox === 0, 'outbox flushed to the surviving quorum', 15_000);
    await eventually(
      () => consumer!.received.slice(mark).some((r) => r.kind === 'quote'),
      'quotes after the failover',
      15_000,
    );

    expect(consumer.unmarkedJumps('smd+265598')).toEqual([]);
    const stored = await consumer.readStream('IBKR_CLU_EV', 'ibkr.clu.orders');
    const orders = stored.filter((r) => r.kind === 'orders');
    // Exactly what the client delivered (the simulator adds its own order steps): none lost, none doubled.
    expect(orders).toHaveLength(delivered);
    expect(delivered).toBeGreaterThanOrEqual(4);
    expect(new Set(orders.map((r) => JSON.stringify(r.body))).size).toBe(orders.length);
    const seqs = stored.map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, index) => seqs[0]! + index));
    expect((await consumer.lastValue('IBKR_CLU_LV', 'ibkr.clu.md.265598'))?.key).toBe('smd+265598');
  });
});
