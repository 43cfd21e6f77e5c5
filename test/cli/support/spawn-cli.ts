/**
 * Runs the `ibkr-ws` executable as a child process, the way users and scripts do: from source through tsx, or the
 * built `dist/src/cli/bin.js` with plain node. Resolves with the exit code and the whole output; kills the child
 * (by the pid this helper started) if it outlives the timeout.
 *
 * From source with tsx's loader in the one process spawned (`node --import …/loader.mjs bin.ts`), not its CLI: the
 * CLI starts the script in a second node process, which cost ~0.25 s a run (0.62–0.74 s against 0.45–0.48 s for
 * `--help`) and left that second process alive when the timeout's SIGKILL reached only the relay.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const SOURCE_BIN = join(ROOT, 'src', 'cli', 'bin.ts');
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
export const BUILT_BIN = join(ROOT, 'dist', 'src', 'cli', 'bin.js');

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout split into lines, without the trailing empty one. */
  readonly lines: string[];
}

export interface SpawnOptions {
  readonly built?: boolean;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each stdout chunk as it arrives (to act while the CLI runs). */
  readonly onStdout?: (chunk: string) => void;
}

export function runCli(args: readonly string[], options: SpawnOptions = {}): Promise<CliRun> {
  const command = options.built ? [BUILT_BIN, ...args] : ['--import', TSX_LOADER, SOURCE_BIN, ...args];
  const child = spawn(process.execPath, command, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(chunk);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, lines: stdout.split('\n').filter((line) => line.length > 0) });
    });
  });
}

/**
 * `connect --oauth FILE --gateway URL --ca FILE --subscribe smd:265598:31`, against a simulator in OAuth mode: the
 * arguments every OAuth CLI test starts from (each adds its own flags after them).
 */
export function oauthConnectArgs(simulator: {
  readonly oauthFile: string | undefined;
  readonly url: string;
  readonly caPath: string;
}): string[] {
  if (simulator.oauthFile === undefined) throw new Error('the simulator is not in OAuth mode');
  return [
    'connect',
    '--oauth',
    simulator.oauthFile,
    '--gateway',
    simulator.url,
    '--ca',
    simulator.caPath,
    '--subscribe',
    'smd:265598:31',
  ];
}
