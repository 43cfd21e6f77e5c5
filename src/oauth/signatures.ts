/**
 * The two signature methods of IBKR's first-party OAuth: RSA-SHA256 (PKCS#1 v1.5) with the private signature key for
 * the live-session-token request only, HMAC-SHA256 keyed with the decoded live session token for every later call.
 * Both return base64 without line breaks; the header encodes it.
 */
import { constants, createHmac, sign, type KeyObject } from 'node:crypto';

export function rsaSha256Signature(signatureKey: KeyObject, baseString: string): string {
  return sign('sha256', Buffer.from(baseString, 'utf8'), {
    key: signatureKey,
    padding: constants.RSA_PKCS1_PADDING,
  }).toString('base64');
}

export function hmacSha256Signature(liveSessionToken: string, baseString: string): string {
  return createHmac('sha256', Buffer.from(liveSessionToken, 'base64')).update(baseString, 'utf8').digest('base64');
}
