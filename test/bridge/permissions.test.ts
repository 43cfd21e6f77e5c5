/**
 * NATS permissions as docs/BRIDGE.md ("Across machines") prints them: the block is read from the doc and given to a
 * real nats-server as it is (passwords from the environment), then the bridge runs as its user and a consumer as its
 * own. Both must work, and the consumer must not be able to publish data or read other consumers' control requests.
 */
import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridge, type Bridge } from '../../src/bridge/index.js';
import { connectBridge } from '../../src/bridge-client/index.js';
import type { Gap, Quote } from '../../src/subscriptions/types.js';
import type { IbkrWs } from '../../src/client.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import { createTestClient, eventually, startSimulator, stopWhatWasStarted } from '../support/harness.js';
import { natsPrerequisite, startNatsServer, stopNatsServers, type NatsServer } from '../support/nats-server.js';
import { plainConsumer, type PlainConsumer } from './support/plain-consumer.js';

const nats = natsPrerequisite();
const AAPL = 265598;
const MD = `ibkr.main.md.${AAPL}`;

/** The `conf` block of docs/BRIDGE.md, unindented. */
function documentedPermissions(): string {
  const doc = readFileSync(new URL('../../docs/BRIDGE.md', import.meta.url), 'utf8');
  const block = /^( *)```conf\n([\s\S]*?)^\1```/m.exec(doc);
  if (block === null) throw new Error('docs/BRIDGE.md has no ```conf block');
  const indent = block[1]!.length;
  return block[2]!
    .split('\n')
    .map((line) => line.slice(indent))
    .join('\n');
}

describe('bridge prerequisites (permissions)', () => {
  it('has a nats-server (fails in CI without it, skips loudly elsewhere)', () => nats.check());
});

describe.runIf(nats.available)('the documented NATS permissions', () => {
  let server: NatsServer;
  let simulator: GatewaySimulator;
  let client: IbkrWs;
  let bridge: Bridge;
  let consumer: PlainConsumer;
  const bridgePassword = 'b-' + Math.random().toString(36).slice(2);
  const consumerPassword = 'c-' + Math.random().toString(36).slice(2);
  const withUser = (url: string, user: string, password: string) =>
    url.replace('nats://', `nats://${user}:${password}@`);

  beforeAll(async () => {
    // nats-server resolves `$NAME` in its config from its environment, which it inherits from this process.
    process.env['BRIDGE_PASSWORD'] = bridgePassword;
    process.env['CONSUMER_PASSWORD'] = consumerPassword;
    server = await startNatsServer({ config: documentedPermissions() });
    simulator = await startSimulator();
    client = createTestClient(simulator);
    bridge = createBridge({ client, servers: [withUser(server.url, 'bridge', bridgePassword)], leaseMs: 3_000 });
    await Promise.all([client.start(), bridge.ready()]);
    // A plain client passes its user as options (nats.js ignores userinfo in a URL; the bridge takes it out itself).
    consumer = await plainConsumer(server.url, 'main', 'dashboard', { user: 'dashboard', pass: consumerPassword });
  });

  afterAll(async () => {
    await consumer?.close();
    await bridge?.stop();
    await stopWhatWasStarted();
    await stopNatsServers();
    delete process.env['BRIDGE_PASSWORD'];
    delete process.env['CONSUMER_PASSWORD'];
  });

  it('let the bridge assert its streams and serve a consumer: control, live quotes and the last value', async () => {
    consumer.listen(MD);
    const reply = await consumer.subscribe([{ topic: 'smd', conid: AAPL, fields: ['31', '84', '86'] }], 3_000);
    expect(reply).toMatchObject({ v: 1, ok: true, bridge: bridge.run });
    consumer.renewEvery(1_000);
    await eventually(() => consumer.received.filter((r) => r.kind === 'quote').length >= 3, 'three quotes');
    expect(consumer.unmarkedJumps(`smd+${AAPL}`)).toEqual([]);
    const last = await consumer.lastValue('IBKR_MAIN_LV', MD);
    expect(last?.kind).toBe('quote');
  });

  it('refuse the consumer what is not its own: publishing data, reading control requests; no anonymous user', async () => {
    const nc = await connect({ servers: server.url, user: 'dashboard', pass: consumerPassword });
    const refusals: string[] = [];
    void (async () => {
      for await (const status of nc.status()) if (status.type === 'error') refusals.push(String(status.error));
    })();
    nc.subscribe('ibkr.main.ctl.subscribe', { callback: () => undefined });
    nc.publish(MD, new TextEncoder().encode('{"v":1,"kind":"quote","forged":true}'));
    await nc.flush();
    await eventually(() => refusals.length >= 2, 'two permission violations');
    expect(refusals.join('\n')).toMatch(/Permissions Violation for Subscription to "ibkr\.main\.ctl\.subscribe"/i);
    expect(refusals.join('\n')).toMatch(/Permissions Violation for Publish to "ibkr\.main\.md\.265598"/i);
    expect(consumer.received.some((r) => r.body['forged'] === true)).toBe(false);
    await nc.close();
    await expect(connect({ servers: server.url, maxReconnectAttempts: 0 })).rejects.toThrow(/Authorization/i);
  });

  it('let the SDK in with its user in the URL: quotes and the IBKR state', async () => {
    const sdk = await connectBridge({
      servers: withUser(server.url, 'dashboard', consumerPassword),
      consumer: 'sdk-perm',
    });
    try {
      const states: string[] = [];
      sdk.on('state', (value) => states.push(value.state));
      const items: Array<Quote | Gap> = [];
      const aapl = sdk.marketData(AAPL, ['last']);
      void (async () => {
        for await (const item of aapl) items.push(item);
      })();
      await eventually(() => items.some((item) => item.kind === 'quote'), 'a quote through the SDK');
      await eventually(() => states.includes('authenticated'), 'the IBKR state from KV');
    } finally {
      await sdk.close();
    }
  });
});
