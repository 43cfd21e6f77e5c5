import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runSimCommand } from '../../src/cli/commands/sim.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LifecycleState } from '../../machines/index.js';
import { parseFlightRecord } from '../../src/recorder/index.js';
import { startReplayServer, type ReplayServer } from '../../src/simulator/replay/replay-server.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import { createTestClient, eventually, recordStates, stopWhatWasStarted } from '../support/harness.js';
import { recordFaultScenario } from '../support/recorded-scenario.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await stopWhatWasStarted();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempPath(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ibkr-ws-replay-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, name);
}

/** Runs a client with the harness's options against the replay until it has gone through `count` states. */
async function replayStates(
  replay: ReplayServer,
  count: number,
  record?: Record<string, unknown>,
): Promise<LifecycleState[]> {
  const client = createTestClient(replay as unknown as GatewaySimulator, record === undefined ? {} : { record });
  const states = recordStates(client);
  void client.start().catch(() => undefined);
  await eventually(() => states.states.length >= count, `${count} states; got ${states.states.join(' → ')}`, 30_000);
  await client.stop();
  return states.states.slice(0, count);
}

describe('ibkr-ws sim --replay', () => {
  it('plays back a gateway that lingered, closed 1000 and logged out: the client goes through the same states', async () => {
    const { text, states: recorded, secrets } = await recordFaultScenario(tempPath('original.jsonl'));
    await stopWhatWasStarted();
    const record = parseFlightRecord(text);
    const replay = await startReplayServer(record);
    cleanups.push(() => replay.close());
    // The last recorded state is the test's own stop(); everything before it came from the gateway's behaviour.
    const expected = recorded.slice(0, -1);
    expect(expected).toEqual(expect.arrayContaining(['lingering-detected', 'login-required']));
    expect(replay.script.sockets.length).toBeGreaterThanOrEqual(4);
    const replayedFile = tempPath('replayed.jsonl');
    const replayed = await replayStates(replay, expected.length, { file: replayedFile });
    expect(replayed).toEqual(expected);
    // The reasons match too: silence, probe timeout, closed 1000, auth lost, logged out, logged in.
    const reasons = (events: typeof record.events) =>
      events
        .filter((event) => event.type === 'state')
        .map((event) => (event as { reason?: string }).reason)
        .slice(0, expected.length);
    expect(reasons(parseFlightRecord(readFileSync(replayedFile, 'utf8')).events)).toEqual(reasons(record.events));
    for (const secret of secrets) expect(text).not.toContain(secret);
  }, 90_000);

  it('runs as ibkr-ws sim --replay FILE: a client pointed at it goes through the recorded states', async () => {
    const file = tempPath('original.jsonl');
    const { states: recorded } = await recordFaultScenario(file);
    await stopWhatWasStarted();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', 'sim', '--replay', file, '--port', '0', '--json'],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 80_000);
    cleanups.push(() => {
      clearTimeout(killer);
      child.kill('SIGKILL');
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines: any[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += String(chunk);
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) lines.push(JSON.parse(part));
    });
    await eventually(() => lines.some((line) => line.event === 'listening'), 'the listening line', 30_000);
    const listening = lines.find((line) => line.event === 'listening');
    expect(listening.replay).toBe(true);
    const replay = { url: listening.url, ca: readFileSync(listening.ca, 'utf8') } as unknown as ReplayServer;
    const expected = recorded.slice(0, -1);
    expect(await replayStates(replay, expected.length)).toEqual(expected);
    expect(lines).toContainEqual(expect.objectContaining({ event: 'socket-closed', code: 1000 }));
    expect(lines).toContainEqual(expect.objectContaining({ event: 'rest', path: '/v1/api/tickle', status: 401 }));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);

  it('refuses a record of an unknown version, and simulator flags with --replay, with exit code 2', async () => {
    const file = tempPath('future.jsonl');
    writeFileSync(file, `${JSON.stringify({ format: 'ibkr-ws-record', version: 2 })}\n`);
    const stderr: string[] = [];
    const io = { stdout: () => undefined, stderr: (line: string) => stderr.push(line) };
    expect(await runSimCommand(['--replay', file], io)).toBe(2);
    expect(stderr[0]).toMatch(/record version 2 is not supported/);
    const good = tempPath('good.jsonl');
    writeFileSync(good, `${JSON.stringify({ format: 'ibkr-ws-record', version: 1 })}\n`);
    expect(await runSimCommand(['--replay', good, '--text-frames'], io)).toBe(2);
    expect(stderr.at(-2)).toMatch(/only --port and --json go with it/);
  });
});
