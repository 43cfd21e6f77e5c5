/**
 * Private keys as users hold them: PEM text (PKCS#1 `BEGIN RSA PRIVATE KEY` from OpenSSL 1.1's `genrsa`, PKCS#8
 * `BEGIN PRIVATE KEY` from OpenSSL 3's), a Buffer of it, or a ready `KeyObject`. Only RSA private keys are accepted.
 */
import { createPrivateKey, KeyObject } from 'node:crypto';

export class KeyReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyReadError';
  }
}

export type PrivateKeyInput = string | Buffer | KeyObject;

export function readRsaPrivateKey(input: PrivateKeyInput): KeyObject {
  let key: KeyObject;
  if (input instanceof KeyObject) key = input;
  else {
    if (typeof input !== 'string' && !Buffer.isBuffer(input))
      throw new KeyReadError('must be a PEM string or a KeyObject');
    try {
      key = createPrivateKey({ key: input, format: 'pem' });
    } catch {
      // The parser's message can quote the input: say only what is wrong.
      throw new KeyReadError('is not a readable PEM private key (unencrypted PKCS#1 or PKCS#8)');
    }
  }
  if (key.type !== 'private') throw new KeyReadError('must be a private key, not a public one');
  if (key.asymmetricKeyType !== 'rsa')
    throw new KeyReadError(`must be an RSA key, not ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}
