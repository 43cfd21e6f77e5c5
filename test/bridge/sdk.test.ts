/**
 * `ibkr-ws/bridge-client`: the library's API shape over NATS — async iterables of items and gaps, `on('state')`,
 * lease renewal, its own disconnect as a gap, last values on (re)connect — against a real bridge, simulator and
 * nats-server. Also: the SDK's import graph never reaches the client.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectBridge, type BridgeConnection } from '../../src/bridge-client/index.js';
import { createBridge, type Bridge } from '../../src/bridge/index.js';
import type { Gap, Quote } from '../../src/subscriptions/index.js';
import type { ClientFrameRecord } from '../../src/simulator/index.js';
import { createTestClient, eventually, startSimulator, stopWhatWasStarted } from '../support/harness.js';
import { natsPrerequisite, startNatsServer, stopNatsServers } from '../support/nats-server.js';

const nats = natsPrerequisite();
let bridge: Bridge | undefined;
const connections: BridgeConnection[] = [];

afterAll(async () => {
  for (const connection of connections) await connection.close();
  await bridge?.stop();
  await stopWhatWasStarted();
  await stopNatsServers();
});

/** Runtime (non-type) relative imports, followed from `file`. */
function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'(\.[^']+)'/gms)) {
    runtimeImports(resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts')), seen);
  }
  return seen;
}

describe('the bridge-client package', () => {
  it('never loads the client, its adapters or the statechart at run time', () => {
    const root = join(import.meta.dirname, '..', '..');
    const files = [...runtimeImports(join(root, 'src', 'bridge-client', 'index.ts'))].map((file) =>
      file.slice(root.length + 1),
    );
    expect(files).toContain('src/bridge/contract.ts');
    expect(
      files.filter((file) => /^src\/(client|adapters|subscriptions|cli|simulator)|^machines\//.test(file)),
    ).toEqual([]);
  });

  it('is exported as ibkr-ws/bridge-client', () => {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
      exports: Record<string, { default: string }>;
    };
    expect(manifest.exports['./bridge-client']?.default).toBe('./dist/src/bridge-client/index.js');
  });
});

describe('bridge-client prerequisites', () => {
  it('has a nats-server (fails in CI without it, skips loudly elsewhere)', () => nats.check());
});

describe.runIf(nats.available)('connectBridge', () => {
  it('streams quotes and gaps through IBKR and NATS faults, renews its lease, and releases on close', async () => {
    const server = await startNatsServer();
    const simulator = await startSimulator();
    const client = createTestClient(simulator);
    bridge = createBridge({ client, servers: [server.url], prefix: 'sdk', leaseMs: 1_500 });
    await Promise.all([client.start(), bridge.ready()]);

    const sdk = await connectBridge({ servers: server.url, prefix: 'sdk', consumer: 'sdk-test', leaseMs: 1_500 });
    connections.push(sdk);
    const states: string[] = [];
    sdk.on('state', (value) => states.push(value.state));
    const aapl = sdk.marketData(265598, ['last', 'bid', 'ask']);
    const items: Array<Quote | Gap> = [];
    const reading = (async () => {
      for await (const item of aapl) items.push(item);
    })();
    const quotes = () => items.filter((item): item is Quote => item.kind === 'quote');

    await eventually(() => quotes().length >= 3, 'quotes through the SDK');
    expect(quotes().at(-1)!.named.last).toBeDefined();
    expect(aapl.key).toBe('smd+265598');
    expect(aapl.result).toMatchObject({ key: 'smd+265598', status: expect.stringMatching(/pending|active/) });
    await eventually(() => states.includes('authenticated'), 'the IBKR state from KV');

    // Leases of 1.5 s, renewed every 500 ms: two leases later the bridge still holds it.
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    expect(bridge.stats().consumers).toBe(1);

    // IBKR side: close 1000 → a gap, then fresh data.
    let mark = items.length;
    simulator.closeSockets(1000);
    await eventually(() => items.slice(mark).some((item) => item.kind === 'gap'), 'a gap for the IBKR reconnect');
    const gapAt = mark + items.slice(mark).findIndex((item) => item.kind === 'gap');
    await eventually(() => items.slice(gapAt + 1).some((item) => item.kind === 'quote'), 'a quote after it');

    // NATS side: the SDK's own disconnect is a gap; after the restart it reads the last value and goes live.
    mark = items.length;
    await server.stop('SIGKILL');
    await eventually(
      () => items.slice(mark).some((item) => item.kind === 'gap' && item.reason === 'nats-disconnect'),
      'own disconnect as a gap',
      15_000,
    );
    await server.restart();
    await eventually(
      () => items.slice(mark).some((item) => item.kind === 'quote'),
      'quotes after the NATS restart',
      15_000,
    );
    expect(bridge.stats().upstream).toEqual(['smd+265598']);

    const unsubscribed = simulator.waitForClientFrame((frame: ClientFrameRecord) => {
      const command = frame.command as { op?: string; topic?: string };
      return command.op === 'unsubscribe' && command.topic === 'smd';
    }, 8_000);
    await sdk.close();
    await unsubscribed;
    await reading;
  });
});
