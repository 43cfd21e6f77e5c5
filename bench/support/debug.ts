/** `BENCH_DEBUG=1 npm run bench`: timestamped phase lines on stderr, to see where a slow benchmark spends its time. */
import { wallNow } from './clock.js';

export const debug: (what: string) => void =
  process.env['BENCH_DEBUG'] === undefined
    ? () => undefined
    : (what) => process.stderr.write(`[${(wallNow() % 1e6).toFixed(0).padStart(6)}] ${what}\n`);
