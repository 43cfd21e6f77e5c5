/**
 * `ibkr-ws bridge` as users run it: a child process with connect's conventions (exit codes, `--json` lines ending in
 * `stopped`, no secrets), feeding a plain NATS consumer from `--subscribe` without any consumer asking first.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startGatewaySimulator, type GatewaySimulator } from '../../src/simulator/index.js';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../cli/support/capture-io.js';
import { runCli } from '../cli/support/spawn-cli.js';
import { parseJsonLines, stateSequence } from '../cli/support/contract.js';
import { eventually } from '../support/harness.js';
import { freePort, natsPrerequisite, startNatsServer, stopNatsServers } from '../support/nats-server.js';
import { plainConsumer, type PlainConsumer } from './support/plain-consumer.js';

const nats = natsPrerequisite();
let simulator: GatewaySimulator | undefined;
let consumer: PlainConsumer | undefined;

afterAll(async () => {
  await consumer?.close();
  await simulator?.close();
  await stopNatsServers();
});

describe('ibkr-ws bridge prerequisites', () => {
  it('has a nats-server (fails in CI without it, skips loudly elsewhere)', () => nats.check());
});

describe('ibkr-ws bridge arguments (in-process main)', () => {
  const run = async (...args: string[]) => {
    const captured = captureIo();
    const code = await main(['bridge', ...args], captured.io);
    return { code, stdout: captured.stdout.join('\n'), stderr: captured.stderr.join('\n') };
  };

  it('exits 2 without --nats, with a bad prefix, lease or replicas, and with a NATS URL that is not one', async () => {
    const base = ['--gateway', 'https://localhost:5000', '--insecure'];
    expect(await run(...base)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--nats URL is required/) });
    expect(await run(...base, '--nats', 'nats://127.0.0.1:4222', '--prefix', 'A.B')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--prefix/),
    });
    expect(await run(...base, '--nats', 'nats://127.0.0.1:4222', '--lease', '5')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--lease/),
    });
    expect(await run(...base, '--nats', 'nats://127.0.0.1:4222', '--replicas', '2')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--replicas/),
    });
    expect(await run(...base, '--nats', 'nats://127.0.0.1:4222', '--subscribe', 'smh:265598')).toMatchObject({
      code: 2,
    });
    expect(await run('--nats', 'nats://127.0.0.1:4222')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--gateway/),
    });
    const url = await run(...base, '--nats', 'http://user:hunter2@example.com');
    expect(url.code).toBe(2);
    expect(url.stderr).not.toContain('hunter2');
  });

  it('runs and stops cleanly (exit 0, last state stopped) while NATS was never reachable', async () => {
    const gateway = await startGatewaySimulator({ port: 0, heartbeatIntervalMs: 200, greetingDelayMs: 20 });
    try {
      const closedPort = await freePort();
      const result = await run(
        '--gateway',
        gateway.url,
        '--ca',
        gateway.caPath,
        '--nats',
        `nats://u:hunter2@127.0.0.1:${closedPort}`,
        '--json',
        '--for',
        '1.5',
      );
      expect(result.code).toBe(0);
      const lines = parseJsonLines(result.stdout.split('\n'));
      expect(stateSequence(lines).at(-1)).toBe('stopped');
      expect(lines.some((line) => line.type === 'bridge-error' && /cannot connect/.test(String(line['message'])))).toBe(
        true,
      );
      expect(result.stdout + result.stderr).not.toContain('hunter2');
    } finally {
      await gateway.close();
    }
  });

  it('prints its help with exit 0', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: ibkr-ws bridge/);
  });
});

describe.runIf(nats.available)('ibkr-ws bridge --json', () => {
  it('bridges --subscribe to NATS, reports its life as JSON lines, and stops cleanly after --for', async () => {
    const server = await startNatsServer();
    simulator = await startGatewaySimulator({
      port: 0,
      heartbeatIntervalMs: 200,
      greetingDelayMs: 20,
      marketDataIntervalMs: 100,
    });
    consumer = await plainConsumer(server.url, 'cli', 'cli-watcher');
    consumer.listen('ibkr.cli.md.265598');
    const run = runCli(
      [
        'bridge',
        '--gateway',
        simulator.url,
        '--ca',
        simulator.caPath,
        '--nats',
        server.url,
        '--prefix',
        'cli',
        '--lease',
        '1000',
        '--subscribe',
        'smd:265598:31,84,86',
        '--json',
        '--for',
        '4',
        '--heartbeat-timeout',
        '800',
        '--probe-timeout',
        '400',
      ],
      { timeoutMs: 20_000 },
    );
    await eventually(
      () => consumer!.received.filter((r) => r.kind === 'quote').length >= 3,
      'quotes from the CLI bridge',
      15_000,
    );
    const result = await run;
    expect(result.code).toBe(0);
    const lines = parseJsonLines(result.lines);
    expect(lines[0]).toMatchObject({ type: 'bridge', prefix: 'cli', leaseMs: 1000 });
    expect(lines.some((line) => line.type === 'nats' && line['state'] === 'up')).toBe(true);
    expect(
      lines.some((line) => line.type === 'upstream' && line['key'] === 'smd+265598' && line['action'] === 'open'),
    ).toBe(true);
    const states = stateSequence(lines);
    expect(states.at(-1)).toBe('stopped');
    expect(states).toContain('authenticated');
    expect(result.stdout + result.stderr).not.toContain(simulator.sessionValue);
    expect(consumer.unmarkedJumps('smd+265598')).toEqual([]);
    // The stop is told in-band too: the last value says the stream ended, not a stale quote.
    await eventually(() => consumer!.received.at(-1)?.kind === 'gap', 'a final gap');
  });
});
