/**
 * The consumer a user would register in IBKR's self-service portal, made up at simulator start: an RSA-2048
 * signature key pair and encryption key pair, the 2048-bit DH group, a 9-letter consumer key, a 20-hex access token,
 * and the 32-byte access token secret encrypted to the consumer's public encryption key with RSAES-PKCS1-v1_5, as
 * IBKR hands it out. The server keeps what IBKR keeps (public keys, the plain secret); the private keys go to the
 * client through the credentials file.
 */
import { constants, createPublicKey, generateKeyPair, publicEncrypt, randomBytes, randomInt } from 'node:crypto';
import { MODP_2048_PRIME } from './diffie-hellman.js';
import { dhParamPem } from './dh-param-pem.js';

export interface OAuthConsumerMaterial {
  /** 9 upper-case letters (the portal upper-cases what the user types). */
  readonly consumerKey: string;
  /** 20 lower-case hex characters. */
  readonly accessToken: string;
  /** base64 of the RSAES-PKCS1-v1_5 ciphertext of the secret under `encryptionPublicKey` (what IBKR hands out). */
  readonly accessTokenSecret: string;
  /** The plain 32-byte secret as hex: IBKR's side of it, the client's "prepend". A secret: never log it. */
  readonly accessTokenSecretPlainHex: string;
  readonly realm: string;
  /** PKCS#8 PEM private keys (the client's) and SPKI PEM public keys (registered with IBKR). */
  readonly signatureKey: string;
  readonly signaturePublicKey: string;
  readonly encryptionKey: string;
  readonly encryptionPublicKey: string;
  /** The DH prime as lower-case hex, and the same group as a `dhparam.pem` (generator 2). */
  readonly dhPrime: string;
  readonly dhParamPem: string;
}

/** What a first-party (self-service) consumer's realm is; `test_realm` belongs to IBKR's TESTCONS consumer only. */
export const DEFAULT_REALM = 'limited_poa';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export async function generateConsumerMaterial(): Promise<OAuthConsumerMaterial> {
  // Both pairs at once: key generation runs on the thread pool, ~0.2 s each.
  const [signature, encryption] = await Promise.all([generateRsaPair(), generateRsaPair()]);
  const secret = randomBytes(32);
  let consumerKey = '';
  for (let index = 0; index < 9; index++) consumerKey += LETTERS[randomInt(LETTERS.length)];
  return {
    consumerKey,
    accessToken: randomBytes(10).toString('hex'),
    accessTokenSecret: encryptAccessTokenSecret(secret, encryption.publicKey),
    accessTokenSecretPlainHex: secret.toString('hex'),
    realm: DEFAULT_REALM,
    signatureKey: signature.privateKey,
    signaturePublicKey: signature.publicKey,
    encryptionKey: encryption.privateKey,
    encryptionPublicKey: encryption.publicKey,
    dhPrime: MODP_2048_PRIME.toString(16),
    dhParamPem: dhParamPem(MODP_2048_PRIME, 2n),
  };
}

/** RSAES-PKCS1-v1_5 encryption (still allowed in Node 20; only private *decryption* with it was disabled). */
export function encryptAccessTokenSecret(secret: Buffer, encryptionPublicKey: string): string {
  return publicEncrypt(
    { key: createPublicKey(encryptionPublicKey), padding: constants.RSA_PKCS1_PADDING },
    secret,
  ).toString('base64');
}

function generateRsaPair(): Promise<{ publicKey: string; privateKey: string }> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      },
      (error, publicKey, privateKey) => (error === null ? resolve({ publicKey, privateKey }) : reject(error)),
    );
  });
}
