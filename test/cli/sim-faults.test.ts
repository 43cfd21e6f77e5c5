import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { runSimCommand } from '../../src/cli/commands/sim.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WAIT_MS = 15_000;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ibkr-ws-sim-faults-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `ibkr-ws sim --json` as a child process, its stdout parsed line by line. */
function spawnSim(args: string[]): {
  child: ChildProcess;
  events: any[];
  waitFor: (predicate: (event: any) => boolean) => Promise<any>;
  exited: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/bin.ts', 'sim', '--port', '0', '--json', ...args],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  cleanups.push(() => {
    clearTimeout(killer);
    child.kill('SIGKILL');
  });
  const events: any[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  child.stdout!.on('data', (chunk) => {
    buffer += String(chunk);
    let newline: number;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      events.push(JSON.parse(line));
      for (const wake of [...waiters]) wake();
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (predicate: (event: any) => boolean): Promise<any> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such event; got ${JSON.stringify(events)}`)), WAIT_MS);
      const look = (): void => {
        const found = events.find(predicate);
        if (found === undefined) return;
        waiters.delete(look);
        clearTimeout(timer);
        resolve(found);
      };
      waiters.add(look);
      look();
    });
  return { child, events, waitFor, exited };
}

describe('ibkr-ws sim --faults --json', () => {
  it('runs a schedule from the first authenticated socket and shows every fault, socket and REST call as JSON lines', async () => {
    const schedule = tempFile(
      'faults.json',
      JSON.stringify({
        relativeTo: 'first-authenticated-socket',
        faults: [
          { at: 0.6, fault: 'logout' },
          { at: 0.3, fault: 'closeSockets', args: [4002] },
          { at: 0.9, fault: 'login', args: [] },
        ],
      }),
    );
    const sim = spawnSim(['--faults', schedule, '--heartbeat-interval', '200']);
    const listening = await sim.waitFor((event) => event.event === 'listening');
    expect(listening).toMatchObject({
      url: expect.stringMatching(/^https:\/\/localhost:\d+$/),
      port: expect.any(Number),
    });
    expect(listening.control).toBe(`${listening.url}/__sim/`);
    const ca = readFileSync(listening.ca, 'utf8');
    // Nothing fires before an authenticated socket exists.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sim.events.filter((event) => event.event === 'fault')).toEqual([]);

    const ws = new WebSocket(listening.ws, { ca });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    expect(await closed).toBe(4002);
    await sim.waitFor((event) => event.event === 'fault' && event.name === 'login');

    const agent = new Agent({ connect: { ca } });
    const tickle = await request(`${listening.url}/v1/api/tickle`, { method: 'POST', dispatcher: agent });
    await tickle.body.text();
    const api = await request(`${listening.url}/__sim/failNextTickles`, {
      method: 'POST',
      dispatcher: agent,
      body: '{"count":1,"status":500}',
    });
    expect(api.statusCode).toBe(200);
    await api.body.text();
    await agent.close();
    await sim.waitFor((event) => event.event === 'fault' && event.source === 'api');

    const faults = sim.events.filter((event) => event.event === 'fault');
    expect(faults.map((event) => [event.name, event.args, event.source])).toEqual([
      ['closeSockets', [4002], 'schedule'],
      ['logout', [], 'schedule'],
      ['login', [], 'schedule'],
      ['failNextTickles', [1, 500], 'api'],
    ]);
    expect(sim.events).toContainEqual(
      expect.objectContaining({ event: 'socket-opened', socket: 1, path: '/v1/api/ws' }),
    );
    expect(sim.events).toContainEqual(expect.objectContaining({ event: 'socket-ready', socket: 1 }));
    expect(sim.events).toContainEqual(expect.objectContaining({ event: 'socket-closed', socket: 1, code: 4002 }));
    expect(sim.events).toContainEqual(
      expect.objectContaining({ event: 'rest', method: 'POST', path: '/v1/api/tickle', status: 200 }),
    );
    // The control API is not a gateway REST call.
    expect(sim.events.filter((event) => event.event === 'rest' && String(event.path).startsWith('/__sim'))).toEqual([]);
    for (const event of sim.events) expect(event.at).toEqual(expect.any(Number));

    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
    expect(sim.events.at(-1)).toMatchObject({ event: 'stopped', signal: 'SIGTERM' });
    expect(JSON.stringify(sim.events)).not.toContain('0123456789abcdef0123456789abcdef');
  }, 60_000);

  it('prints each scheduled fault for people as it fires, relative to the start', async () => {
    const schedule = tempFile('faults.json', JSON.stringify([{ at: 0.05, fault: 'maintenance', args: { on: true } }]));
    const lines: string[] = [];
    const stop = new AbortController();
    const running = runSimCommand(
      ['--port', '0', '--faults', schedule],
      {
        stdout: (line) => {
          lines.push(line);
          if (line.includes('fired')) stop.abort();
        },
        stderr: (line) => lines.push(`stderr: ${line}`),
      },
      { signal: stop.signal },
    );
    expect(await running).toBe(0);
    const fault = lines.findIndex((line) => line === 'fault maintenance [true] (schedule)');
    expect(fault).toBeGreaterThan(-1);
    expect(lines[fault + 1]).toMatch(/^ {2}fired t=\d+\.\ds after start \(scheduled 0\.05s\)$/);
    expect(lines.some((line) => line.startsWith('  control: https://localhost:'))).toBe(true);
  });

  it.each([
    ['[{"at": 1, "fault": "explode"}]', /step 1: unknown control 'explode'/],
    ['[{"at": -1, "fault": "linger"}]', /step 1: at must be a non-negative number/],
    [
      '[{"at": 1, "fault": "closeSockets", "args": [1005]}]',
      /step 1: closeSockets: argument 'code' 1005 is not a close code/,
    ],
    ['{"relativeTo": "lunch", "faults": []}', /relativeTo must be 'start' or 'first-authenticated-socket'/],
    ['[{"at": 1, "fault": "linger", "when": 2}]', /unknown key 'when'/],
    ['not json', /not JSON/],
  ])('refuses the schedule %s with exit code 2 before starting', async (content, message) => {
    const schedule = tempFile('faults.json', content);
    const stderr: string[] = [];
    const code = await runSimCommand(['--port', '0', '--faults', schedule], {
      stdout: () => undefined,
      stderr: (line) => stderr.push(line),
    });
    expect(code).toBe(2);
    expect(stderr[0]).toMatch(message);
  });
});
