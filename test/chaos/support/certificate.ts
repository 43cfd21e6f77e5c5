/** A self-signed certificate for a test server (the proxy, a fault front, a redirecting server): the simulator's own. */
export { generateLoopbackCertificate as createTestCertificate } from '../../../src/simulator/index.js';

export interface TestCertificate {
  /** PEM certificate: also what a client pins with `tls.ca`. */
  readonly cert: string;
  /** PEM private key. */
  readonly key: string;
}
