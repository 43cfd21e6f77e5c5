/**
 * `ibkr-ws connect --json` obeys the contract of README.md ("CLI reference") line for line, tested the way scripts use it: the CLI runs
 * as a child process against a simulator this test controls, which injects a malformed frame and a lingering socket
 * once data flows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewaySimulator, type GatewaySimulator } from '../../src/simulator/index.js';
import { runCli, type CliRun } from './support/spawn-cli.js';
import { expectSubsequence, parseJsonLines, stateSequence, type JsonLine } from './support/contract.js';

let simulator: GatewaySimulator;
let run: CliRun;
let lines: JsonLine[];

beforeAll(async () => {
  simulator = await startGatewaySimulator({
    port: 0,
    heartbeatIntervalMs: 200,
    greetingDelayMs: 20,
    marketDataIntervalMs: 100,
  });
  let faulted = false;
  let seen = '';
  run = await runCli(
    [
      'connect',
      '--gateway',
      simulator.url,
      '--ca',
      simulator.caPath,
      '--subscribe',
      'smd:265598:31,84,86',
      '--json',
      '--for',
      '4',
      '--heartbeat-timeout',
      '800',
      '--probe-timeout',
      '400',
      '--backoff-initial',
      '50',
      '--backoff-max',
      '200',
    ],
    {
      timeoutMs: 20_000,
      onStdout: (chunk) => {
        seen += chunk;
        if (faulted || !seen.includes('"type":"data"')) return;
        faulted = true;
        // Once data flows: a frame that is not JSON (reported, not fatal), then a socket that goes silent.
        simulator.sendRaw('{"topic":"smd+265598","31":');
        setTimeout(() => simulator.linger(), 300);
      },
    },
  );
  lines = parseJsonLines(run.lines);
}, 30_000);

afterAll(async () => {
  await simulator?.close();
});

describe('ibkr-ws connect --json', () => {
  it('exits 0 after --for, with nothing on stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('prints every top-level state change in order, idle excluded, stopped last', () => {
    const states = stateSequence(lines);
    expect(states.slice(0, 4)).toEqual(['checking-session', 'open', 'awaiting-session', 'authenticated']);
    expect(states).not.toContain('idle');
    expectSubsequence(states.slice(4), [
      'lingering-detected',
      'reconnect',
      'checking-session',
      'open',
      'awaiting-session',
      'authenticated',
      'stopped',
    ]);
    expect(lines.at(-1)).toMatchObject({ type: 'state', state: 'stopped' });
    for (let index = 1; index < states.length; index++)
      expect(states[index], `change ${index}`).not.toBe(states[index - 1]);
  });

  it('prints data messages with their topic', () => {
    const data = lines.filter((line) => line.type === 'data');
    expect(data.length).toBeGreaterThan(3);
    for (const line of data) {
      expect(line['topic']).toBe('smd+265598');
      expect(line['message']).toBeTypeOf('object');
    }
    expect(
      data.some((line) => (line['message'] as { fields?: Record<string, unknown> }).fields?.['31'] !== undefined),
    ).toBe(true);
  });

  it('prints subscription status lines with the contract statuses', () => {
    const subscriptions = lines.filter((line) => line.type === 'subscription');
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const line of subscriptions) {
      expect(line['key']).toBe('smd+265598');
      expect(['pending', 'active', 'failed', 'expired']).toContain(line['status']);
    }
    // Restored after the socket was replaced: active again after the reconnect.
    const statuses = subscriptions.map((line) => line['status']);
    expect(statuses.filter((status) => status === 'active').length).toBeGreaterThanOrEqual(2);
  });

  it('prints an error line with a code and a message for the malformed frame', () => {
    const errors = lines.filter((line) => line.type === 'error');
    expect(errors.some((line) => line['code'] === 'malformed-json')).toBe(true);
    for (const line of errors) {
      expect(line['code']).toBeTypeOf('string');
      expect(line['message']).toBeTypeOf('string');
    }
  });

  it('never prints the session value', () => {
    expect(run.stdout).not.toContain(simulator.sessionValue);
    expect(run.stderr).not.toContain(simulator.sessionValue);
  });
});

describe('ibkr-ws connect without the certificate pinned', () => {
  it('exits 1 naming the certificate problem and the fix, still ending with state stopped', async () => {
    const unpinned = await runCli(['connect', '--gateway', simulator.url, '--json', '--for', '10'], {
      timeoutMs: 20_000,
    });
    expect(unpinned.code).toBe(1);
    const output = parseJsonLines(unpinned.lines);
    expect(output.find((line) => line.type === 'error')).toMatchObject({
      code: 'tls-certificate',
      message: expect.stringMatching(/self-signed.*--ca FILE/),
    });
    expect(output.at(-1)).toMatchObject({ type: 'state', state: 'stopped' });
  }, 25_000);
});
