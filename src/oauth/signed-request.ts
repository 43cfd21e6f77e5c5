/**
 * The `Authorization` header of every REST call after the live session token: HMAC-SHA256 over the base string of
 * the method, the URL without query, and the `oauth_*` parameters plus the query parameters (decoded) — never a JSON
 * body. That is the form of IBKR's guide and staff sample; IBind master leaves the query out, and IBKR is reported to
 * accept both, so the documented one is signed.
 */
import { authorizationHeader } from './authorization-header.js';
import { signatureBaseString } from './base-string.js';
import type { OAuthCredentials } from './credentials.js';
import { hmacSha256Signature } from './signatures.js';

export interface SignedRequestInput {
  readonly method: string;
  /** The full URL, query included. */
  readonly url: string | URL;
  readonly nonce: string;
  readonly timestamp: string;
}

export function signedRequestParams(credentials: OAuthCredentials, input: SignedRequestInput): Record<string, string> {
  return {
    oauth_consumer_key: credentials.consumerKey,
    oauth_nonce: input.nonce,
    oauth_signature_method: 'HMAC-SHA256',
    oauth_timestamp: input.timestamp,
    oauth_token: credentials.accessToken,
  };
}

export function signedRequestBaseString(credentials: OAuthCredentials, input: SignedRequestInput): string {
  return signatureBaseString({ method: input.method, url: input.url, params: signedRequestParams(credentials, input) });
}

export function signedRequestAuthorization(
  credentials: OAuthCredentials,
  liveSessionToken: string,
  input: SignedRequestInput,
): string {
  const signature = hmacSha256Signature(liveSessionToken, signedRequestBaseString(credentials, input));
  return authorizationHeader(credentials.realm, signedRequestParams(credentials, input), signature);
}
