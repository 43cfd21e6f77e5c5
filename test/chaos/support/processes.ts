/**
 * Child processes of the reliability suites (chaos, security, soak): how to run a TypeScript script as ONE process,
 * and how to wait for it without sleeping.
 *
 * Why not `node node_modules/tsx/dist/cli.mjs script.ts`: tsx's CLI spawns the script in a second node process and
 * relays signals. SIGSTOP and SIGKILL are not relayed (they cannot be caught), so stopping "the pid we started" would
 * freeze the relay and leave the simulator running. `node --import <tsx loader>` runs the script in the very process we
 * spawn: its pid is the simulator's pid, and every signal we send reaches it.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** tsx's loader (registers the ESM and CJS hooks), as a file URL so cwd does not matter. */
export const TSX_LOADER = new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
/** tsx's CLI: fine for processes we never signal (the CLI under test). */
export const TSX_CLI = fileURLToPath(new URL('../../../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** Spawns `node [nodeFlags] --import tsx script args` as a single process. */
export function spawnTypeScript(
  script: string,
  args: readonly string[] = [],
  options: SpawnOptions & { nodeFlags?: readonly string[] } = {},
): ChildProcess {
  const { nodeFlags = [], ...spawnOptions } = options;
  return spawn(process.execPath, [...nodeFlags, '--import', TSX_LOADER, script, ...args], {
    cwd: REPOSITORY_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...spawnOptions,
  });
}

/** Resolves with the exit code (or signal) of a child; never rejects. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Waits for a child to exit; SIGKILLs it (and says so) past `timeoutMs`. */
export async function exitWithin(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<true>((resolve) => {
    timer = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(true);
    }, timeoutMs);
  });
  const outcome = await Promise.race([
    exitOf(child).then((exit) => ({ ...exit, killed: false })),
    killed.then(async () => ({ ...(await exitOf(child)), killed: true })),
  ]);
  clearTimeout(timer);
  return outcome;
}

/** Collects a child's output and resolves the first stdout line that parses as JSON and matches. */
export class OutputCollector {
  stdout = '';
  stderr = '';
  readonly #lineWaiters = new Set<{
    match: (value: Record<string, unknown>) => boolean;
    resolve: (value: Record<string, unknown>) => void;
  }>();
  #partial = '';

  constructor(child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      this.stdout += chunk;
      this.#partial += chunk;
      let newline: number;
      while ((newline = this.#partial.indexOf('\n')) >= 0) {
        const line = this.#partial.slice(0, newline);
        this.#partial = this.#partial.slice(newline + 1);
        this.#onLine(line);
      }
    });
    child.stderr?.on('data', (chunk: string) => (this.stderr += chunk));
  }

  #onLine(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const waiter of [...this.#lineWaiters]) {
      if (waiter.match(value as Record<string, unknown>)) {
        this.#lineWaiters.delete(waiter);
        waiter.resolve(value as Record<string, unknown>);
      }
    }
  }

  /** The next JSON line (from now on) for which `match` holds; rejects after `timeoutMs` with the output so far. */
  nextJson(
    match: (value: Record<string, unknown>) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (value: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(value);
        },
      };
      const timer = setTimeout(() => {
        this.#lineWaiters.delete(waiter);
        reject(
          new Error(
            `no ${what} within ${timeoutMs} ms\nstdout:\n${this.stdout.slice(-4000)}\nstderr:\n${this.stderr.slice(-4000)}`,
          ),
        );
      }, timeoutMs);
      this.#lineWaiters.add(waiter);
    });
  }

  /** Every stdout line that parses as a JSON object. */
  jsonLines(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.stdout.split('\n')) {
      try {
        const value = JSON.parse(line) as unknown;
        if (typeof value === 'object' && value !== null) out.push(value as Record<string, unknown>);
      } catch {
        // not JSON: human output or a stack trace, kept in `stdout` for messages
      }
    }
    return out;
  }
}
