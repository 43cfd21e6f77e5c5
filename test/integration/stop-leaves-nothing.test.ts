/**
 * STOP in every state leaves no open handle: each case runs in a child process that must exit by itself after
 * stopping the client and closing the simulator. A leaked socket, timer or HTTP agent would keep it alive.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LIFECYCLE_STATES } from '../../machines/index.js';

const script = fileURLToPath(new URL('../support/stop-in-state.ts', import.meta.url));
/** tsx's loader in the one process spawned (its CLI would start a second node process for every case). */
const tsxLoader = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const EXIT_DEADLINE_MS = 15_000;

function runStopIn(state: string): Promise<{ code: number | null; output: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', tsxLoader, script, state], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `the process did not exit within ${EXIT_DEADLINE_MS} ms after stopping in ${state}: something was left running\n${output}`,
        ),
      );
    }, EXIT_DEADLINE_MS);
    child.on('exit', (code) => {
      clearTimeout(deadline);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

describe('stopping leaves nothing running', () => {
  it.each(LIFECYCLE_STATES)(
    'a client stopped in %s lets its process exit by itself',
    async (state) => {
      const { code, output } = await runStopIn(state);
      expect(code, output).toBe(0);
      const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as {
        target: string;
        reached: boolean;
        finalState: string;
      };
      expect(result, output).toMatchObject({ target: state, reached: true, finalState: 'stopped' });
    },
    EXIT_DEADLINE_MS + 5_000,
  );
});
