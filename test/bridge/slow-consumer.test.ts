/**
 * A slow consumer is the broker's business: nats-server cuts a subscriber that stops reading (here: a raw socket that
 * subscribes and then never reads, against a server with a small `max_pending`; the server's `/varz` counts the cut),
 * and neither the bridge nor a fast consumer notices — the bridge keeps publishing, the fast one keeps every message with contiguous Ibkr-Seq.
 */
import { connect as tcpConnect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createBridge, type Bridge } from '../../src/bridge/index.js';
import { createTestClient, eventually, startSimulator, stopWhatWasStarted } from '../support/harness.js';
import { freePort, natsPrerequisite, startNatsServer, stopNatsServers } from '../support/nats-server.js';
import { plainConsumer, type PlainConsumer } from './support/plain-consumer.js';

const nats = natsPrerequisite();
let bridge: Bridge | undefined;
let fast: PlainConsumer | undefined;

afterAll(async () => {
  await fast?.close();
  await bridge?.stop();
  await stopWhatWasStarted();
  await stopNatsServers();
});

describe('slow consumer prerequisites', () => {
  it('has a nats-server (fails in CI without it, skips loudly elsewhere)', () => nats.check());
});

describe.runIf(nats.available)('a slow consumer', () => {
  it('is cut by the server while the bridge and a fast consumer go on untouched', async () => {
    const monitor = await freePort();
    const server = await startNatsServer({
      config: `max_pending: 262144\nmax_payload: 65536\nwrite_deadline: "250ms"\nhttp: "127.0.0.1:${monitor}"\n`,
    });
    // A paused socket does not even notice being closed: the server's own count says it cut a slow consumer.
    const slowConsumers = async (): Promise<number> =>
      ((await (await fetch(`http://127.0.0.1:${monitor}/varz`)).json()) as { slow_consumers: number }).slow_consumers;
    const simulator = await startSimulator({ marketDataIntervalMs: 10 });
    const client = createTestClient(simulator);
    const conids = Array.from({ length: 20 }, (_, index) => 700_001 + index);
    bridge = createBridge({
      client,
      servers: [server.url],
      prefix: 'slow',
      subscribe: conids.map((conid) => ({ topic: 'smd', conid, fields: ['31', '84', '86', '85', '88'] })),
    });
    await Promise.all([client.start(), bridge.ready()]);
    fast = await plainConsumer(server.url, 'slow', 'fast');
    fast.listen('ibkr.slow.md.>');

    // The slow one: subscribes over a raw socket, then never reads again.
    const slow = tcpConnect(server.port, '127.0.0.1');
    slow.on('error', () => undefined);
    let bytes = 0;
    slow.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes === chunk.length)
        slow.write(
          'CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\nSUB ibkr.slow.md.> 1\r\nPING\r\n',
        );
    });
    await eventually(() => bytes > 10_000, 'the raw subscriber receives quotes');
    slow.pause();
    const publishedAtStart = bridge.stats().published;
    let cut = 0;
    const deadline = Date.now() + 15_000;
    while (cut === 0 && Date.now() < deadline) {
      cut = await slowConsumers();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(cut).toBeGreaterThanOrEqual(1);

    const publishedAtCut = bridge.stats().published;
    const receivedAtCut = fast.received.length;
    await eventually(
      () => fast!.received.length > receivedAtCut + 200 && bridge!.stats().published > publishedAtCut + 200,
      'the bridge and the fast consumer go on',
    );
    expect(publishedAtCut).toBeGreaterThan(publishedAtStart);
    expect(bridge.stats().natsUp).toBe(true);
    expect(bridge.stats().publishErrors).toBe(0);
    expect(fast.received.some((r) => r.kind === 'disconnect')).toBe(false);
    for (const conid of conids) expect(fast.unmarkedJumps(`smd+${conid}`)).toEqual([]);
    slow.destroy();
  });
});
