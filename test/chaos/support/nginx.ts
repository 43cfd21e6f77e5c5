/**
 * nginx as the TLS-terminating WebSocket reverse proxy between the client and the upstream gateway, as IBKR has one in
 * the middle. Started by us, in a private prefix directory (config, pid, logs, temp paths: nothing root-owned), on
 * 127.0.0.1 only, with `daemon off` so the pid we spawn is the master's pid: SIGHUP reloads exactly our nginx, and
 * stopping ends exactly it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCertificate } from './certificate.js';
import { exitWithin } from './processes.js';
import { waitForListening } from './ports.js';

const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx'];

/** The nginx binary (IBKR_WS_NGINX overrides the search), or why there is none usable. */
export function findNginx(): { path: string } | { missing: string } {
  const override = process.env['IBKR_WS_NGINX'];
  const candidates = override ? [override] : NGINX_CANDIDATES;
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path === undefined)
    return {
      missing: `no nginx binary at ${candidates.join(', ')} (Debian package nginx-light, installed by .ci/run)`,
    };
  const version = spawnSync(path, ['-v'], { encoding: 'utf8' });
  if (version.status !== 0) return { missing: `${path} -v failed: ${version.stderr || version.error?.message}` };
  return { path };
}

export interface NginxOptions {
  readonly binary: string;
  readonly listenPort: number;
  readonly upstreamPort: number;
  /** Served to the client, and trusted for the upstream (the upstream serves the same certificate). */
  readonly certificate: TestCertificate;
  /** `proxy_read_timeout` (and send timeout), in ms: how long an idle upgraded connection survives. */
  readonly readTimeoutMs?: number;
  /** `worker_shutdown_timeout` in ms: after a reload, old workers cut their connections past it. Default: never. */
  readonly workerShutdownTimeoutMs?: number;
}

export class NginxProxy {
  readonly listenPort: number;
  readonly directory: string;
  readonly #child: ChildProcess;
  #output = '';

  private constructor(child: ChildProcess, directory: string, listenPort: number) {
    this.#child = child;
    this.directory = directory;
    this.listenPort = listenPort;
    child.stdout?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
  }

  static async start(options: NginxOptions): Promise<NginxProxy> {
    const directory = await mkdtemp(join(tmpdir(), 'ibkr-ws-nginx-'));
    for (const sub of ['logs', 'temp/body', 'temp/proxy', 'temp/fastcgi', 'temp/uwsgi', 'temp/scgi'])
      await mkdir(join(directory, sub), { recursive: true });
    await writeFile(join(directory, 'cert.pem'), options.certificate.cert, { mode: 0o600 });
    await writeFile(join(directory, 'key.pem'), options.certificate.key, { mode: 0o600 });
    await writeFile(join(directory, 'nginx.conf'), nginxConfig(directory, options));
    const child = spawn(
      options.binary,
      [
        '-p',
        `${directory}/`,
        '-c',
        join(directory, 'nginx.conf'),
        '-e',
        join(directory, 'logs/error.log'),
        '-g',
        'daemon off;',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const proxy = new NginxProxy(child, directory, options.listenPort);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) =>
        reject(new Error(`nginx exited during start (${code ?? signal}):\n${proxy.#output}`)),
      ),
    );
    exited.catch(() => undefined);
    try {
      await Promise.race([waitForListening(options.listenPort, 10_000, 'nginx'), exited]);
    } catch (error) {
      await proxy.stop();
      throw error;
    }
    return proxy;
  }

  /** The master's pid: the process we spawned. */
  get pid(): number {
    const pid = this.#child.pid;
    if (pid === undefined) throw new Error('nginx did not start');
    return pid;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async errorLog(): Promise<string> {
    return readFile(join(this.directory, 'logs/error.log'), 'utf8').catch(() => '');
  }

  /**
   * SIGHUP to our master: it re-reads the config, starts new workers and asks the old ones to shut down gracefully.
   * Resolves once the log shows the new worker started after the reload.
   */
  async reload(timeoutMs = 10_000): Promise<void> {
    const before = (await this.errorLog()).length;
    process.kill(this.pid, 'SIGHUP');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const log = (await this.errorLog()).slice(before);
      const reconfiguring = log.indexOf('reconfiguring');
      if (reconfiguring >= 0 && log.indexOf('start worker process', reconfiguring) >= 0) return;
      if (Date.now() > deadline) throw new Error(`nginx did not reload within ${timeoutMs} ms:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** SIGTERM (fast shutdown: upgraded connections would hold a graceful one), SIGKILL past 5 s; removes the prefix. */
  async stop(): Promise<void> {
    if (this.running) {
      this.#child.kill('SIGCONT');
      this.#child.kill('SIGTERM');
      await exitWithin(this.#child, 5_000);
    }
    await rm(this.directory, { recursive: true, force: true });
  }
}

function seconds(ms: number): string {
  return `${Math.max(1, Math.round(ms))}ms`;
}

export function nginxConfig(directory: string, options: NginxOptions): string {
  const readTimeout = seconds(options.readTimeoutMs ?? 60_000);
  const root = process.getuid?.() === 0;
  return `# generated by test/chaos/support/nginx.ts
${root ? '# run as root (CI, or root mapped inside a user namespace): workers keep access to the private prefix\nuser root root;' : ''}
worker_processes 1;
${options.workerShutdownTimeoutMs === undefined ? '' : `worker_shutdown_timeout ${seconds(options.workerShutdownTimeoutMs)};`}
error_log ${directory}/logs/error.log info;
pid ${directory}/nginx.pid;
events { worker_connections 256; }
http {
  access_log ${directory}/logs/access.log;
  client_body_temp_path ${directory}/temp/body;
  proxy_temp_path ${directory}/temp/proxy;
  fastcgi_temp_path ${directory}/temp/fastcgi;
  uwsgi_temp_path ${directory}/temp/uwsgi;
  scgi_temp_path ${directory}/temp/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${options.listenPort} ssl;
    server_name localhost;
    ssl_certificate ${directory}/cert.pem;
    ssl_certificate_key ${directory}/key.pem;
    location / {
      proxy_pass https://127.0.0.1:${options.upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_ssl_server_name on;
      proxy_ssl_name localhost;
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate ${directory}/cert.pem;
      proxy_ssl_session_reuse off;
      proxy_connect_timeout 2s;
      proxy_read_timeout ${readTimeout};
      proxy_send_timeout ${readTimeout};
      proxy_buffering off;
    }
  }
}
`;
}
