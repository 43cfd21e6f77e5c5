/**
 * The direct OAuth path's secrets never leave the client: the access token secret and its decrypted form, the private
 * keys, Authorization headers, the session value — and the access token itself only redacted (it is in the socket
 * URL). Searched in logs (debug level), errors, every event, metrics and inspector events, and in the CLI's output,
 * through token renewals, an expired token and a reconnect.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import { readOAuthFile } from '../../src/cli/oauth-file.js';
import { createTestClient, eventually, recordStates, startSimulator, stopWhatWasStarted } from '../support/harness.js';
import { sharedOAuthMaterial } from '../simulator/support/oauth-test-client.js';
import { OutputCollector, REPOSITORY_ROOT, TSX_CLI, exitWithin } from '../chaos/support/processes.js';
import { Capture } from './support/capture.js';

afterEach(stopWhatWasStarted);

/** What must never appear: values the simulator knows, and the shapes of what only the client knows. */
function secretsOf(simulator: GatewaySimulator, sessions: ReadonlySet<string>): string[] {
  const { material } = simulator.oauth!;
  const keyLine = (pem: string) => pem.split('\n')[5]!;
  return [
    material.accessTokenSecret,
    material.accessTokenSecret.slice(100, 140),
    material.accessTokenSecretPlainHex,
    material.accessToken,
    keyLine(material.signatureKey),
    keyLine(material.encryptionKey),
    ...sessions,
  ];
}

/** Header and signing shapes: an Authorization header, a signature, a DH challenge, the socket URL unredacted. */
const FORBIDDEN_SHAPES = [
  /OAuth realm=/,
  /oauth_signature/,
  /diffie_hellman_challenge/,
  /oauth_token=[0-9a-f]{20}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY/,
];

function leaks(capture: Capture, values: readonly string[]): string[] {
  const found = values.flatMap((value) =>
    capture.find(value).map((line) => `${value.slice(0, 6)}…: ${line.slice(0, 300)}`),
  );
  for (const shape of FORBIDDEN_SHAPES)
    found.push(...capture.lines.filter((line) => shape.test(line)).map((line) => `${shape}: ${line.slice(0, 300)}`));
  return found;
}

describe('OAuth secrets never leave the client', () => {
  it('in logs, errors, events, metrics or inspector events, through renewals, an expired token and a reconnect', async () => {
    const simulator = await startSimulator({
      auth: 'oauth',
      oauthMaterial: await sharedOAuthMaterial(),
      oauthLstLifetimeMs: 1_500,
    });
    const capture = new Capture();
    const client = createTestClient(simulator, {
      oauth: readOAuthFile(simulator.oauthFile!),
      logger: capture.logger,
      inspect: capture.inspect,
    });
    capture.attach(client);
    const recorder = recordStates(client);
    const sessions = new Set<string>();
    await client.start();
    sessions.add(simulator.sessionValue);
    const quotes = client.marketData(265598, ['31', '84', '86']);
    quotes.on('data', () => {});
    await quotes.acknowledged;
    const issued = () => simulator.oauth!.counters.liveSessionTokensIssued;
    await eventually(() => issued() >= 3, 'two renewals', 10_000);
    const before = recorder.changes.length;
    simulator.oauth!.expireLiveSessionToken();
    await eventually(
      () => recorder.changes.slice(before).some((change) => change.state === 'authenticated'),
      'back after the expiry',
      10_000,
    ).catch((error) => {
      throw new Error(
        `${error.message}: ${recorder.changes.map((change) => `${change.state}(${change.reason})`).join(' → ')}`,
      );
    });
    sessions.add(simulator.sessionValue);
    simulator.dropConnections();
    await eventually(
      () => recorder.changes.filter((change) => change.state === 'authenticated').length >= 3,
      'back after the drop',
      10_000,
    );
    sessions.add(simulator.sessionValue);
    capture.add('metrics', client.metrics());
    await client.stop();

    expect(recorder.states).toContain('authorizing');
    expect(capture.inspectionEvents).toBeGreaterThan(50);
    // The access token is redacted, not absent: the redaction ran where it had to.
    expect(capture.find('[redacted]').length).toBeGreaterThan(0);
    expect(leaks(capture, secretsOf(simulator, sessions))).toEqual([]);
  }, 60_000);

  it('in the CLI output of connect --oauth, through an expired token and a close 1000', async () => {
    const simulator = await startSimulator({
      auth: 'oauth',
      oauthMaterial: await sharedOAuthMaterial(),
      oauthLstLifetimeMs: 2_000,
    });
    const cli = spawn(
      process.execPath,
      [
        TSX_CLI,
        'src/cli/bin.ts',
        'connect',
        '--oauth',
        simulator.oauthFile!,
        '--gateway',
        simulator.url,
        '--ca',
        simulator.caPath,
        '--json',
        '--for',
        '7',
        '--subscribe',
        'smd:265598:31,84,86',
        '--backoff-initial',
        '50',
        '--backoff-max',
        '200',
      ],
      { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output = new OutputCollector(cli);
    const sessions = new Set<string>();
    const authenticated = (what: string) =>
      output.nextJson(
        (line) => line['type'] === 'state' && line['state'] === 'authenticated',
        15_000,
        `authenticated (${what})`,
      );
    try {
      await authenticated('start');
      sessions.add(simulator.sessionValue);
      simulator.oauth!.expireLiveSessionToken();
      await authenticated('expired token');
      sessions.add(simulator.sessionValue);
      simulator.closeSockets(1000);
      await authenticated('close 1000');
    } finally {
      await exitWithin(cli, 20_000);
    }
    const exit = await exitWithin(cli, 1);
    expect(exit.code, output.stderr).toBe(0);
    const lines = output.jsonLines();
    expect(lines.some((line) => line['type'] === 'state' && line['state'] === 'authorizing')).toBe(true);
    expect(lines.some((line) => line['type'] === 'data')).toBe(true);
    const capture = new Capture();
    capture.addText('stdout', output.stdout);
    capture.addText('stderr', output.stderr);
    expect(leaks(capture, secretsOf(simulator, sessions))).toEqual([]);
  }, 60_000);
});
