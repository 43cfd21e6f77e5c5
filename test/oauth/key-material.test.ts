/** Reading what users hold: PEM keys in both formats or KeyObjects, dhparam.pem in every form, the encrypted secret. */
import { constants, createPrivateKey, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IbkrWsError } from '../../src/errors.js';
import {
  decryptAccessTokenSecret,
  MODP_2048_PRIME_HEX,
  OAuthCredentials,
  readDhParam,
  readRsaPrivateKey,
  SecretDecryptionError,
} from '../../src/oauth/index.js';
import { optionsFor, vectors } from './support/vectors.js';

const { config } = vectors;

describe('private keys', () => {
  it('reads PKCS#1 and PKCS#8 PEMs, Buffers and KeyObjects alike', () => {
    const fromPkcs1 = readRsaPrivateKey(config.signature_key.private_pkcs1_pem);
    const fromPkcs8 = readRsaPrivateKey(Buffer.from(config.signature_key.private_pkcs8_pem));
    const fromObject = readRsaPrivateKey(createPrivateKey(config.signature_key.private_pkcs8_pem));
    const der = (key: ReturnType<typeof readRsaPrivateKey>) =>
      key.export({ type: 'pkcs8', format: 'der' }).toString('hex');
    expect(der(fromPkcs1)).toBe(der(fromPkcs8));
    expect(der(fromObject)).toBe(der(fromPkcs8));
  });

  it('refuses public keys, non-RSA keys and garbage without quoting them', () => {
    expect(() => readRsaPrivateKey(config.signature_key.public_spki_pem)).toThrow(/not a readable PEM private key/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    expect(() => readRsaPrivateKey(ec)).toThrow(/must be an RSA key/);
    const garbage = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXN0dWZm\n-----END PRIVATE KEY-----';
    expect(() => readRsaPrivateKey(garbage)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('c2VjcmV0') }),
    );
  });
});

describe('dhparam.pem', () => {
  it("reads the MODP-14 PEM that OpenSSL 3 prints as 'GROUP: modp_2048'", () => {
    expect(readDhParam(config.dhparam_pem)).toEqual({ prime: BigInt(`0x${config.dh_prime_hex}`), generator: 2n });
    expect(MODP_2048_PRIME_HEX).toBe(config.dh_prime_hex);
  });

  it('reads a fresh `openssl dhparam 2048` PEM', () => {
    expect(readDhParam(config.openssl_dhparam.pem).prime.toString(16)).toBe(config.openssl_dhparam.prime_hex);
  });

  it('reads `openssl dhparam -text` output: a P: block, or only the group name', () => {
    const hex = config.openssl_dhparam.prime_hex;
    const lines = `00${hex}`.match(/.{1,30}/g)!.map((chunk) => `    ${chunk.match(/../g)!.join(':')}:`);
    const text = `    DH Parameters: (2048 bit)\n    P:\n${lines.join('\n')}\n    G:    2 (0x2)\n`;
    expect(lines[0]!.trim()).toBe(config.openssl_dhparam.openssl_text_P_first_line);
    expect(readDhParam(text).prime.toString(16)).toBe(hex);
    expect(readDhParam('    DH Parameters: (2048 bit)\n        GROUP: modp_2048\n').prime.toString(16)).toBe(
      config.dh_prime_hex,
    );
    expect(readDhParam(` 0x${config.dh_prime_hex}\n`).prime.toString(16)).toBe(config.dh_prime_hex);
  });

  it('refuses what is none of these', () => {
    expect(() => readDhParam('hello')).toThrow(/neither/);
    expect(() => readDhParam('-----BEGIN DH PARAMETERS-----\nAAAA\n-----END DH PARAMETERS-----')).toThrow(/DER/);
  });
});

