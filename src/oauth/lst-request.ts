/**
 * One live-session-token request, both halves: the signed `Authorization` header of
 * `POST …/oauth/live_session_token` (RSA-SHA256 over prepend + base string, with the DH challenge), and the token
 * derived from IBKR's answer, checked against its signature. Nonce, timestamp and the DH exponent are inputs so the
 * reference vectors can be reproduced; callers draw them with `randomNonce`/`randomDhExponent`.
 */
import { authorizationHeader } from './authorization-header.js';
import { signatureBaseString } from './base-string.js';
import type { OAuthCredentials } from './credentials.js';
import { dhChallenge, dhSharedSecret } from './diffie-hellman.js';
import { deriveLiveSessionToken, liveSessionTokenIsValid } from './live-session-token.js';
import { rsaSha256Signature } from './signatures.js';

export interface LstRequestInput {
  /** The full URL the request goes to (`https://api.ibkr.com/v1/api/oauth/live_session_token`). */
  readonly url: string | URL;
  readonly nonce: string;
  readonly timestamp: string;
  /** The private DH exponent `a` (secret: never logged). */
  readonly dhExponent: bigint;
}

export interface LstRequest {
  readonly authorization: string;
  readonly challenge: string;
}

export function lstRequestParams(credentials: OAuthCredentials, input: LstRequestInput): Record<string, string> {
  return {
    diffie_hellman_challenge: dhChallenge(credentials.dhPrime, input.dhExponent),
    oauth_consumer_key: credentials.consumerKey,
    oauth_nonce: input.nonce,
    oauth_signature_method: 'RSA-SHA256',
    oauth_timestamp: input.timestamp,
    oauth_token: credentials.accessToken,
  };
}

/** The base string begins with the decrypted secret: it is a secret itself, for signing and tests only. */
export function lstBaseString(credentials: OAuthCredentials, input: LstRequestInput): string {
  return signatureBaseString({
    method: 'POST',
    url: input.url,
    params: lstRequestParams(credentials, input),
    prepend: credentials.prepend.toString('hex'),
  });
}

export function buildLstRequest(credentials: OAuthCredentials, input: LstRequestInput): LstRequest {
  const params = lstRequestParams(credentials, input);
  const signature = rsaSha256Signature(credentials.signatureKey, lstBaseString(credentials, input));
  return {
    authorization: authorizationHeader(credentials.realm, params, signature),
    challenge: params['diffie_hellman_challenge']!,
  };
}

export type LstOutcome =
  | { readonly ok: true; readonly liveSessionToken: string; readonly expiresAtMs: number | undefined }
  | { readonly ok: false; readonly problem: 'malformed-response' | 'invalid-dh-response' | 'signature-mismatch' };

/** Reads IBKR's 200 answer: `{diffie_hellman_response, live_session_token_signature, live_session_token_expiration}`. */
export function completeLstRequest(credentials: OAuthCredentials, dhExponent: bigint, body: unknown): LstOutcome {
  if (typeof body !== 'object' || body === null) return { ok: false, problem: 'malformed-response' };
  const {
    diffie_hellman_response: response,
    live_session_token_signature: signature,
    live_session_token_expiration: expiration,
  } = body as Record<string, unknown>;
  if (typeof response !== 'string' || typeof signature !== 'string')
    return { ok: false, problem: 'malformed-response' };
  const shared = dhSharedSecret(credentials.dhPrime, dhExponent, response);
  if (shared === undefined) return { ok: false, problem: 'invalid-dh-response' };
  const liveSessionToken = deriveLiveSessionToken(shared, credentials.prepend);
  if (!liveSessionTokenIsValid(liveSessionToken, credentials.consumerKey, signature))
    return { ok: false, problem: 'signature-mismatch' };
  const expiresAtMs =
    typeof expiration === 'number' && Number.isFinite(expiration) && expiration > 0
      ? expiration
      : parseExpiration(expiration);
  return { ok: true, liveSessionToken, expiresAtMs };
}

/** Some answers carry the epoch milliseconds as a string. */
function parseExpiration(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{10,16}$/.test(value)) return undefined;
  return Number(value);
}
