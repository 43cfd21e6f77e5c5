/**
 * `ibkr-ws bridge --oauth FILE` as users run it: a child process on the direct OAuth path against the simulated
 * api.ibkr.com (no gateway), sharing its one IBKR session over a real nats-server. A plain NATS consumer receives a
 * quote while `/readyz` says ready; the bridge's output and everything on NATS carry no secret of the consumer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startGatewaySimulator, type GatewaySimulator, type OAuthRequestEvent } from '../../src/simulator/index.js';
import { main } from '../../src/cli/main.js';
import { sharedOAuthMaterial } from '../simulator/support/oauth-test-client.js';
import { captureIo } from '../cli/support/capture-io.js';
import { runCli } from '../cli/support/spawn-cli.js';
import { parseJsonLines, stateSequence } from '../cli/support/contract.js';
import { eventually } from '../support/harness.js';
import { natsPrerequisite, startNatsServer, stopNatsServers } from '../support/nats-server.js';
import { plainConsumer, type PlainConsumer } from './support/plain-consumer.js';

const nats = natsPrerequisite();
let simulator: GatewaySimulator | undefined;
let consumer: PlainConsumer | undefined;

afterAll(async () => {
  await consumer?.close();
  await simulator?.close();
  await stopNatsServers();
});

describe('ibkr-ws bridge --oauth prerequisites', () => {
  it('has a nats-server (fails in CI without it, skips loudly elsewhere)', () => nats.check());
});

describe('ibkr-ws bridge --oauth arguments (in-process main)', () => {
  const run = async (...args: string[]) => {
    const captured = captureIo();
    const code = await main(['bridge', ...args], captured.io);
    return { code, stdout: captured.stdout.join('\n'), stderr: captured.stderr.join('\n') };
  };

  it('names --oauth in its help', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--oauth FILE/);
  });

  it('exits 2 with a message naming the file when the --oauth FILE cannot be read, --gateway not required', async () => {
    const result = await run('--oauth', '/nonexistent/oauth.json', '--nats', 'nats://127.0.0.1:4222');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/oauth\.json/);
    expect(result.stderr).not.toMatch(/--gateway URL is required/);
  });
});

describe.runIf(nats.available)('ibkr-ws bridge --oauth FILE --json', () => {
  it('authorizes with OAuth, bridges --subscribe to NATS and stops cleanly after --for, printing no secret', async () => {
    const server = await startNatsServer();
    simulator = await startGatewaySimulator({
      port: 0,
      auth: 'oauth',
      oauthMaterial: await sharedOAuthMaterial(),
      heartbeatIntervalMs: 200,
      marketDataIntervalMs: 100,
    });
    const requests: OAuthRequestEvent[] = [];
    simulator.on('oauth-request', (event) => requests.push(event));
    consumer = await plainConsumer(server.url, 'oauth', 'oauth-watcher');
    consumer.listen('ibkr.oauth.md.265598');
    let stdout = '';
    const run = runCli(
      [
        'bridge',
        '--oauth',
        simulator.oauthFile!,
        '--gateway',
        simulator.url,
        '--ca',
        simulator.caPath,
        '--nats',
        server.url,
        '--prefix',
        'oauth',
        '--subscribe',
        'smd:265598:31,84,86',
        '--json',
        '--for',
        '6',
        '--heartbeat-timeout',
        '1500',
        '--probe-timeout',
        '800',
        '--health-port',
        '0',
      ],
      { timeoutMs: 40_000, onStdout: (chunk) => (stdout += chunk) },
    );
    await eventually(
      () => consumer!.received.some((r) => r.kind === 'quote'),
      'a quote over NATS from the OAuth bridge',
      30_000,
    );
    // --health-port is connect's too: the bridge's one client is ready while it streams.
    const healthUrl = /"type":"health","url":"([^"]+)"/.exec(stdout)?.[1];
    expect(healthUrl, stdout).toBeDefined();
    const readyz = await fetch(`${healthUrl}/readyz`, { signal: AbortSignal.timeout(3_000) });
    expect(readyz.status).toBe(200);
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    const lines = parseJsonLines(result.lines);
    expect(lines[0]).toMatchObject({ type: 'bridge', prefix: 'oauth' });
    const states = stateSequence(lines);
    expect(states.slice(0, 2)).toEqual(['authorizing', 'checking-session']);
    expect(states).toContain('authenticated');
    expect(states.at(-1)).toBe('stopped');
    expect(lines.filter((line) => line.type === 'token')).toHaveLength(1);
    expect(
      requests.filter((event) => event.endpoint === 'live-session-token' && event.outcome === 'accepted'),
    ).toHaveLength(1);
    expect(requests.some((event) => event.endpoint === 'websocket-upgrade' && event.outcome === 'accepted')).toBe(true);
    const quote = consumer.received.find((r) => r.kind === 'quote')!;
    expect(quote).toMatchObject({ subject: 'ibkr.oauth.md.265598', key: 'smd+265598' });
    const material = simulator.oauth!.material;
    const everything = result.stdout + result.stderr + JSON.stringify(consumer.received);
    for (const secret of [
      material.accessToken,
      material.accessTokenSecretPlainHex,
      material.accessTokenSecret,
      simulator.sessionValue,
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toMatch(/OAuth oauth_|Authorization:/i);
  }, 60_000);
});
