/** Where CLI commands write: injected so tests can capture every line, and so nothing else prints. */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Colours only for a person at a terminal. */
  readonly color: boolean;
  /** stdout is a terminal a person watches: views may redraw in place with `write`. */
  readonly interactive?: boolean;
  /** Raw text to stdout (no newline added), for in-place redraws. */
  write?(text: string): void;
  /** Width of the terminal, when there is one. */
  readonly columns?: number;
}

export const processIo: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  color: Boolean(process.stdout.isTTY) && process.env['NO_COLOR'] === undefined,
  interactive: Boolean(process.stdout.isTTY),
  write: (text) => process.stdout.write(text),
  get columns() {
    return process.stdout.columns;
  },
};

/** Bad arguments: the message goes to stderr and the command exits 2 (the CLI contract). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
