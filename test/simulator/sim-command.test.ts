import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { runSimCommand } from '../../src/cli/commands/sim.js';
import { closeEverything, startSimulator, WAIT_MS } from './helpers.js';

afterEach(closeEverything);

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function capture(): {
  stdout: string[];
  stderr: string[];
  io: { stdout: (line: string) => void; stderr: (line: string) => void };
  printed: (prefix: string) => Promise<string>;
} {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: Array<() => void> = [];
  return {
    stdout,
    stderr,
    io: {
      stdout: (line) => {
        stdout.push(line);
        for (const wake of waiters.splice(0)) wake();
      },
      stderr: (line) => stderr.push(line),
    },
    printed: (prefix) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`'${prefix}' was not printed: ${stdout.join(' | ')}`)),
          WAIT_MS,
        );
        const look = (): void => {
          const line = stdout.find((candidate) => candidate.trimStart().startsWith(prefix));
          if (line === undefined) waiters.push(look);
          else {
            clearTimeout(timer);
            resolve(line);
          }
        };
        look();
      }),
  };
}

describe('ibkr-ws sim', () => {
  it('prints the URL, the WS URL and the CA file, serves until stopped, then closes cleanly with 0', async () => {
    const output = capture();
    const stop = new AbortController();
    const running = runSimCommand(['--port', '0', '--heartbeat-interval', '100'], output.io, { signal: stop.signal });
    const url = (await output.printed('url:')).trim().slice('url:'.length).trim();
    const wsUrl = (await output.printed('ws:')).trim().slice('ws:'.length).trim();
    const caPath = (await output.printed('ca:')).trim().slice('ca:'.length).trim();
    expect(url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(wsUrl).toBe(`${url.replace('https:', 'wss:')}/v1/api/ws`);
    const ca = readFileSync(caPath, 'utf8');
    const agent = new Agent({ connect: { ca } });
    const tickle = await request(`${url}/v1/api/tickle`, { method: 'POST', dispatcher: agent });
    expect(tickle.statusCode).toBe(200);
    expect(await tickle.body.text()).not.toBe('');
    await agent.close();
    stop.abort();
    expect(await running).toBe(0);
    expect(output.stdout.at(-1)).toBe('Gateway simulator stopped.');
    expect(existsSync(caPath)).toBe(false);
    expect(output.stderr).toEqual([]);
  });

  it('prints its help with --help and exits 0', async () => {
    const output = capture();
    expect(await runSimCommand(['--help'], output.io)).toBe(0);
    expect(output.stdout.join('\n')).toContain('Usage: ibkr-ws sim [--port N]');
  });

  it.each([
    [['--port', 'abc'], /--port expects a non-negative integer/],
    [['--port', '70000'], /up to 65535/],
    [['--port'], /--port expects a value/],
    [['--heartbeat-interval', '0'], /greater than 0/],
    [['--bogus'], /unknown argument '--bogus'/],
    [['--text-frames=yes'], /takes no value/],
  ])('refuses %j with a message on stderr and exit code 2', async (argv, message) => {
    const output = capture();
    expect(await runSimCommand(argv, output.io)).toBe(2);
    expect(output.stderr[0]).toMatch(message);
    expect(output.stdout).toEqual([]);
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    const simulator = await startSimulator();
    const output = capture();
    expect(await runSimCommand(['--port', String(simulator.port)], output.io)).toBe(1);
    expect(output.stderr[0]).toMatch(new RegExp(`port ${simulator.port} on 127.0.0.1 is already in use`));
  });

  it('runs as a process: text frames on request, and SIGTERM stops it with exit code 0', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', 'sim', '--port', '0', '--text-frames'],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk) => {
          stdout += String(chunk);
          if (stdout.includes('Stop with Ctrl+C.')) resolve();
        });
      });
      const wsUrl = /ws:\s+(\S+)/.exec(stdout)?.[1] ?? '';
      const caPath = /ca:\s+(\S+)/.exec(stdout)?.[1] ?? '';
      const first = await new Promise<{ text: string; binary: boolean }>((resolve, reject) => {
        const ws = new WebSocket(wsUrl, { ca: readFileSync(caPath, 'utf8') });
        ws.once('error', reject);
        ws.once('message', (data, isBinary) => {
          resolve({ text: String(data), binary: isBinary });
          ws.close(1000);
        });
      });
      expect(first.binary).toBe(false);
      expect(JSON.parse(first.text)).toMatchObject({ topic: 'system', success: 'user1234' });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toContain('Gateway simulator stopped (SIGTERM).');
      expect(stdout).toMatch(/socket 1 opened \(\/v1\/api\/ws\)/);
      expect(stderr).toBe('');
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  });
});
