/**
 * `ibkr-ws connect --oauth FILE` from outside, as a user runs it against the simulated api.ibkr.com: it authenticates
 * and streams; with a signature key IBKR does not know it ends at once with a clear error and exit 1, after one token
 * request (never a loop).
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OAuthRequestEvent } from '../../src/simulator/index.js';
import { sharedOAuthMaterial } from '../simulator/support/oauth-test-client.js';
import { startSimulator, stopWhatWasStarted } from '../support/harness.js';
import { oauthConnectArgs, runCli } from './support/spawn-cli.js';
import { parseJsonLines, stateSequence } from './support/contract.js';

afterEach(stopWhatWasStarted);

async function oauthSimulator() {
  const simulator = await startSimulator({ auth: 'oauth', oauthMaterial: await sharedOAuthMaterial() });
  const requests: OAuthRequestEvent[] = [];
  simulator.on('oauth-request', (event) => requests.push(event));
  return { simulator, requests };
}

describe('ibkr-ws connect --oauth FILE', () => {
  it('authorizes, authenticates and streams, then exits 0 after --for', async () => {
    const { simulator } = await oauthSimulator();
    const run = await runCli([...oauthConnectArgs(simulator), '--json', '--for', '3'], {
      timeoutMs: 30_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const lines = parseJsonLines(run.lines);
    expect(stateSequence(lines).slice(0, 5)).toEqual([
      'authorizing',
      'checking-session',
      'open',
      'awaiting-session',
      'authenticated',
    ]);
    expect(lines.some((line) => line.type === 'data')).toBe(true);
    expect(lines.filter((line) => line.type === 'token')).toHaveLength(1);
  }, 40_000);

  it('ends with exit 1 and an error naming what to check when IBKR cannot verify the signature, after one request', async () => {
    const { simulator, requests } = await oauthSimulator();
    const folder = dirname(simulator.oauthFile!);
    writeFileSync(
      join(folder, 'stranger.pem'),
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const file = join(folder, 'stranger.json');
    writeFileSync(
      file,
      JSON.stringify({ ...JSON.parse(readFileSync(simulator.oauthFile!, 'utf8')), signatureKeyFile: 'stranger.pem' }),
    );
    const startedAt = Date.now();
    // --for 60: the run must end long before that, on the refusal (the bound leaves room for tsx starting on a loaded machine).
    const run = await runCli(
      ['connect', '--oauth', file, '--gateway', simulator.url, '--ca', simulator.caPath, '--json', '--for', '60'],
      { timeoutMs: 50_000 },
    );
    expect(run.code).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(40_000);
    const error = parseJsonLines(run.lines).find((line) => line.type === 'error');
    expect(error).toMatchObject({ code: 'oauth-signature-refused', message: expect.stringMatching(/signatureKey/) });
    expect(requests.filter((event) => event.endpoint === 'live-session-token')).toHaveLength(1);
  }, 60_000);
});
