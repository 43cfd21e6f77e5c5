/**
 * The upstream gateway as a child process we own: started on a fixed port with a fixed certificate (so a restart is
 * the same gateway to the proxy), and signalled by the pid we spawned, never by name.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewaySimulatorOptions } from '../../../src/simulator/index.js';
import type { TestCertificate } from './certificate.js';
import { OutputCollector, exitWithin, spawnTypeScript } from './processes.js';

const SCRIPT = fileURLToPath(new URL('./upstream-process.ts', import.meta.url));
/** tsx transpiles the simulator on start: generous on 2 loaded cores. */
const READY_TIMEOUT_MS = 20_000;

export interface UpstreamOptions {
  readonly port: number;
  readonly certificate: TestCertificate;
  readonly simulator?: GatewaySimulatorOptions;
}

export class UpstreamProcess {
  readonly port: number;
  #child: ChildProcess | undefined;
  #output: OutputCollector | undefined;
  readonly #directory: string;
  /** stdout/stderr of every process started so far, for failure messages. */
  log = '';

  private constructor(options: UpstreamOptions, directory: string) {
    this.port = options.port;
    this.#directory = directory;
  }

  static async start(options: UpstreamOptions): Promise<UpstreamProcess> {
    const directory = await mkdtemp(join(tmpdir(), 'ibkr-ws-upstream-'));
    await writeFile(
      join(directory, 'config.json'),
      JSON.stringify({ port: options.port, certificate: options.certificate, simulator: options.simulator ?? {} }),
      { mode: 0o600 },
    );
    const upstream = new UpstreamProcess(options, directory);
    await upstream.launch();
    return upstream;
  }

  get pid(): number {
    const pid = this.#child?.pid;
    if (pid === undefined) throw new Error('the upstream process is not running');
    return pid;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts a process (again) on the same port with the same certificate; resolves once it listens. */
  async launch(): Promise<void> {
    if (this.running) throw new Error('the upstream process is already running');
    // TMPDIR inside our directory: the simulator's certificate file goes there, so a SIGKILL leaves nothing in /tmp.
    const child = spawnTypeScript(SCRIPT, [join(this.#directory, 'config.json')], {
      env: { ...process.env, TMPDIR: this.#directory },
    });
    const output = new OutputCollector(child);
    child.once('exit', () => {
      this.log += `--- upstream pid ${child.pid} exited (${child.exitCode ?? child.signalCode})\n${output.stdout}${output.stderr}`;
    });
    this.#child = child;
    this.#output = output;
    const ready = await output.nextJson((line) => line['type'] === 'ready', READY_TIMEOUT_MS, 'upstream ready line');
    if (ready['port'] !== this.port)
      throw new Error(`upstream listens on ${String(ready['port'])}, expected ${this.port}`);
    if (ready['pid'] !== child.pid)
      throw new Error(`upstream reported pid ${String(ready['pid'])}, spawned ${child.pid}: not a single process`);
  }

  /** Sends a signal to the pid we spawned (and only to it). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) throw new Error(`cannot send ${signal}: the upstream process is not running`);
    process.kill(this.pid, signal);
  }

  /** SIGKILL, and wait until the kernel has reaped it (the port is free again). */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.running) return;
    child.kill('SIGKILL');
    await exitWithin(child, 5_000);
  }

  /** A control command over stdin (`pushOrders`, `closeSockets`, …); resolves once the process confirms. */
  async command(op: string, extra: Record<string, unknown> = {}): Promise<void> {
    const output = this.#output;
    if (!this.running || output === undefined)
      throw new Error(`cannot send ${op}: the upstream process is not running`);
    const done = output.nextJson(
      (line) => line['type'] === 'done' && line['op'] === op,
      5_000,
      `upstream confirmation of ${op}`,
    );
    this.#child?.stdin?.write(`${JSON.stringify({ op, ...extra })}\n`);
    await done;
  }

  /** SIGCONT (in case it is stopped), SIGTERM, wait; SIGKILL past the deadline. Removes the config directory. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child !== undefined && this.running) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exitWithin(child, 5_000);
    }
    await rm(this.#directory, { recursive: true, force: true });
  }
}