describe('the access token secret', () => {
  const key = createPrivateKey(config.encryption_key.private_pkcs1_pem);

  it('decrypts without the PKCS#1 padding mode Node 20 refuses', () => {
    expect(decryptAccessTokenSecret(key, config.access_token_secret_b64).toString('hex')).toBe(
      vectors.lst_requests[0]!.client.prepend_hex,
    );
    // The same ciphertext with line breaks (a pasted secret) still decrypts.
    expect(decryptAccessTokenSecret(key, config.access_token_secret_b64.replace(/(.{64})/g, '$1\n')).length).toBe(32);
  });

  it('fails with one generic error for a truncated secret, a wrong key or a non-PKCS#1 block', () => {
    expect(() => decryptAccessTokenSecret(key, config.access_token_secret_b64.slice(0, 300))).toThrow(
      SecretDecryptionError,
    );
    expect(() => decryptAccessTokenSecret(key, 'not base64!')).toThrow(SecretDecryptionError);
    const other = createPrivateKey(config.signature_key.private_pkcs1_pem);
    expect(() => decryptAccessTokenSecret(other, config.access_token_secret_b64)).toThrow(SecretDecryptionError);
    // A signature-type block (00 01 FF… 00 M) and a block with too little padding are not an encrypted secret.
    const block = (type: number, paddingBytes: number) =>
      Buffer.concat([
        Buffer.from([0, type]),
        Buffer.alloc(paddingBytes, 0xff),
        Buffer.from([0]),
        Buffer.alloc(253 - paddingBytes, 7),
      ]);
    const encrypt = (plain: Buffer) =>
      publicEncrypt({ key: config.encryption_key.public_spki_pem, padding: constants.RSA_NO_PADDING }, plain).toString(
        'base64',
      );
    expect(() => decryptAccessTokenSecret(key, encrypt(block(1, 221)))).toThrow(SecretDecryptionError);
    expect(() => decryptAccessTokenSecret(key, encrypt(block(2, 4)))).toThrow(SecretDecryptionError);
    expect(decryptAccessTokenSecret(key, encrypt(block(2, 221))).equals(Buffer.alloc(32, 7))).toBe(true);
  });
});

describe('the oauth option', () => {
  const secretValues = [config.access_token_secret_b64, config.access_token, 'MIIE'];

  function rejection(overrides: Record<string, unknown>): IbkrWsError {
    try {
      new OAuthCredentials({ ...optionsFor(), ...overrides } as never);
    } catch (error) {
      return error as IbkrWsError;
    }
    throw new Error('accepted');
  }

  it.each([
    [{ consumerKey: '' }, 'oauth.consumerKey'],
    [{ consumerKey: 'IBKR WSTST' }, 'oauth.consumerKey'],
    [{ accessToken: undefined }, 'oauth.accessToken'],
    [{ accessTokenSecret: '' }, 'oauth.accessTokenSecret'],
    [{ accessTokenSecret: config.access_token_secret_b64.slice(4) }, 'oauth.accessTokenSecret'],
    [{ signatureKey: 'nonsense' }, 'oauth.signatureKey'],
    [{ encryptionKey: config.encryption_key.public_spki_pem }, 'oauth.encryptionKey'],
    [{ encryptionKey: config.signature_key.private_pkcs1_pem }, 'oauth.accessTokenSecret'],
    [{ dhPrime: 'xyz' }, 'oauth.dhPrime'],
    [{ dhPrime: 'ff' }, 'oauth.dhPrime'],
    [{ realm: 'a"b' }, 'oauth.realm'],
  ])('names the field of %j and never its value', (overrides, field) => {
    const error = rejection(overrides);
    expect(error).toBeInstanceOf(IbkrWsError);
    expect(error.code).toBe('invalid-option');
    expect(error.message.startsWith(field)).toBe(true);
    for (const value of secretValues) expect(error.message).not.toContain(value);
  });

  it('prints as its consumer only, defaults the realm, and keeps the secret for the signer', () => {
    const credentials = new OAuthCredentials({ ...optionsFor(), realm: undefined });
    expect(credentials.realm).toBe('limited_poa');
    expect(new OAuthCredentials({ ...optionsFor(), consumerKey: 'TESTCONS', realm: undefined }).realm).toBe(
      'test_realm',
    );
    expect(JSON.stringify({ credentials })).toBe('{"credentials":"[OAuthCredentials IBKRWSTST]"}');
    expect(String(credentials)).not.toContain(config.access_token);
    expect(credentials.prepend.length).toBe(32);
  });
});
