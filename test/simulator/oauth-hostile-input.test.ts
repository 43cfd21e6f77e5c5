/**
 * Bad input never crashes IBKR's side: any Authorization header, request target or signature gets a refusal with a
 * reason, never an exception (the simulator serves every client a user points at it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOAuthHeader } from '../../src/simulator/oauth/authorization-header.js';
import { OAuthAuthority } from '../../src/simulator/oauth/oauth-authority.js';
import { MODP_2048_PRIME } from '../../src/simulator/oauth/diffie-hellman.js';
import { decodeQuery, percentDecode } from '../../src/simulator/oauth/percent-encoding.js';
import { sharedOAuthMaterial } from './support/oauth-test-client.js';

async function authority(): Promise<OAuthAuthority> {
  const material = await sharedOAuthMaterial();
  return new OAuthAuthority({
    consumer: {
      consumerKey: material.consumerKey,
      accessToken: material.accessToken,
      realm: material.realm,
      accessTokenSecret: Buffer.from(material.accessTokenSecretPlainHex, 'hex'),
      signaturePublicKey: material.signaturePublicKey,
      dhPrime: MODP_2048_PRIME,
    },
    baseUrls: ['https://localhost:5000'],
    lifetimeMs: 60_000,
    timestampToleranceMs: 300_000,
    lenient: true,
    revokePrevious: true,
    now: () => 1_767_225_600_000,
  });
}

/** Headers that look almost right: the real parameter names with arbitrary values, in any order and spacing. */
const nearlyValidHeader = (consumerKey: string, accessToken: string): fc.Arbitrary<string> =>
  fc
    .record({
      oauth_consumer_key: fc.oneof(fc.constant(consumerKey), fc.string()),
      oauth_token: fc.oneof(fc.constant(accessToken), fc.string()),
      oauth_signature_method: fc.constantFrom('RSA-SHA256', 'HMAC-SHA256', ''),
      oauth_signature: fc.oneof(fc.base64String(), fc.string()),
      oauth_nonce: fc.string(),
      oauth_timestamp: fc.oneof(fc.constant('1767225600'), fc.string()),
      diffie_hellman_challenge: fc.oneof(fc.stringMatching(/^[0-9a-f]{1,600}$/), fc.string()),
      realm: fc.constantFrom('limited_poa', 'test_realm', ''),
    })
    .map(
      (pairs) =>
        `OAuth ${Object.entries(pairs)
          .map(([key, value]) => `${key}="${value.replace(/"/g, '')}"`)
          .join(',')}`,
    );

describe('hostile input to the OAuth side', () => {
  it('never throws on any header, target or method, and never accepts garbage', async () => {
    const server = await authority();
    const material = await sharedOAuthMaterial();
    const header = fc.oneof(
      fc.string(),
      fc.constant(undefined),
      nearlyValidHeader(material.consumerKey, material.accessToken),
    );
    const target = fc.oneof(
      fc.constant('/v1/api/tickle'),
      fc.string().map((text) => `/v1/api/x?${text}`),
      fc.string(),
    );
    fc.assert(
      fc.property(header, target, fc.constantFrom('GET', 'POST', 'PUT', ''), (authorization, requestTarget, method) => {
        const issued = server.issueLiveSessionToken({ method, target: requestTarget, authorization });
        const verified = server.verifySignedRequest({ method, target: requestTarget, authorization });
        expect(issued.ok).toBe(false);
        expect(verified.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('parses and decodes any text without throwing', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        parseOAuthHeader(`OAuth ${text}`);
        percentDecode(text);
        decodeQuery(text);
      }),
      { numRuns: 500 },
    );
  });
});
