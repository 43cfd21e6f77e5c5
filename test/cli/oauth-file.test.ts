/**
 * `connect --oauth FILE`: every local problem with FILE is a usage error (exit 2) that names the field and never
 * prints its value, before any request is made.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readOAuthFile } from '../../src/cli/oauth-file.js';
import { vectors } from '../oauth/support/vectors.js';
import { captureIo } from './support/capture-io.js';

const { config } = vectors;
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A FILE with the reference vectors' consumer, its keys beside it; `overrides` replace or (undefined) drop fields. */
function credentialsFile(overrides: Record<string, unknown> = {}, files: Record<string, string> = {}): string {
  const folder = mkdtempSync(join(tmpdir(), 'ibkr-ws-oauth-'));
  folders.push(folder);
  const all: Record<string, string> = {
    'signature.pem': config.signature_key.private_pkcs1_pem,
    'encryption.pem': config.encryption_key.private_pkcs8_pem,
    'dhparam.pem': config.dhparam_pem,
    ...files,
  };
  for (const [name, content] of Object.entries(all)) writeFileSync(join(folder, name), content);
  const json: Record<string, unknown> = {
    consumerKey: config.consumer_key,
    accessToken: config.access_token,
    accessTokenSecret: config.access_token_secret_b64,
    signatureKeyFile: 'signature.pem',
    encryptionKeyFile: 'encryption.pem',
    dhParamFile: 'dhparam.pem',
    ...overrides,
  };
  const file = join(folder, 'oauth.json');
  writeFileSync(
    file,
    JSON.stringify(Object.fromEntries(Object.entries(json).filter(([, value]) => value !== undefined))),
  );
  return file;
}

async function connect(file: string): Promise<{ code: number; stderr: string }> {
  const captured = captureIo();
  const code = await main(['connect', '--oauth', file, '--gateway', 'https://127.0.0.1:9', '--for', '0'], captured.io);
  return { code, stderr: captured.stderr.join('\n') };
}

const SECRET_VALUES = [
  config.access_token_secret_b64,
  config.access_token_secret_b64.slice(0, 40),
  'MIIE',
  config.access_token,
];

describe('connect --oauth FILE', () => {
  it('reads a good FILE: keys by relative path, the prime from an OpenSSL 3 dhparam.pem', () => {
    const options = readOAuthFile(credentialsFile());
    expect(options.consumerKey).toBe(config.consumer_key);
    expect(options.dhPrime).toBe(BigInt(`0x${config.dh_prime_hex}`));
    expect(String(options.signatureKey)).toContain('BEGIN RSA PRIVATE KEY');
    expect(readOAuthFile(credentialsFile({ dhParamFile: undefined, dhPrime: config.dh_prime_hex })).dhPrime).toBe(
      config.dh_prime_hex,
    );
  });

  it.each([
    ['a missing file', () => '/nonexistent/oauth.json', /cannot read the file \(ENOENT\)/],
    [
      'malformed JSON',
      () => {
        const file = credentialsFile();
        writeFileSync(file, `{"accessTokenSecret": "${config.access_token_secret_b64}",`);
        return file;
      },
      /not valid JSON/,
    ],
    [
      'a missing consumer key',
      () => credentialsFile({ consumerKey: undefined }),
      /"consumerKey" must be a non-empty string/,
    ],
    ['an unknown field', () => credentialsFile({ secret: 'x' }), /unknown field\(s\) secret/],
    ['both prime forms', () => credentialsFile({ dhPrime: config.dh_prime_hex }), /exactly one of "dhPrime"/],
    [
      'a key file that is not there',
      () => credentialsFile({ signatureKeyFile: 'nope.pem' }),
      /"signatureKeyFile" names a file that cannot be read: nope\.pem/,
    ],
    [
      'a key that does not parse',
      () =>
        credentialsFile({}, { 'signature.pem': '-----BEGIN PRIVATE KEY-----\nMIIEbroken\n-----END PRIVATE KEY-----' }),
      /"signatureKeyFile" is not a readable PEM private key/,
    ],
    [
      'a public key given as the private one',
      () => credentialsFile({}, { 'encryption.pem': config.encryption_key.public_spki_pem }),
      /"encryptionKeyFile"/,
    ],
    [
      'a secret that does not decrypt',
      () => credentialsFile({ accessTokenSecret: config.access_token_secret_b64.replace(/^..../, 'AAAA') }),
      /"accessTokenSecret" does not decrypt/,
    ],
    [
      'a dhparam file that is not one',
      () => credentialsFile({}, { 'dhparam.pem': 'hello' }),
      /"dhParamFile" is not a DH parameters file/,
    ],
  ])('exits 2 for %s, naming the field and never its value', async (_name, make, message) => {
    const { code, stderr } = await connect(make());
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    for (const value of SECRET_VALUES) expect(stderr).not.toContain(value);
  });
});
