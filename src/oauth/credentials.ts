/**
 * The `oauth` option, checked once at construction and turned into ready key material: keys parsed, the access-token
 * secret decrypted, the prime read. Every problem is an `invalid-option` error naming the field and what is wrong with
 * it, never the value. The result prints as `[OAuthCredentials consumer …]` only: the inspector and loggers that walk
 * objects see no key, secret or token.
 */
import type { KeyObject } from 'node:crypto';
import { IbkrWsError } from '../errors.js';
import { decryptAccessTokenSecret, SecretDecryptionError } from './access-token-secret.js';
import { parseHexInteger } from './diffie-hellman.js';
import { readRsaPrivateKey, KeyReadError, type PrivateKeyInput } from './keys.js';

/** What a user registers in IBKR's self-service portal and holds locally (docs/OAUTH.md). */
export interface OAuthOptions {
  /** The 9-character consumer key chosen in the portal (case-sensitive: the portal upper-cases it). */
  readonly consumerKey: string;
  /** The access token the portal shows (20 hex characters). */
  readonly accessToken: string;
  /** The access token secret the portal shows: base64 of a ciphertext made with your public encryption key. */
  readonly accessTokenSecret: string;
  /** Private signature key (PEM or KeyObject) whose public half was uploaded to the portal. */
  readonly signatureKey: PrivateKeyInput;
  /** Private encryption key (PEM or KeyObject) whose public half was uploaded to the portal. */
  readonly encryptionKey: PrivateKeyInput;
  /** The Diffie-Hellman prime of the uploaded `dhparam.pem`, as hex (`readDhParam` reads the file). */
  readonly dhPrime: string | bigint;
  /** `limited_poa` for self-service consumers (the default); `test_realm` for IBKR's `TESTCONS`. */
  readonly realm?: string;
}

/** Characters a value may have to go into the header raw (`key="value"`): OAuth's unreserved set. */
const HEADER_SAFE = /^[A-Za-z0-9._~-]+$/;

export class OAuthCredentials {
  readonly consumerKey: string;
  readonly accessToken: string;
  readonly realm: string;
  readonly dhPrime: bigint;
  readonly #prepend: Buffer;
  readonly #signatureKey: KeyObject;

  constructor(options: OAuthOptions) {
    if (typeof options !== 'object' || options === null) throw invalid('oauth', 'must be an object');
    this.consumerKey = headerValue(options.consumerKey, 'consumerKey');
    this.accessToken = headerValue(options.accessToken, 'accessToken');
    const realm = options.realm ?? (this.consumerKey === 'TESTCONS' ? 'test_realm' : 'limited_poa');
    this.realm = headerValue(realm, 'realm');
    this.#signatureKey = privateKey(options.signatureKey, 'signatureKey');
    const encryptionKey = privateKey(options.encryptionKey, 'encryptionKey');
    this.dhPrime = prime(options.dhPrime);
    if (typeof options.accessTokenSecret !== 'string' || options.accessTokenSecret.trim() === '') {
      throw invalid('accessTokenSecret', 'must be a non-empty base64 string');
    }
    try {
      this.#prepend = decryptAccessTokenSecret(encryptionKey, options.accessTokenSecret);
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      throw invalid(
        'accessTokenSecret',
        'does not decrypt with oauth.encryptionKey: check that the secret was copied whole (344 base64 characters for a 2048-bit key) and that the encryption key is the one whose public half you uploaded',
      );
    }
  }

  /** The decrypted access-token secret: only the LST request's signer reads it. */
  get prepend(): Buffer {
    return this.#prepend;
  }

  get signatureKey(): KeyObject {
    return this.#signatureKey;
  }

  toJSON(): string {
    return `[OAuthCredentials ${this.consumerKey}]`;
  }

  toString(): string {
    return this.toJSON();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toJSON();
  }
}

function invalid(field: string, problem: string): IbkrWsError {
  const name = field === 'oauth' ? 'oauth' : `oauth.${field}`;
  return new IbkrWsError('invalid-option', `${name} ${problem}`, { option: name });
}

function headerValue(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(field, 'must be a non-empty string');
  if (!HEADER_SAFE.test(value))
    throw invalid(field, 'may only contain letters, digits and - . _ ~ (is there a stray space or quote?)');
  return value;
}

function privateKey(value: unknown, field: string): KeyObject {
  if (value === undefined || value === null || value === '')
    throw invalid(field, 'is required (a PEM private key or a KeyObject)');
  try {
    return readRsaPrivateKey(value as PrivateKeyInput);
  } catch (error) {
    if (error instanceof KeyReadError) throw invalid(field, error.message);
    throw error;
  }
}

function prime(value: unknown): bigint {
  const parsed = typeof value === 'bigint' ? value : typeof value === 'string' ? parseHexInteger(value) : undefined;
  if (parsed === undefined) throw invalid('dhPrime', 'must be the prime as hex (see readDhParam for a dhparam.pem)');
  if (parsed < 2n ** 255n || parsed % 2n === 0n)
    throw invalid('dhPrime', 'is not a usable Diffie-Hellman prime (odd, 256 bits or more)');
  return parsed;
}
