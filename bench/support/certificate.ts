/**
 * The one TLS identity of a benchmark run. Every gateway child serves this certificate, so the gateway can be killed
 * and restarted on the same port (the recovery benchmark) while every client keeps the same pinned `ca`.
 *
 * run.ts generates it once and hands it to each benchmark process through a file named in the environment; a
 * benchmark started on its own generates its own.
 */
import { readFile } from 'node:fs/promises';
import { generate } from 'selfsigned';

export interface BenchCertificate {
  readonly cert: string;
  readonly key: string;
}

/** The environment variable naming a JSON file `{ cert, key }` written by run.ts. */
export const CERTIFICATE_FILE_VARIABLE = 'IBKR_WS_BENCH_CERTIFICATE';

export async function generateBenchCertificate(): Promise<BenchCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 2 * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** The run's certificate if run.ts made one, otherwise a fresh one. */
export async function benchCertificate(): Promise<BenchCertificate> {
  const file = process.env[CERTIFICATE_FILE_VARIABLE];
  if (file === undefined || file === '') return generateBenchCertificate();
  const parsed = JSON.parse(await readFile(file, 'utf8')) as BenchCertificate;
  return { cert: parsed.cert, key: parsed.key };
}
