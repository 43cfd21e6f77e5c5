/**
 * The live-session-token exchange, client side, reproduced byte for byte from the reference vectors: prepend,
 * challenge, base string, RSA signature, header, K's Java bytes, the token and its validation.
 */
import { createPublicKey, verify, constants, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildLstRequest,
  completeLstRequest,
  dhSharedSecret,
  javaBytes,
  lstBaseString,
  modPow,
  deriveLiveSessionToken,
  liveSessionTokenIsValid,
  signatureBaseString,
  rsaSha256Signature,
  authorizationHeader,
  readRsaPrivateKey,
  dhChallenge,
} from '../../src/oauth/index.js';
import { credentialsFor, vectors } from './support/vectors.js';

describe.each(vectors.lst_requests)('LST vector $name', (testCase) => {
  const credentials = credentialsFor(testCase);
  const input = {
    url: vectors.config.lst_url,
    nonce: testCase.inputs.oauth_nonce,
    timestamp: String(testCase.inputs.oauth_timestamp),
    dhExponent: BigInt(`0x${testCase.inputs.dh_random_hex}`),
  };

  it('decrypts the access token secret to the prepend', () => {
    expect(credentials.prepend.toString('hex')).toBe(testCase.client.prepend_hex);
  });

  it('builds the challenge, the base string, the signature and the header exactly', () => {
    expect(lstBaseString(credentials, input)).toBe(testCase.client.base_string);
    const request = buildLstRequest(credentials, input);
    expect(request.challenge).toBe(testCase.client.diffie_hellman_challenge);
    expect(request.authorization).toBe(testCase.client.authorization_header);
    expect(rsaSha256Signature(credentials.signatureKey, testCase.client.base_string)).toBe(
      testCase.client.oauth_signature_b64,
    );
  });

  it("derives K, its Java bytes and the token from the server's answer, and validates it", () => {
    const shared = dhSharedSecret(
      credentials.dhPrime,
      input.dhExponent,
      testCase.server.response_json['diffie_hellman_response'] as string,
    );
    expect(shared?.toString(16)).toBe(testCase.derived.K_hex.replace(/^0+/, ''));
    expect(javaBytes(shared!).toString('hex')).toBe(testCase.derived.K_java_bytes_hex);
    const outcome = completeLstRequest(credentials, input.dhExponent, testCase.server.response_json);
    expect(outcome).toEqual({
      ok: true,
      liveSessionToken: testCase.derived.live_session_token_b64,
      expiresAtMs: testCase.server.response_json['live_session_token_expiration'],
    });
  });

  it('rejects the answer when its signature, its DH value or its shape is wrong', () => {
    const good = testCase.server.response_json;
    const flipped = (good['live_session_token_signature'] as string).replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(
      completeLstRequest(credentials, input.dhExponent, { ...good, live_session_token_signature: flipped }),
    ).toEqual({ ok: false, problem: 'signature-mismatch' });
    // Another exponent gives another K: the same answer no longer validates (a wrong prime or secret looks like this).
    expect(completeLstRequest(credentials, input.dhExponent + 1n, good)).toEqual({
      ok: false,
      problem: 'signature-mismatch',
    });
    expect(completeLstRequest(credentials, input.dhExponent, { ...good, diffie_hellman_response: '1' })).toEqual({
      ok: false,
      problem: 'invalid-dh-response',
    });
    expect(completeLstRequest(credentials, input.dhExponent, { ...good, diffie_hellman_response: 'zz' })).toEqual({
      ok: false,
      problem: 'invalid-dh-response',
    });
    expect(completeLstRequest(credentials, input.dhExponent, { error: 'x' })).toEqual({
      ok: false,
      problem: 'malformed-response',
    });
    expect(completeLstRequest(credentials, input.dhExponent, 'text')).toEqual({
      ok: false,
      problem: 'malformed-response',
    });
  });
});

describe('the negative LST cases', () => {
  const [reference] = vectors.lst_requests;
  const credentials = credentialsFor(reference);
  const publicKey = createPublicKey(vectors.config.signature_key.public_spki_pem);
  const headerParams = (header: string): Record<string, string> =>
    Object.fromEntries(
      [...header.slice('OAuth '.length).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, decodeURIComponent(m[2]!)]),
    );

  /** What IBKR checks, rebuilt from the header with this project's base-string code: the consumer, then the signature. */
  function verdict(header: string, prepend = credentials.prepend.toString('hex')): string {
    const params = headerParams(header);
    if (params['oauth_consumer_key'] !== vectors.config.consumer_key) return 'reject: invalid consumer';
    const { realm: _realm, oauth_signature: signature, ...signed } = params;
    const base = signatureBaseString({ method: 'POST', url: vectors.config.lst_url, params: signed, prepend });
    // Strict base64: Node's decoder skips stray characters, so a tampered `:` would otherwise still verify.
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature!)) return 'reject: signature';
    const ok = verify(
      'sha256',
      Buffer.from(base),
      { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(signature!, 'base64'),
    );
    return ok ? 'accept' : 'reject: signature';
  }

  it('accepts every header this client builds', () => {
    for (const testCase of vectors.lst_requests) {
      expect(verdict(testCase.client.authorization_header, testCase.client.prepend_hex), testCase.name).toBe('accept');
    }
  });

  it.each(vectors.negative)(
    'rejects $name as the reference server does',
    ({ authorization_header, reference_server_verdict }) => {
      expect(verdict(authorization_header)).toBe(reference_server_verdict);
      expect(vectors.lst_requests.map((c) => c.client.authorization_header)).not.toContain(authorization_header);
    },
  );
});

describe('the published deno-ibkr vector (toy 256-bit prime, 1024-bit key)', () => {
  const deno = vectors.external_vector_deno_ibkr;
  const prime = BigInt(`0x${deno['dh_prime_256bit_toy']}`);
  const exponent = BigInt(`0x${deno['dh_random']}`);
  const params = {
    diffie_hellman_challenge: dhChallenge(prime, exponent),
    oauth_consumer_key: deno['consumer_key']!,
    oauth_nonce: deno['nonce']!,
    oauth_signature_method: 'RSA-SHA256',
    oauth_timestamp: deno['timestamp']!,
    oauth_token: deno['access_token']!,
  };

  it('reproduces the challenge, the token and its signature', () => {
    expect(params.diffie_hellman_challenge).toBe(deno['challenge']);
    const shared = modPow(BigInt(`0x${deno['dh_response']}`), exponent, prime);
    const token = deriveLiveSessionToken(shared, Buffer.from(deno['prepend']!, 'hex'));
    expect(token).toBe(deno['lst']);
    expect(liveSessionTokenIsValid(token, deno['consumer_key']!, deno['lst_signature']!)).toBe(true);
    expect(createHmac('sha1', Buffer.from(token, 'base64')).update(deno['consumer_key']!).digest('hex')).toBe(
      deno['lst_signature'],
    );
  });

  it('reproduces the RSA-SHA256 header', () => {
    const base = signatureBaseString({
      method: 'POST',
      url: vectors.config.lst_url,
      params,
      prepend: deno['prepend']!,
    });
    const signature = rsaSha256Signature(readRsaPrivateKey(deno['rsa_test_key_1024_pkcs8_pem']!), base);
    const header = authorizationHeader('realm', params, signature);
    expect(header).toBe(`OAuth ${deno['authorization_header_after_OAuth_prefix']}`);
    expect(header).toContain(`oauth_signature="${deno['rsa_signature_in_header']}"`);
  });
});
