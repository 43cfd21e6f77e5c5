/**
 * The simulator's TLS identity: a self-signed certificate made at start, valid for `localhost`, `127.0.0.1` and `::1`,
 * like the gateway's own `root/vertx.jks` (§1.1). Clients pin it with `ca`; without it Node refuses the connection
 * (DEPTH_ZERO_SELF_SIGNED_CERT), exactly as against the real gateway. The PEM is also written to a private temporary
 * file so a command line (`ibkr-ws connect --ca FILE`) can use it; closing the simulator removes the file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface SimulatorCertificate {
  /** PEM certificate: pass it as `ca` to trust the simulator. */
  readonly cert: string;
  /** PEM private key, for the server only. */
  readonly key: string;
  /** A file holding `cert`. */
  readonly caPath: string;
  /** Removes the temporary file (idempotent). */
  remove(): Promise<void>;
}

/** The certificate's lifetime: long enough for any run, short enough to be obviously a test certificate. */
const VALIDITY_DAYS = 30;

export async function createSimulatorCertificate(supplied?: {
  cert: string;
  key: string;
}): Promise<SimulatorCertificate> {
  const { cert, key } = supplied ?? (await generateLoopbackCertificate());
  const directory = await mkdtemp(join(tmpdir(), 'ibkr-ws-sim-'));
  const caPath = join(directory, 'ca.pem');
  await writeFile(caPath, cert, { mode: 0o600 });
  let removal: Promise<void> | undefined;
  return {
    cert,
    key,
    caPath,
    remove: () => (removal ??= rm(directory, { recursive: true, force: true })),
  };
}

/**
 * A fresh self-signed certificate for a loopback server (the simulator, or a proxy or fake in a user's own tests),
 * valid for `localhost`, `127.0.0.1` and `::1`.
 */
export async function generateLoopbackCertificate(): Promise<{ cert: string; key: string }> {
  const notBeforeDate = new Date(Date.now() - 60_000); // tolerate a little clock skew
  const notAfterDate = new Date(notBeforeDate.getTime() + VALIDITY_DAYS * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    // An EC key is generated in milliseconds; RSA 2048 would cost up to a second per simulator start.
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
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
