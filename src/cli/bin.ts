#!/usr/bin/env node
/** The `ibkr-ws` executable: runs the CLI and exits with its code once every handle has closed by itself. */
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ibkr-ws: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
