/**
 * A self-signed certificate for a test server (the proxy, a fault front, a redirecting server), valid for
 * `localhost` and `127.0.0.1`. EC keys: generated in milliseconds, where RSA 2048 costs up to a second per call.
 */
import { generate } from 'selfsigned';

export interface TestCertificate {
  /** PEM certificate: also what a client pins with `tls.ca`. */
  readonly cert: string;
  /** PEM private key. */
  readonly key: string;
}

export async function createTestCertificate(commonName = 'localhost'): Promise<TestCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 7 * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: commonName }], {
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
