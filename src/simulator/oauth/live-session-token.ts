/**
 * The live session token as IBKR derives it once the Diffie-Hellman exchange is done:
 *   LST       = base64(HMAC-SHA1(key = javaBytes(K), message = the decrypted access token secret))
 *   signature = hex(HMAC-SHA1(key = LST bytes, message = utf8(consumer key)))   (the client checks it)
 * and the HMAC-SHA256 that signs every later request with the LST as the key.
 */
import { createHmac } from 'node:crypto';
import { javaBigIntegerBytes } from './diffie-hellman.js';

export function deriveLiveSessionToken(sharedSecret: bigint, accessTokenSecret: Buffer): Buffer {
  return createHmac('sha1', javaBigIntegerBytes(sharedSecret)).update(accessTokenSecret).digest();
}

export function liveSessionTokenSignature(liveSessionToken: Buffer, consumerKey: string): string {
  return createHmac('sha1', liveSessionToken).update(consumerKey, 'utf8').digest('hex');
}

export function hmacSha256Signature(liveSessionToken: Buffer, baseString: string): Buffer {
  return createHmac('sha256', liveSessionToken).update(baseString, 'utf8').digest();
}
