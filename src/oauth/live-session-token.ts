/**
 * Deriving and checking the live session token (LST):
 *   LST = base64(HMAC-SHA1(key = javaBytes(K), message = the 32 decrypted secret bytes))
 *   valid when hex(HMAC-SHA1(key = base64decode(LST), message = utf8(consumer key))) = live_session_token_signature
 * Sources: IBKR's OAuth guide and sample (https://www.interactivebrokers.com/campus/ibkr-api-page/oauth-1-0a-extended/),
 * IBind `calculate_live_session_token` / `validate_live_session_token`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { javaBytes } from './diffie-hellman.js';

export function deriveLiveSessionToken(sharedSecret: bigint, prepend: Buffer): string {
  return createHmac('sha1', javaBytes(sharedSecret)).update(prepend).digest('base64');
}

/** Compares in constant time; a mismatch means a wrong secret, prime or consumer key: never retry it blindly. */
export function liveSessionTokenIsValid(liveSessionToken: string, consumerKey: string, signatureHex: string): boolean {
  const expected = createHmac('sha1', Buffer.from(liveSessionToken, 'base64')).update(consumerKey, 'utf8').digest();
  if (!/^[0-9a-fA-F]{40}$/.test(signatureHex)) return false;
  return timingSafeEqual(expected, Buffer.from(signatureHex, 'hex'));
}
