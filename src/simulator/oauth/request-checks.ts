/**
 * The checks every OAuth request passes before its signature is looked at (the order IBKR's answers suggest: the
 * consumer first, then the token, then the form of the request): header syntax, required parameters, consumer key
 * (case-sensitive, and only once the consumer is "activated"), realm, access token, signature method, timestamp
 * window and nonce reuse.
 */
import { parseOAuthHeader } from './authorization-header.js';
import type { NonceRegister } from './nonce-register.js';
import type { OAuthRejection } from './oauth-replies.js';

export interface RegisteredConsumer {
  readonly consumerKey: string;
  readonly accessToken: string;
  readonly realm: string;
}

export interface CheckedRequest {
  readonly params: ReadonlyMap<string, string>;
  readonly nonce: string;
  readonly signature: string;
}

export type CheckOutcome =
  { readonly ok: true; readonly request: CheckedRequest } | { readonly ok: false; readonly reason: OAuthRejection };

const REQUIRED = [
  'oauth_consumer_key',
  'oauth_token',
  'oauth_signature_method',
  'oauth_signature',
  'oauth_nonce',
  'oauth_timestamp',
];

export interface CheckInput {
  readonly authorization: string | undefined;
  readonly consumer: RegisteredConsumer;
  readonly activated: boolean;
  readonly signatureMethod: 'RSA-SHA256' | 'HMAC-SHA256';
  readonly extraRequired: readonly string[];
  readonly nowMs: number;
  readonly toleranceMs: number;
  readonly nonces: NonceRegister;
}

export function checkOAuthRequest(input: CheckInput): CheckOutcome {
  const parsed = parseOAuthHeader(input.authorization);
  if (!parsed.ok) return { ok: false, reason: 'malformed-header' };
  const { params } = parsed;
  for (const name of [...REQUIRED, ...input.extraRequired]) {
    if ((params.get(name) ?? '') === '') return { ok: false, reason: 'missing-parameter' };
  }
  const get = (name: string): string => params.get(name) as string;
  if (!input.activated || get('oauth_consumer_key') !== input.consumer.consumerKey)
    return { ok: false, reason: 'invalid-consumer' };
  if (params.get('realm') !== input.consumer.realm) return { ok: false, reason: 'realm' };
  if (get('oauth_token') !== input.consumer.accessToken) return { ok: false, reason: 'unknown-token' };
  if (get('oauth_signature_method') !== input.signatureMethod) return { ok: false, reason: 'signature-method' };
  const timestamp = get('oauth_timestamp');
  // Integer seconds (IBKR's guide once says milliseconds; every client and example sends seconds).
  if (!/^[0-9]{1,12}$/.test(timestamp) || Math.abs(Number(timestamp) * 1000 - input.nowMs) > input.toleranceMs) {
    return { ok: false, reason: 'timestamp' };
  }
  const nonce = get('oauth_nonce');
  if (input.nonces.has(input.consumer.accessToken, nonce)) return { ok: false, reason: 'nonce-reused' };
  return { ok: true, request: { params, nonce, signature: get('oauth_signature') } };
}
