/**
 * TLS for both transports (the ws socket and the undici Agent), resolved once so they can never disagree.
 *
 * The gateway serves a self-signed certificate. Verification stays on: users pin that certificate with `ca`.
 * `insecure` turns verification off, as an explicit opt-in, and only for loopback gateways unless the user also forces
 * it: a remote gateway without verification would hand the session cookie to whoever answers.
 */
import { IbkrWsError } from '../errors.js';

export interface TlsOptions {
  /** PEM certificate(s) to trust: the gateway's own certificate (pinning). */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Skip certificate verification (explicit opt-in). */
  readonly insecure?: boolean;
  /** Allow `insecure` for a non-loopback gateway. */
  readonly allowInsecureRemote?: boolean;
}

export interface ResolvedTls {
  readonly ca?: Array<string | Buffer>;
  readonly rejectUnauthorized: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

export function resolveTls(gateway: URL, options: TlsOptions = {}): ResolvedTls {
  if (options.insecure) {
    if (!isLoopbackHost(gateway.hostname) && !options.allowInsecureRemote) {
      throw new IbkrWsError(
        'insecure-remote',
        `refusing to skip TLS verification for the non-loopback gateway ${gateway.hostname}: pin its certificate with ca, or set allowInsecureRemote`,
      );
    }
    return { rejectUnauthorized: false };
  }
  if (options.ca === undefined) return { rejectUnauthorized: true };
  const ca = Array.isArray(options.ca) ? [...options.ca] : [options.ca as string | Buffer];
  return { ca, rejectUnauthorized: true };
}

const CERTIFICATE_ERROR_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in an untrusted self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate cannot be verified against a trusted authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate issuer is not trusted',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host',
};

/**
 * Turns a Node TLS failure into an error that names the certificate problem and the fix, or undefined when the error
 * is not about the certificate. Walks `cause` because undici wraps the socket error.
 */
export function describeCertificateError(error: unknown): IbkrWsError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    const problem = code === undefined ? undefined : CERTIFICATE_ERROR_CODES[code];
    if (problem !== undefined) {
      return new IbkrWsError(
        'tls-certificate',
        `TLS verification of the gateway failed (${code}): ${problem}. Pin the gateway's certificate with --ca FILE (option tls.ca), or opt out with --insecure (option tls.insecure).`,
        { cause: current },
      );
    }
    current = current.cause;
  }
  return undefined;
}
