/**
 * A live socket survives a stopped client process: the client runs in a child process (started here, signalled by its
 * pid only), the simulator in this one, loopback only. `SIGSTOP` for 3 s, then `SIGCONT`: the heartbeats (and a probe's
 * answer) that arrived meanwhile wait in the socket buffer, the client's timers have all expired, and it must read the
 * buffer before it judges the socket. The worst moment is right after the client sent a probe: its answer lands while
 * the client is stopped, and the probe timer has run out when the client wakes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { startGatewaySimulator, type GatewaySimulator } from '../../src/simulator/index.js';

const SCRIPT = fileURLToPath(new URL('./support/client-process.ts', import.meta.url));
const STOP_MS = 3_000;

interface ClientLine {
  readonly type: string;
  readonly state?: string;
  readonly reason?: string;
  readonly metrics?: { lingeringDetections: number; lingeringFalseAlarms: number; reconnects: number };
}

let simulator: GatewaySimulator | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    process.kill(child.pid, 'SIGCONT');
    process.kill(child.pid, 'SIGKILL');
    await once(child, 'exit');
  }
  child = undefined;
  await simulator?.close();
  simulator = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startClient(gateway: GatewaySimulator, timing: Record<string, number>) {
  const spawned = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      SCRIPT,
      JSON.stringify({ gateway: `https://127.0.0.1:${gateway.port}`, ca: gateway.ca, timing }),
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  child = spawned;
  const pid = spawned.pid;
  if (pid === undefined) throw new Error('the client process did not start');
  const seen: ClientLine[] = [];
  const waiters: Array<{ match: (line: ClientLine) => boolean; resolve: () => void }> = [];
  createInterface({ input: spawned.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as ClientLine;
    seen.push(line);
    for (const waiter of waiters.filter((candidate) => candidate.match(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const waitFor = (match: (line: ClientLine) => boolean, what: string, timeoutMs = 30_000): Promise<void> =>
    seen.some(match)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
          waiters.push({ match, resolve: () => (clearTimeout(timer), resolve()) });
        });
  /** Stops the process for STOP_MS and lets it go on. */
  const pause = async (): Promise<void> => {
    process.kill(pid, 'SIGSTOP');
    await sleep(STOP_MS);
    process.kill(pid, 'SIGCONT');
  };
  const finish = async (): Promise<ClientLine> => {
    spawned.stdin!.end('stop\n');
    await waitFor((line) => line.type === 'stopped', 'the client to stop');
    await once(spawned, 'exit');
    return seen.find((line) => line.type === 'stopped')!;
  };
  await waitFor((line) => line.state === 'authenticated', 'the client to authenticate', 60_000);
  return { pid, seen, waitFor, pause, finish };
}

describe('a client process stopped for 3 s keeps its only socket', () => {
  test('stopped right after it sent a probe (its answer lands mid-stop, the probe timer has run out on waking), three times', async () => {
    simulator = await startGatewaySimulator({ port: 0, heartbeatIntervalMs: 2_000 });
    // A ceiling under the 2 s beat: the client probes after every beat, so every stop can come right after a probe.
    const client = await startClient(simulator, { heartbeatTimeoutMs: 1_500, probeTimeoutMs: 1_000 });
    for (let round = 0; round < 3; round++) {
      // The simulator answers the probe first, then reports the frame: the answer is on its way when the client stops.
      await simulator.waitForClientFrame((frame) => frame.text === 'ech+hb', 10_000);
      await client.pause();
      await sleep(2_500);
    }
    const stopped = await client.finish();
    expect(client.seen.filter((line) => line.type === 'reconnect')).toEqual([]);
    expect(simulator.connections).toHaveLength(1);
    expect(stopped.metrics!.reconnects).toBe(0);
    expect(stopped.metrics!.lingeringDetections).toBeGreaterThanOrEqual(3);
    expect(stopped.metrics!.lingeringFalseAlarms).toBe(stopped.metrics!.lingeringDetections);
  }, 90_000);

  test('a quiet socket (heartbeats only, default ceiling and probe) stopped at any moment', async () => {
    simulator = await startGatewaySimulator({ port: 0, heartbeatIntervalMs: 1_000 });
    const client = await startClient(simulator, {});
    // Let the client learn the 1 s beat (its threshold: the 2 s floor), so a 3 s stop outlasts it.
    await sleep(6_000);
    for (let round = 0; round < 3; round++) {
      await client.pause();
      await sleep(1_700 + round * 300);
    }
    const stopped = await client.finish();
    expect(client.seen.filter((line) => line.type === 'reconnect')).toEqual([]);
    expect(simulator.connections).toHaveLength(1);
    expect(stopped.metrics!.reconnects).toBe(0);
  }, 90_000);
});
