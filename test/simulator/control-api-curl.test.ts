/**
 * The control API as a developer in any language uses it: with curl, the documented commands, against a simulator
 * with a socket open. Without curl the suite cannot prove anything: outside CI it is skipped loudly, in CI it fails.
 */
import { execFile, execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { closeEverything, openReadySocket, startSimulator } from './helpers.js';

afterEach(closeEverything);

function findCurl(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const curl = findCurl();

function run(args: string[]): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    // -w appends the HTTP status on its own line; -s keeps curl's progress out of stdout.
    execFile(curl as string, ['-s', '-w', '\n%{http_code}', ...args], { timeout: 15_000 }, (error, stdout) => {
      if (error) return reject(error);
      const lines = stdout.trimEnd().split('\n');
      const status = Number(lines.pop());
      resolve({ status, body: JSON.parse(lines.join('\n')) });
    });
  });
}

describe('the control API with curl', () => {
  it('has curl (fails in CI without it, skips loudly elsewhere)', () => {
    if (curl !== undefined) return;
    if (process.env['CI']) throw new Error('CI must run the curl checks of the control API, but curl is not installed');
    console.warn('\n!!! CONTROL API CURL CHECKS SKIPPED: curl is not installed\n');
  });

  it.runIf(curl !== undefined)('works as documented: state, closeSockets, a bad call, loopback only', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    const sim = `${simulator.url}/__sim`;
    const state = await run(['--cacert', simulator.caPath, `${sim}/state`]);
    expect(state).toMatchObject({ status: 200, body: { ok: true, result: { loggedIn: true, sockets: 1 } } });
    const closed = await run(['--cacert', simulator.caPath, '-X', 'POST', `${sim}/closeSockets`, '-d', '[1000]']);
    expect(closed).toEqual({ status: 200, body: { ok: true, name: 'closeSockets', result: null } });
    expect((await socket.closed).code).toBe(1000);
    // curl -d sends application/x-www-form-urlencoded: the body is read as JSON all the same.
    const bad = await run([
      '--cacert',
      simulator.caPath,
      '-X',
      'POST',
      `${sim}/failNextTickles`,
      '-d',
      '{"count":"two"}',
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/'count' must be a number/);
    const rebound = await run(['--cacert', simulator.caPath, '-H', 'Host: attacker.example', `${sim}/state`]);
    expect(rebound.status).toBe(403);
  });
});
