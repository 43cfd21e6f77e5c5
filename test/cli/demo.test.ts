/**
 * `ibkr-ws demo`, as a newcomer runs it (`npm start -- --for 20`): authenticated, live quotes, faults detected and
 * recovered, a clean exit 0. Spawned as a child process in `--json` mode so every claim is checked from its output.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_DEFAULTS } from '../../src/simulator/index.js';
import { runCli, type CliRun } from './support/spawn-cli.js';
import { parseJsonLines, stateSequence, type JsonLine } from './support/contract.js';

let run: CliRun;
let lines: JsonLine[];

beforeAll(async () => {
  run = await runCli(['demo', '--for', '20', '--json'], { timeoutMs: 55_000 });
  lines = parseJsonLines(run.lines);
}, 60_000);

describe('ibkr-ws demo --for 20 --json', () => {
  it('exits 0 by itself once the time is up, with state stopped last', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(lines.at(-1)).toMatchObject({ type: 'state', state: 'stopped' });
  });

  it('authenticates and streams quotes for every instrument', () => {
    expect(stateSequence(lines)).toContain('authenticated');
    const topics = new Set(lines.filter((line) => line.type === 'data').map((line) => line['topic']));
    expect([...topics].sort()).toEqual(['smd+265598', 'smd+272093', 'smd+756733', 'smd+8314']);
  });

  it('detects and recovers from at least two faults, telling the time each took', () => {
    const recovered = lines.filter((line) => line.type === 'fault' && line['phase'] === 'recovered');
    expect(recovered.length).toBeGreaterThanOrEqual(2);
    for (const line of recovered) {
      expect(line['detectedInMs']).toBeTypeOf('number');
      expect(line['recoveredInMs'] as number).toBeGreaterThanOrEqual(line['detectedInMs'] as number);
    }
    const summary = lines.find((line) => line.type === 'summary');
    expect(summary?.['faults']).toMatchObject({ injected: 4 });
    // Measured, for the record (the report quotes these).
    console.info(
      recovered
        .map((line) => `${line['name']}: detected ${line['detectedInMs']} ms, recovered ${line['recoveredInMs']} ms`)
        .join('\n'),
    );
  });

  it('never prints the session value', () => {
    expect(run.stdout).not.toContain(SIMULATOR_DEFAULTS.sessionValue);
    expect(run.stderr).not.toContain(SIMULATOR_DEFAULTS.sessionValue);
  });
});
