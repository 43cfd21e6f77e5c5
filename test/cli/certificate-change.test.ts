/**
 * The CLI applies the library's fatal rule (`isFatal`) the same way before and after the first login: a gateway whose
 * certificate stops matching the pinned one ends the run with exit 1, the error named, state `stopped` last, long before
 * `--for` would have ended it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewaySimulator, type GatewaySimulator } from '../../src/simulator/index.js';
import { startCertificateFront, type CertificateFront } from '../support/certificate-front.js';
import { parseJsonLines, stateSequence, type JsonLine } from './support/contract.js';
import { runCli, type CliRun } from './support/spawn-cli.js';

let simulator: GatewaySimulator;
let front: CertificateFront;
let directory: string;
let run: CliRun;
let lines: JsonLine[];
let elapsedMs: number;

beforeAll(async () => {
  simulator = await startGatewaySimulator({ port: 0, heartbeatIntervalMs: 200, greetingDelayMs: 20 });
  front = await startCertificateFront(simulator);
  directory = mkdtempSync(join(tmpdir(), 'ibkr-ws-cert-'));
  const caPath = join(directory, 'gateway.pem');
  writeFileSync(caPath, front.cert);
  let replaced = false;
  let seen = '';
  const startedAt = Date.now();
  run = await runCli(
    [
      'connect',
      '--gateway',
      front.url,
      '--ca',
      caPath,
      '--json',
      '--for',
      '30',
      '--backoff-initial',
      '50',
      '--backoff-max',
      '200',
    ],
    {
      timeoutMs: 40_000,
      onStdout: (chunk) => {
        seen += chunk;
        if (replaced || !seen.includes('"state":"authenticated"')) return;
        replaced = true;
        void front.replaceCertificate();
      },
    },
  );
  elapsedMs = Date.now() - startedAt;
  lines = parseJsonLines(run.lines);
}, 50_000);

afterAll(async () => {
  await front?.close();
  await simulator?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('ibkr-ws connect when the pinned certificate stops matching after the first login', () => {
  it('exits 1 with the certificate error, after at most 3 of them, ending with state stopped', () => {
    expect(run.code).toBe(1);
    const errors = lines.filter((line) => line.type === 'error' && line['code'] === 'tls-certificate');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(3);
    const states = stateSequence(lines);
    expect(states).toContain('authenticated');
    expect(states.at(-1)).toBe('stopped');
    expect(elapsedMs).toBeLessThan(25_000);
  });
});
