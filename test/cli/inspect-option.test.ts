/**
 * `connect --inspect`: the offline live view is served while the client runs, shows the statechart and the current
 * state, never the session value, and is gone when the command exits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewaySimulator, type GatewaySimulator } from '../../src/simulator/index.js';
import { runCli, type CliRun } from './support/spawn-cli.js';
import { parseJsonLines } from './support/contract.js';

let simulator: GatewaySimulator;
let run: CliRun;
let page = '';
let state: { snapshot: { lifecycle: string } | null } | undefined;
let events = '';
let url = '';

beforeAll(async () => {
  simulator = await startGatewaySimulator({ port: 0, heartbeatIntervalMs: 200, greetingDelayMs: 20 });
  let seen = '';
  let probing: Promise<void> | undefined;
  run = await runCli(
    ['connect', '--gateway', simulator.url, '--ca', simulator.caPath, '--json', '--inspect', '--for', '3'],
    {
      timeoutMs: 20_000,
      onStdout: (chunk) => {
        seen += chunk;
        if (probing || !seen.includes('"state":"authenticated"')) return;
        url =
          (JSON.parse(seen.split('\n').find((line) => line.includes('"type":"inspect"')) ?? '{}') as { url?: string })
            .url ?? '';
        probing = (async () => {
          page = await (await fetch(url)).text();
          state = (await (await fetch(new URL('/state', url))).json()) as typeof state;
          const controller = new AbortController();
          const response = await fetch(new URL('/events', url), { signal: controller.signal });
          const reader = response.body!.getReader();
          while (!events.includes('"lifecycle":"authenticated"'))
            events += new TextDecoder().decode((await reader.read()).value);
          controller.abort();
        })();
      },
    },
  );
  await probing;
}, 30_000);

afterAll(async () => {
  await simulator?.close();
});

describe('ibkr-ws connect --inspect', () => {
  it('prints the live view URL on loopback as an inspect line and still exits 0', () => {
    expect(run.code).toBe(0);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(parseJsonLines(run.lines).at(-1)).toMatchObject({ type: 'state', state: 'stopped' });
  });

  it('serves the statechart, the current state and the event stream while the client runs', () => {
    expect(page).toContain('data-state-path="socket.ready.authenticated"');
    expect(state?.snapshot?.lifecycle).toBe('authenticated');
    expect(events).toContain('event: snapshot');
  });

  it('never shows the session value', () => {
    expect(page + JSON.stringify(state) + events + run.stdout).not.toContain(simulator.sessionValue);
  });

  it('closes the live view with the client', async () => {
    await expect(fetch(url)).rejects.toThrow();
  });
});
