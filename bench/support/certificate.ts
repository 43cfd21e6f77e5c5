/**
 * The one TLS identity of a benchmark run. Every gateway child serves this certificate, so the gateway can be killed
 * and restarted on the same port (the recovery benchmark) while every client keeps the same pinned `ca`.
 *
 * run.ts generates it once and hands it to each benchmark process through a file named in the environment; a
 * benchmark started on its own generates its own.
 */
import { readFile } from 'node:fs/promises';
import { generateLoopbackCertificate } from '../../src/simulator/index.js';

export interface BenchCertificate {
  readonly cert: string;
  readonly key: string;
}

/** The environment variable naming a JSON file `{ cert, key }` written by run.ts. */
export const CERTIFICATE_FILE_VARIABLE = 'IBKR_WS_BENCH_CERTIFICATE';

/** The simulator's own loopback certificate generator: one implementation for the simulator, tests and benches. */
export async function generateBenchCertificate(): Promise<BenchCertificate> {
  return generateLoopbackCertificate();
}

/** The run's certificate if run.ts made one, otherwise a fresh one. */
export async function benchCertificate(): Promise<BenchCertificate> {
  const file = process.env[CERTIFICATE_FILE_VARIABLE];
  if (file === undefined || file === '') return generateBenchCertificate();
  const parsed = JSON.parse(await readFile(file, 'utf8')) as BenchCertificate;
  return { cert: parsed.cert, key: parsed.key };
}
