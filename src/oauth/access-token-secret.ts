/**
 * The access-token secret arrives as base64 of an RSAES-PKCS1-v1_5 ciphertext made with the user's public
 * encryption key; its 32 decrypted bytes (as lower-case hex, "the prepend") are the long-term shared secret.
 *
 * Node 20 refuses `privateDecrypt` with `RSA_PKCS1_PADDING` (CVE-2023-46809, unless started with
 * `--security-revert`), so this decrypts without padding and strips the PKCS#1 v1.5 type-2 block itself
 * (RFC 8017 §7.2.2): `00 02 PS(≥ 8 non-zero bytes) 00 M`. Not constant-time, and it need not be: there is no oracle
 * here, a fixed local ciphertext is decrypted once; every failure gives the same message.
 */
import { constants, privateDecrypt, type KeyObject } from 'node:crypto';

export class SecretDecryptionError extends Error {
  constructor() {
    super('the access token secret does not decrypt with the encryption key');
    this.name = 'SecretDecryptionError';
  }
}

export function decryptAccessTokenSecret(encryptionKey: KeyObject, secretBase64: string): Buffer {
  const clean = secretBase64.replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) throw new SecretDecryptionError();
  const ciphertext = Buffer.from(clean, 'base64');
  const modulusBytes = Math.ceil((encryptionKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (modulusBytes === 0 || ciphertext.length !== modulusBytes) throw new SecretDecryptionError();
  let block: Buffer;
  try {
    block = privateDecrypt({ key: encryptionKey, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch {
    throw new SecretDecryptionError();
  }
  if (block.length !== modulusBytes || block[0] !== 0x00 || block[1] !== 0x02) throw new SecretDecryptionError();
  const separator = block.indexOf(0x00, 2);
  // At least 8 bytes of non-zero padding (RFC 8017 §7.2.2 step 3).
  if (separator < 10) throw new SecretDecryptionError();
  return block.subarray(separator + 1);
}
