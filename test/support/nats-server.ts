/**
 * A real nats-server (Debian's, installed by .ci/run) for the bridge suites: JetStream on, a free loopback port, a
 * temporary store dir, stopped (or killed) by its pid. Restartable on the same port and store, to prove that
 * nothing is lost beyond a marked gap. Optionally one node of a 3-node loopback cluster.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const found = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
/** The server's version line, or undefined when there is no nats-server on PATH. */
export const NATS_SERVER_VERSION: string | undefined = found.status === 0 ? found.stdout.trim() : undefined;
const inCi = Boolean(process.env['CI']);

/**
 * Call at the top of a bridge suite: undefined means run. Outside CI a missing nats-server skips loudly; in CI it is
 * a failure (the test named in `describe.runIf` does not run, so the prerequisite test throws).
 */
export function natsPrerequisite(): { available: boolean; check(): void } {
  const available = NATS_SERVER_VERSION !== undefined;
  if (!available && !inCi) {
    const reason =
      'NATS BRIDGE SUITE SKIPPED: no nats-server on PATH (apt-get install -y --no-install-recommends nats-server; CI installs it)';
    const bar = '!'.repeat(reason.length + 8);
    console.warn(`\n${bar}\n!!! ${reason}\n${bar}\n`);
  }
  return {
    available,
    check() {
      if (!available && inCi)
        throw new Error('CI must run the bridge suites against a real nats-server, but none is on PATH');
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface NatsServerOptions {
  readonly name?: string;
  /** Cluster: this node's route port and the other nodes' route ports. */
  readonly cluster?: { readonly port: number; readonly routes: readonly number[] };
  readonly port?: number;
  /** Config-file text (e.g. `max_pending: 65536`), passed with `-c`; flags still set the port, store and name. */
  readonly config?: string;
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly pid: number | undefined;
  /** SIGKILL (default) or SIGTERM, and wait for the exit. */
  stop(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Start again on the same port with the same store. */
  restart(): Promise<void>;
  /** Stop and remove the store. Idempotent. */
  close(): Promise<void>;
}

const started = new Set<NatsServer>();

/** Stops every server started since the last call (afterAll/afterEach). */
export async function stopNatsServers(): Promise<void> {
  for (const server of [...started]) await server.close();
}

/** A free port can be taken by a parallel test between freePort() and the bind: then try another one. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNatsServerOnce({ ...options, port: options.port ?? (await freePort()) });
    } catch (error) {
      if (options.port !== undefined || attempt >= 3 || !/address already in use/.test((error as Error).message))
        throw error;
    }
  }
}

async function startNatsServerOnce(options: NatsServerOptions & { port: number }): Promise<NatsServer> {
  const port = options.port;
  const name = options.name ?? `t${port}`;
  const storeDir = mkdtempSync(join(tmpdir(), `ibkr-nats-${name}-`));
  let child: ChildProcess | undefined;
  let closed = false;

  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, '--server_name', name];
  if (options.config !== undefined) {
    const file = join(storeDir, 'server.conf');
    writeFileSync(file, options.config);
    args.unshift('-c', file);
  }
  if (options.cluster) {
    args.push('--cluster_name', 'ibkrtest', '--cluster', `nats://127.0.0.1:${options.cluster.port}`);
    args.push('--routes', options.cluster.routes.map((route) => `nats://127.0.0.1:${route}`).join(','));
  }

  async function launch(): Promise<void> {
    const proc = spawn('nats-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(
        () => reject(new Error(`nats-server ${name} not ready in 10 s:\n${log.slice(-2000)}`)),
        10_000,
      );
      proc.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server ${name} exited with ${code}:\n${log.slice(-2000)}`));
      });
    });
    // Keep draining stderr so the server never blocks on a full pipe.
    proc.stderr!.resume();
  }

  async function stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.pid === undefined) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    process.kill(proc.pid, signal);
    await exited;
  }

  try {
    await launch();
  } catch (error) {
    rmSync(storeDir, { recursive: true, force: true });
    throw error;
  }
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return child?.pid;
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async close() {
      if (closed) return;
      closed = true;
      started.delete(server);
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  started.add(server);
  return server;
}

/** Three nodes routed to each other on loopback (JetStream clustered: replicas up to 3). */
export async function startNatsCluster(): Promise<NatsServer[]> {
  const clientPorts = [await freePort(), await freePort(), await freePort()];
  const routePorts = [await freePort(), await freePort(), await freePort()];
  return Promise.all(
    clientPorts.map((port, index) =>
      startNatsServer({
        port,
        name: `n${index + 1}`,
        cluster: { port: routePorts[index]!, routes: routePorts.filter((_, other) => other !== index) },
      }),
    ),
  );
}
