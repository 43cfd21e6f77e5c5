import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createIbkrWs } from '../../src/client.js';
import {
  FlightRecorder,
  parseFlightRecord,
  RECORD_FORMAT,
  RECORD_VERSION,
  type RecordEvent,
} from '../../src/recorder/index.js';
import { createTestClient, eventually, recordStates, startSimulator, stopWhatWasStarted } from '../support/harness.js';
import { recordFaultScenario } from '../support/recorded-scenario.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];
afterEach(async () => {
  await stopWhatWasStarted();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempPath(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ibkr-ws-record-'));
  dirs.push(dir);
  return join(dir, name);
}

const ofType = <T extends RecordEvent['type']>(events: readonly RecordEvent[], type: T) =>
  events.filter((event): event is Extract<RecordEvent, { type: T }> => event.type === type);

describe('the flight recorder', () => {
  it('records transitions with reasons, sockets with codes, REST calls with status and timing, and frames without their values', async () => {
    const file = tempPath('record.jsonl');
    const { text, states, secrets } = await recordFaultScenario(file);
    const record = parseFlightRecord(text);
    expect(record.header).toMatchObject({
      format: RECORD_FORMAT,
      version: RECORD_VERSION,
      reason: 'stop',
      payloads: false,
      dropped: 0,
    });
    expect(record.header.events).toBe(record.events.length);

    const transitions = ofType(record.events, 'state');
    expect(transitions.map((event) => event.state)).toEqual(states);
    expect(transitions.map((event) => event.reason)).toEqual(
      expect.arrayContaining(['silence', 'probe-timeout', 'login-required:logged-out', 'stop']),
    );
    const closes = ofType(record.events, 'socket-closed');
    expect(closes.map((event) => event.code)).toEqual(expect.arrayContaining([1000]));
    expect(ofType(record.events, 'socket-opened').length).toBeGreaterThanOrEqual(4);
    const tickles = ofType(record.events, 'rest').filter((event) => event.path === '/v1/api/tickle');
    expect(tickles.map((event) => event.status)).toEqual(expect.arrayContaining([200, 401]));
    for (const tickle of tickles) expect(tickle.ms).toBeGreaterThanOrEqual(0);
    expect(ofType(record.events, 'login-required')).toEqual([
      expect.objectContaining({ reason: 'logged-out', competing: false }),
    ]);

    const frames = ofType(record.events, 'frame');
    expect(frames.some((frame) => frame.dir === 'in' && frame.kind === 'heartbeat')).toBe(true);
    expect(
      frames.some(
        (frame) => frame.dir === 'in' && frame.kind === 'smd' && frame.topic === 'smd+265598' && frame.bytes > 0,
      ),
    ).toBe(true);
    expect(frames.some((frame) => frame.dir === 'out' && frame.kind === 'echo')).toBe(true);
    // The lifecycle facts of sts frames are kept; no frame text is.
    expect(frames.some((frame) => frame.kind === 'sts' && frame.sts?.authenticated === false)).toBe(true);
    expect(frames.every((frame) => frame.text === undefined)).toBe(true);
    // No secret anywhere.
    for (const secret of secrets) expect(text).not.toContain(secret);
  }, 60_000);

  it('keeps frame texts with payloads, redacted: tic replies and session frames carry no session value', async () => {
    const file = tempPath('payloads.jsonl');
    const simulator = await startSimulator({ requireSessionMessage: true });
    const client = createTestClient(simulator, {
      record: { file, payloads: true },
      timing: { ticIntervalMs: 100 } as never,
    });
    await client.start();
    const quotes = client.marketData(265598, ['31']);
    await quotes.acknowledged;
    await simulator.waitForClientFrame((frame) => frame.text === 'tic');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.stop();
    const text = readFileSync(file, 'utf8');
    const record = parseFlightRecord(text);
    expect(record.header.payloads).toBe(true);
    const frames = ofType(record.events, 'frame');
    expect(frames.find((frame) => frame.kind === 'smd')?.text).toMatch(/"31":/);
    expect(frames.find((frame) => frame.dir === 'out' && frame.kind === 'session')?.text).toContain('[redacted]');
    expect(frames.find((frame) => frame.dir === 'in' && frame.kind === 'tic')?.text).toContain('[redacted]');
    expect(text).not.toContain(simulator.sessionValue);
  }, 30_000);

  it('is a ring: the last N events only, what was pushed out counted in the header', async () => {
    const file = tempPath('ring.jsonl');
    const simulator = await startSimulator();
    const client = createTestClient(simulator, { record: { file, maxEvents: 40 } });
    await client.start();
    const quotes = client.marketData(265598, ['31']);
    await quotes.acknowledged;
    await simulator.waitForClientFrame((frame) => frame.text === 'tic', 5_000).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await client.stop();
    const record = parseFlightRecord(readFileSync(file, 'utf8'));
    expect(record.events.length).toBe(40);
    expect(record.header.dropped).toBeGreaterThan(0);
    expect(ofType(record.events, 'state').at(-1)).toMatchObject({ state: 'stopped' });
  }, 30_000);

  it('keeps only the last minutes: older events leave the ring as time passes', () => {
    const recorder = new FlightRecorder({ maxAgeMs: 60_000 });
    const now = Date.now();
    recorder.diagnostics.socketOpened?.({ socketId: 1, at: now - 120_000 });
    recorder.diagnostics.socketOpened?.({ socketId: 2, at: now - 30_000 });
    recorder.diagnostics.socketOpened?.({ socketId: 3, at: now });
    const events = recorder
      .lines()
      .slice(1)
      .map((line) => JSON.parse(line));
    expect(events.map((event) => event.socket)).toEqual([2, 3]);
    expect(recorder.stats).toEqual({ events: 2, dropped: 1 });
  });

  it('bounds the size too, and refuses bad bounds at construction', () => {
    const recorder = new FlightRecorder({ maxBytes: 400 });
    for (let socket = 1; socket <= 50; socket++)
      recorder.diagnostics.socketOpened?.({ socketId: socket, at: Date.now() });
    const lines = recorder.lines();
    expect(lines.slice(1).join('\n').length).toBeLessThanOrEqual(400);
    expect(JSON.parse(lines[0] as string).dropped).toBeGreaterThan(0);
    expect(() => new FlightRecorder({ maxEvents: 0 })).toThrow(RangeError);
    expect(() =>
      createTestClient({ url: 'https://localhost:1', ca: '' } as never, { record: { maxAgeMs: -1 } }),
    ).toThrow(/maxAgeMs/);
    let refused: unknown;
    try {
      createIbkrWs({ record: { maxEvents: 0 } });
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'invalid-option', option: 'record.maxEvents' });
    expect(() => createIbkrWs({ record: 'file.jsonl' as never })).toThrow(/record must be an object/);
  });

  it('writes the record when the client fails, before anyone calls stop()', async () => {
    const file = tempPath('failed.jsonl');
    const simulator = await startSimulator();
    simulator.maintenance(true);
    const client = createTestClient(simulator, { record: { file, flushIntervalMs: 0 }, maxAttempts: 1 });
    const states = recordStates(client);
    void client.start().catch(() => undefined);
    await states.waitForState('failed');
    await eventually(() => existsSync(file), 'the record file');
    const record = parseFlightRecord(readFileSync(file, 'utf8'));
    expect(record.header.reason).toBe('failed');
    expect(ofType(record.events, 'rest').map((event) => event.status)).toContain(503);
    expect(ofType(record.events, 'state').at(-1)).toMatchObject({ state: 'failed' });
  }, 30_000);

  it('reports a write that fails once (record-failed), not every second, and refuses an unwritable --record at start', async () => {
    const errors: Error[] = [];
    const recorder = new FlightRecorder({
      file: join(tempPath('x'), 'no-such-dir', 'record.jsonl'),
      flushIntervalMs: 0,
      onError: (error) => errors.push(error),
    });
    await recorder.dump();
    await recorder.dump();
    expect(errors).toHaveLength(1);
    const { parseConnectArgs } = await import('../../src/cli/commands/connect.js');
    expect(() =>
      parseConnectArgs(['--gateway', 'https://localhost:5000', '--record', '/proc/no-such-dir/record.jsonl']),
    ).toThrow(/cannot write in/);
    expect(() => parseConnectArgs(['--gateway', 'https://localhost:5000', '--record-payloads'])).toThrow(
      /needs --record FILE/,
    );
  });

  it('ibkr-ws connect --record writes the record on SIGUSR2 and on the way out', async () => {
    const file = tempPath('cli.jsonl');
    const simulator = await startSimulator({ heartbeatIntervalMs: 10_000 });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/bin.ts',
        'connect',
        '--gateway',
        simulator.url,
        '--ca',
        simulator.caPath,
        '--json',
        '--record',
        file,
        '--tickle-interval',
        '60000',
        '--tic-interval',
        '60000',
        '--heartbeat-timeout',
        '60000',
      ],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    try {
      let stdout = '';
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk) => {
          stdout += String(chunk);
          if (stdout.includes('"state":"authenticated"')) resolve();
        }),
      );
      let sawSignalDump = false;
      child.kill('SIGUSR2');
      const deadline = Date.now() + 10_000;
      while (!sawSignalDump && Date.now() < deadline) {
        if (existsSync(file)) sawSignalDump = parseFlightRecord(readFileSync(file, 'utf8')).header.reason === 'signal';
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(sawSignalDump).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const record = parseFlightRecord(readFileSync(file, 'utf8'));
      expect(record.header.reason).toBe('stop');
      expect(ofType(record.events, 'state').map((event) => event.state)).toEqual(
        expect.arrayContaining(['checking-session', 'open', 'authenticated', 'stopped']),
      );
      expect(readFileSync(file, 'utf8')).not.toContain(simulator.sessionValue);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  }, 60_000);
});
