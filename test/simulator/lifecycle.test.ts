import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewaySimulator } from '../../src/simulator/index.js';
import { closeEverything, isTopic, openReadySocket, openSocket, restClient, startSimulator } from './helpers.js';

afterEach(closeEverything);

const SCRIPT = fileURLToPath(new URL('./scripts/close-leaves-nothing.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Handles that would keep a process alive, by kind. */
function liveHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (['TCPServerWrap', 'TCPSocketWrap', 'TLSWrap', 'Timeout', 'Immediate'].includes(kind))
      counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describe('close()', () => {
  it('lets a busy process exit by itself: no timer, socket or server is left', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    const exitCode = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', (code) => {
        clearTimeout(killer);
        resolve(code);
      });
    });
    expect(output).toContain('closed; pending wait: rejected on close');
    expect(exitCode).toBe(0);
  });

  it('leaves this process with the handles it had before', async () => {
    const before = liveHandles();
    const simulator = await startGatewaySimulator({ port: 0, heartbeatIntervalMs: 20, marketDataIntervalMs: 10 });
    const socket = openSocket(simulator);
    await socket.next(isTopic('sts'));
    socket.send('smd+265598+{"fields":["31"]}');
    socket.send('spl+{}');
    await socket.next(isTopic('smd+265598'));
    await restClient(simulator).call('POST', '/v1/api/tickle');
    simulator.slowHandshake(5_000);
    openSocket(simulator);
    // Give the held-back handshake time to reach the server, so close() has a pending upgrade to cancel.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await simulator.close();
    await closeEverything();
    // Sockets finish closing on the next turns of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = liveHandles();
    for (const [kind, count] of Object.entries(after)) expect(count, kind).toBeLessThanOrEqual(before[kind] ?? 0);
  });

  it('is idempotent and closes every socket', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    await Promise.all([simulator.close(), simulator.close()]);
    expect((await socket.closed).code).toBe(1006);
    expect(simulator.sockets).toBe(0);
  });
});

describe('the connection record', () => {
  it('keeps each connection with its path, times and close code, and emits connection and disconnect', async () => {
    const simulator = await startSimulator();
    const events: string[] = [];
    simulator.on('connection', ({ connectionId, path }) => events.push(`open ${connectionId} ${path}`));
    simulator.on('disconnect', ({ connectionId, code }) => events.push(`close ${connectionId} ${code}`));
    const socket = await openReadySocket(simulator);
    expect(simulator.sockets).toBe(1);
    socket.ws.close(1000);
    await socket.closed;
    await new Promise<void>((resolve) => {
      if (events.length === 2) resolve();
      else simulator.on('disconnect', () => resolve());
    });
    expect(events).toEqual(['open 1 /v1/api/ws', 'close 1 1000']);
    const [record] = simulator.connections;
    expect(record).toMatchObject({ id: 1, path: '/v1/api/ws', closeCode: 1000, framesNotRecorded: 0 });
    expect(record!.closedAt! >= record!.openedAt).toBe(true);
    expect(simulator.counters.connections).toBe(1);
  });

  it('stops keeping frames past recordedFramesPerConnection and counts the rest', async () => {
    const simulator = await startSimulator({ recordedFramesPerConnection: 2 });
    const socket = await openReadySocket(simulator);
    for (let count = 0; count < 5; count++) socket.send('ech+hb');
    await socket.waitForCount((frame) => frame.text === 'ech+hb', 5);
    const record = simulator.connections.at(-1);
    expect(record?.frames).toHaveLength(2);
    expect(record?.framesNotRecorded).toBe(3);
  });

  it('never logs the session value', async () => {
    const lines: string[] = [];
    const logger = {
      debug: (...args: unknown[]) => lines.push(JSON.stringify(args)),
      info: (...args: unknown[]) => lines.push(JSON.stringify(args)),
      warn: (...args: unknown[]) => lines.push(JSON.stringify(args)),
      error: (...args: unknown[]) => lines.push(JSON.stringify(args)),
    };
    const simulator = await startSimulator({ logger });
    const socket = await openReadySocket(simulator);
    socket.send(JSON.stringify({ session: simulator.sessionValue }));
    socket.send('tic');
    await socket.next(isTopic('tic'));
    simulator.expireBrokerageSession();
    await restClient(simulator).call('POST', '/v1/api/tickle');
    simulator.logout();
    await simulator.close();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes(simulator.sessionValue))).toBe(false);
  });
});

describe('options', () => {
  it('refuses invalid values with a clear message', async () => {
    await expect(startGatewaySimulator({ port: 0, heartbeatIntervalMs: 0 })).rejects.toThrow(
      /heartbeatIntervalMs must be greater than 0/,
    );
    await expect(startGatewaySimulator({ port: 0, sessionValue: 'not-hex' })).rejects.toThrow(/sessionValue/);
    await expect(startGatewaySimulator({ port: -1 })).rejects.toThrow(/port/);
  });

  it('reports a port in use as the listen error, leaving nothing behind', async () => {
    const simulator = await startSimulator();
    await expect(startGatewaySimulator({ port: simulator.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
