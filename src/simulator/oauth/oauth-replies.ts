/**
 * The answers IBKR's side gives when OAuth fails, in the shapes users quote from the real service:
 *   401 {"error":"id: 39687, error: invalid consumer","statusCode":401}           (consumer unknown or not yet active)
 *   401 {"error":"id: 515400, error: LST failed, error: ","statusCode":401}       (the LST request was refused)
 *   500 {"error":"failed to generate sso dh token"}                               (ssodh/init, account not enabled)
 *   410 Gone                                                                      (ssodh/init, "try another server")
 *   400 {"error":"no bridge","statusCode":400}                                    (/iserver/* before ssodh/init)
 *   403 Access Denied                                                             (the CDN, no User-Agent)
 * IBKR publishes no body for a bad HMAC signature, an expired token, a stale timestamp or a reused nonce; the
 * simulator answers those 401 in the same `id: <n>, error: <reason>` shape, with a reason that names the check
 * (a client must decide on the status alone). The id varies per answer, as on the real service.
 */
import { randomInt } from 'node:crypto';

export interface OAuthReply {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Record<string, string | string[]>;
}

/** Why a request was refused: stable words for tests, events and docs. */
export type OAuthRejection =
  | 'no-user-agent'
  | 'malformed-header'
  | 'missing-parameter'
  | 'invalid-consumer'
  | 'realm'
  | 'unknown-token'
  | 'signature-method'
  | 'timestamp'
  | 'nonce-reused'
  | 'challenge'
  | 'signature'
  | 'no-live-session-token';

const REASON_TEXT: Readonly<Record<OAuthRejection, string>> = {
  'no-user-agent': 'Access Denied',
  'malformed-header': 'invalid authorization header',
  'missing-parameter': 'missing oauth parameter',
  'invalid-consumer': 'invalid consumer',
  realm: 'invalid realm',
  'unknown-token': 'invalid token',
  'signature-method': 'invalid signature method',
  timestamp: 'invalid timestamp',
  'nonce-reused': 'nonce already used',
  challenge: 'invalid diffie hellman challenge',
  signature: 'invalid signature',
  'no-live-session-token': 'live session token expired',
};

function errorId(): number {
  return randomInt(10_000, 1_000_000);
}

export function rejectionReply(reason: OAuthRejection, onLiveSessionTokenEndpoint: boolean): OAuthReply {
  if (reason === 'no-user-agent') return { status: 403, text: 'Access Denied' };
  if (reason === 'invalid-consumer') return unauthorized('invalid consumer');
  // The LST endpoint folds every other refusal into "LST failed", as in the quoted bodies.
  if (onLiveSessionTokenEndpoint)
    return unauthorized(`LST failed, error: ${reason === 'signature' ? '' : REASON_TEXT[reason]}`);
  return unauthorized(REASON_TEXT[reason]);
}

function unauthorized(text: string): OAuthReply {
  return { status: 401, json: { error: `id: ${errorId()}, error: ${text}`, statusCode: 401 } };
}

export const NO_BRIDGE: OAuthReply = { status: 400, json: { error: 'no bridge', statusCode: 400 } };

export function ssodhFailureReply(status: 410 | 500): OAuthReply {
  return status === 410
    ? { status: 410, text: 'Gone' }
    : { status: 500, json: { error: 'failed to generate sso dh token' } };
}

export const SSODH_NEEDS_PUBLISH: OAuthReply = { status: 500, json: { error: 'publish must be true' } };
