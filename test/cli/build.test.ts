/**
 * The published executable: `package.json` `bin` points at `dist/src/cli/bin.js`, which `npm run build` produces and
 * plain node runs (no tsx). CI builds it (`npm ci` runs `prepare`); locally, run `npm run build` first — without a
 * build this test says so and skips, except in CI where a missing build is a failure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGatewaySimulator, type GatewaySimulator } from '../../src/simulator/index.js';
import { BUILT_BIN, ROOT, runCli } from './support/spawn-cli.js';
import { parseJsonLines, stateSequence } from './support/contract.js';

const built = existsSync(BUILT_BIN);
const inCi = Boolean(process.env['CI']);
if (!built && !inCi)
  console.warn(`build test SKIPPED: ${BUILT_BIN} is missing; run 'npm run build' first (CI always builds).`);

let simulator: GatewaySimulator | undefined;
afterAll(async () => {
  await simulator?.close();
});

describe('the built ibkr-ws executable', () => {
  it('is what package.json bin names', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(manifest.bin['ibkr-ws']).toBe('dist/src/cli/bin.js');
  });

  it.runIf(!built && inCi)('exists in CI', () => {
    throw new Error(`${BUILT_BIN} is missing: 'npm ci' should have built it (prepare)`);
  });

  it.runIf(built)('runs with plain node: --help exits 0', async () => {
    const run = await runCli(['--help'], { built: true, timeoutMs: 15_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ibkr-ws connect --gateway URL/);
  });

  it.runIf(built)(
    'connects to the simulator with --json and stops cleanly',
    async () => {
      simulator = await startGatewaySimulator({ port: 0, heartbeatIntervalMs: 200, greetingDelayMs: 20 });
      const run = await runCli(
        [
          'connect',
          '--gateway',
          simulator.url,
          '--ca',
          simulator.caPath,
          '--subscribe',
          'smd:8314:31',
          '--json',
          '--for',
          '1.5',
        ],
        {
          built: true,
          timeoutMs: 15_000,
        },
      );
      expect(run.code).toBe(0);
      const lines = parseJsonLines(run.lines);
      expect(stateSequence(lines)).toEqual([
        'checking-session',
        'open',
        'awaiting-session',
        'authenticated',
        'stopped',
      ]);
      expect(lines.some((line) => line.type === 'data' && line['topic'] === 'smd+8314')).toBe(true);
      expect(run.stdout).not.toContain(simulator.sessionValue);
    },
    20_000,
  );

  it.runIf(built)(
    'generates from dist the same diagrams as from source (nothing is read from visualizations/ at run time)',
    async () => {
      const run = await runCli(['diagram', '--check', '--out', join(ROOT, 'visualizations')], {
        built: true,
        timeoutMs: 15_000,
      });
      // Locally, a dist/ older than the sources fails here too: rebuild with 'npm run build'.
      expect(
        run.code,
        `dist/ generates different diagrams (${run.stderr.trim()}): is dist/ stale? run 'npm run build'`,
      ).toBe(0);
    },
  );
});
