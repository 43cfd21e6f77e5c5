/**
 * `npm start -- --oauth`: the demo over the direct OAuth path on the embedded simulated api.ibkr.com — the token
 * obtained and renewed in the background, a token expiry among the faults, every fault recovered, exit 0.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './support/spawn-cli.js';
import { parseJsonLines, stateSequence, type JsonLine } from './support/contract.js';

let run: CliRun;
let lines: JsonLine[];

beforeAll(async () => {
  run = await runCli(['demo', '--oauth', '--for', '20', '--json'], { timeoutMs: 55_000 });
  lines = parseJsonLines(run.lines);
}, 60_000);

describe('ibkr-ws demo --oauth --for 20 --json', () => {
  it('exits 0 once the time is up, with nothing on stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(lines.at(-1)).toMatchObject({ type: 'state', state: 'stopped' });
  });

  it('authorizes first, renews the token in the background, and streams', () => {
    const states = stateSequence(lines);
    expect(states[0]).toBe('authorizing');
    // At start, after the expiry fault, and renewals of the 6 s token on the way.
    expect(lines.filter((line) => line.type === 'token').length).toBeGreaterThanOrEqual(3);
    expect(lines.some((line) => line.type === 'data')).toBe(true);
  });

  it('recovers from the faults of its schedule, the token expiry included', () => {
    const recovered = lines
      .filter((line) => line.type === 'fault' && line['phase'] === 'recovered')
      .map((line) => line['name']);
    // The token expiry comes first (t = 4 s) and must heal; on a loaded machine the last fault may still be healing
    // when the 20 s are up, so at least one more (as the gateway demo's test asks).
    expect(recovered).toContain('token expiry');
    expect(recovered.length).toBeGreaterThanOrEqual(2);
    expect(lines.find((line) => line.type === 'summary')?.['faults']).toMatchObject({ injected: 4 });
    expect(run.stdout).not.toMatch(/OAuth realm=|oauth_signature|oauth_token=[0-9a-f]{20}|PRIVATE KEY/);
  });
});
