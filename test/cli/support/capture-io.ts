/** A CliIo that records every line, for running commands in-process. */
import type { CliIo } from '../../../src/cli/io.js';

export interface CapturedIo {
  readonly io: CliIo;
  readonly stdout: string[];
  readonly stderr: string[];
}

export function captureIo(options: { interactive?: boolean } = {}): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let raw = '';
  return {
    io: {
      stdout: (line) => stdout.push(line),
      stderr: (line) => stderr.push(line),
      color: false,
      interactive: options.interactive ?? false,
      write: (text) => {
        raw += text;
        stdout.splice(0, stdout.length, raw);
      },
      columns: 120,
    },
    stdout,
    stderr,
  };
}
