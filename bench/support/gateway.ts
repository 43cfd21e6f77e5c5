/**
 * The benchmark's side of gateway-process.ts: loads the simulator in child processes, makes one listen on a fixed
 * loopback port with the run's certificate, sends it control commands, and stops it (SIGTERM to the pid it started,
 * SIGKILL to the same pid if it has not exited 3 s later). Nothing else is ever signalled.
 *
 * Loading a child (Node + tsx + the simulator's modules) takes a second or more, so children are loaded ahead of
 * time: `preloadGatewayProcesses(n)` before a benchmark starts, and a restart takes a loaded child that listens the
 * moment the port is free.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { GatewaySimulatorOptions } from '../../src/simulator/index.js';
import type { BenchCertificate } from './certificate.js';
import { withTimeout } from './clock.js';
import type { GatewayProcessOptions } from './gateway-process.js';
import { processCpuMs } from './process-cpu.js';

const SCRIPT = fileURLToPath(new URL('./gateway-process.ts', import.meta.url));

export interface GatewayAck {
  readonly type: 'ack' | 'ready';
  readonly id: string;
  /** Wall-clock ms (clock.ts) when the child carried the command out. */
  readonly at: number;
  readonly port?: number;
  readonly cpu?: { user: number; system: number };
  readonly counters?: Record<string, number>;
  readonly sockets?: number;
  readonly linesInUse?: number;
}

export interface GatewayOptions {
  readonly port: number;
  readonly certificate: BenchCertificate;
  readonly simulator?: Omit<GatewaySimulatorOptions, 'port' | 'logger' | 'certificate'>;
}

/** A loaded gateway child; `url`, `wsUrl` and `readyAt` mean something once it listens. */
export interface GatewayProcess {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;
  /** Wall-clock ms when the server was listening (the child's own stamp); NaN before listen(). */
  readonly readyAt: number;
  /** Starts the HTTPS + WSS server; resolves once it listens. */
  listen(options: GatewayOptions): Promise<void>;
  command(line: string): Promise<GatewayAck>;
  /** This child's CPU time (user + system, ms) since it started, from /proc (10 ms resolution, no round trip). */
  cpuMs(): number;
  stop(): Promise<void>;
}

const preloaded: Array<Promise<GatewayProcess>> = [];

/** Starts loading `count` children now; loadGatewayProcess() hands them out. */
export function preloadGatewayProcesses(count: number): Promise<void> {
  for (let index = 0; index < count; index++) preloaded.push(spawnGatewayProcess());
  return Promise.all(preloaded).then(() => undefined);
}

/** Stops the preloaded children nobody took. */
export async function releasePreloadedGatewayProcesses(): Promise<void> {
  const unused = preloaded.splice(0);
  await Promise.all(unused.map(async (loading) => (await loading).stop()));
}

/** A loaded, not yet listening child: a preloaded one if any is left. */
export function loadGatewayProcess(): Promise<GatewayProcess> {
  return preloaded.shift() ?? spawnGatewayProcess();
}

/** Loads (or takes a preloaded child) and listens: a gateway ready for clients. */
export async function startGatewayProcess(options: GatewayOptions): Promise<GatewayProcess> {
  const gateway = await loadGatewayProcess();
  try {
    await gateway.listen(options);
  } catch (error) {
    await gateway.stop();
    throw error;
  }
  return gateway;
}

async function spawnGatewayProcess(): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the gateway child did not start');
  const exited = once(child, 'exit');
  const pending = new Map<string, { resolve: (ack: GatewayAck) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let onLoaded: (() => void) | undefined;
  const loaded = new Promise<void>((resolve) => (onLoaded = resolve));

  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      process.stderr.write(`gateway child: ${line}\n`);
      return;
    }
    if (message['type'] === 'loaded') onLoaded?.();
    const id = String(message['id'] ?? '');
    const waiter = pending.get(id);
    if (waiter === undefined) return;
    pending.delete(id);
    if (message['type'] === 'error') waiter.reject(new Error(`gateway child: ${String(message['message'])}`));
    else waiter.resolve(message as unknown as GatewayAck);
  });
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`gateway child ${pid} exited`));
    pending.clear();
  });
  const exitedEarly = exited.then(([code]) => {
    throw new Error(`gateway child ${pid} exited with code ${String(code)}`);
  });
  exitedEarly.catch(() => undefined);
  await withTimeout(Promise.race([loaded, exitedEarly]), 60_000, 'the gateway child to load');

  let port = Number.NaN;
  let readyAt = Number.NaN;
  let stopping: Promise<void> | undefined;
  const gateway: GatewayProcess = {
    pid,
    get port() {
      return port;
    },
    get url() {
      return `https://127.0.0.1:${port}`;
    },
    get wsUrl() {
      return `wss://127.0.0.1:${port}/v1/api/ws`;
    },
    get readyAt() {
      return readyAt;
    },
    async listen(options) {
      const childOptions: GatewayProcessOptions = {
        simulator: { ...options.simulator, port: options.port },
        certificate: options.certificate,
      };
      const ready = await withTimeout(
        Promise.race([gateway.command(`listen ${JSON.stringify(childOptions)}`), exitedEarly]),
        10_000,
        'the gateway child to listen',
      );
      port = Number(ready.port);
      readyAt = ready.at;
    },
    command(line) {
      const id = String(++nextId);
      return new Promise<GatewayAck>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.stdin.write(`${id} ${line}\n`);
      });
    },
    cpuMs() {
      return processCpuMs(pid);
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGTERM');
        // A gateway deep in a flood handles the signal only between pump turns; after 3 s, end it the hard way.
        const gone = await withTimeout(exited, 3_000, `gateway child ${pid} to exit`).then(
          () => true,
          () => false,
        );
        if (!gone) {
          if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
          await withTimeout(exited, 5_000, `gateway child ${pid} to exit after SIGKILL`);
        }
        lines.close();
      })();
      return stopping;
    },
  };
  return gateway;
}
