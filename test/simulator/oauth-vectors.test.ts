/**
 * The simulator's OAuth side replays the project's reference vectors (computed by IBind's own code and checked by an
 * independent server) byte for byte: every LST request is accepted and, with the vector's DH random injected,
 * answered with exactly the vector's JSON; every signed request verdict matches the reference server's under the
 * strict ("query in the list") and the lenient reading; the negative cases are refused for the documented reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OAuthAuthority, type AuthorityOptions } from '../../src/simulator/oauth/oauth-authority.js';
import { signatureBaseString } from '../../src/simulator/oauth/base-string.js';
import { javaBigIntegerBytes, modPow } from '../../src/simulator/oauth/diffie-hellman.js';
import { deriveLiveSessionToken, liveSessionTokenSignature } from '../../src/simulator/oauth/live-session-token.js';
import { quoteKeepSlash, quotePlus } from '../../src/simulator/oauth/percent-encoding.js';
import { parseOAuthHeader } from '../../src/simulator/oauth/authorization-header.js';
import { dhParamPem } from '../../src/simulator/oauth/dh-param-pem.js';

const VECTORS_PATH = fileURLToPath(new URL('../fixtures/oauth/vectors.json', import.meta.url));
const SHARED_PATH = fileURLToPath(new URL('../../../shared/fixtures/oauth/vectors.json', import.meta.url));
const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8'));
const config = vectors.config;
/** The vectors were signed for IBKR's own host; the authority plays it. */
const ORIGIN = 'https://api.ibkr.com';
const NOW_MS = Number(config.timestamp_s) * 1000;

function primeOf(lstCase: any): bigint {
  return BigInt(
    `0x${lstCase.inputs.dh_prime.startsWith('openssl') ? config.openssl_dhparam.prime_hex : config.dh_prime_hex}`,
  );
}

function authority(
  overrides: Partial<AuthorityOptions> & { secretHex?: string; prime?: bigint; realm?: string; b?: string } = {},
): OAuthAuthority {
  return new OAuthAuthority({
    consumer: {
      consumerKey: config.consumer_key,
      accessToken: config.access_token,
      realm: overrides.realm ?? config.realm,
      accessTokenSecret: Buffer.from(
        overrides.secretHex ?? config['access_token_secret_plaintext_hex (server-side knowledge)'],
        'hex',
      ),
      signaturePublicKey: config.signature_key.public_spki_pem,
      dhPrime: overrides.prime ?? BigInt(`0x${config.dh_prime_hex}`),
    },
    baseUrls: [ORIGIN],
    lifetimeMs: config['lst_lifetime_ms (simulator choice)'],
    timestampToleranceMs: 300_000,
    lenient: false,
    revokePrevious: true,
    now: () => NOW_MS,
    randomPrivateExponent: () =>
      BigInt(`0x${overrides.b ?? '3c266ef430db2da1992ca7b6983282afdd07cf09f4957a432e5f153ece629050'}`),
    ...overrides,
  });
}

const LST_TARGET = '/v1/api/oauth/live_session_token';

describe('the OAuth reference vectors (simulator side)', () => {
  it(
    existsSync(SHARED_PATH)
      ? 'the project copy matches the shared vectors byte for byte'
      : 'no shared copy beside the project: the project copy is the reference',
    () => {
      expect(vectors.lst_requests).toHaveLength(6);
      expect(vectors.signed_requests).toHaveLength(7);
      expect(vectors.negative).toHaveLength(3);
      if (existsSync(SHARED_PATH)) expect(readFileSync(VECTORS_PATH).equals(readFileSync(SHARED_PATH))).toBe(true);
    },
  );

  it('encodes like Python quote_plus and quote() on the whole percent-encoding table', () => {
    for (const row of vectors.percent_encoding) {
      expect(quotePlus(row.in), row.in).toBe(row['python_quote_plus (IBind)']);
      expect(quoteKeepSlash(row.in), row.in).toBe(row['python_quote_safe_slash (IBKR sample)']);
    }
  });

  it('writes K in Java BigInteger.toByteArray form on the to_byte_array table', () => {
    for (const row of vectors.to_byte_array)
      expect(javaBigIntegerBytes(BigInt(`0x${row.int_hex}`)).toString('hex'), row.int_hex).toBe(
        row.ibind_to_byte_array_hex,
      );
  });

  it('encodes the MODP-14 group as the vectors’ dhparam.pem and reads the openssl one as the same DER shape', () => {
    expect(dhParamPem(BigInt(`0x${config.dh_prime_hex}`), 2n)).toBe(config.dhparam_pem);
    expect(dhParamPem(BigInt(`0x${config.openssl_dhparam.prime_hex}`), 2n)).toBe(config.openssl_dhparam.pem);
  });

  for (const lstCase of vectors.lst_requests) {
    it(`LST ${lstCase.name}: the base string, the verified signature and the exact response JSON (${lstCase.note})`, () => {
      const secretHex = lstCase.client.prepend_hex;
      const prime = primeOf(lstCase);
      const parsed = parseOAuthHeader(lstCase.client.authorization_header);
      if (!parsed.ok) throw new Error(parsed.problem);
      const base = signatureBaseString({
        method: 'POST',
        url: config.lst_url,
        params: [...parsed.params],
        prepend: secretHex,
      });
      expect(base).toBe(lstCase.client.base_string);
      const server = authority({ secretHex, prime, b: lstCase.server.dh_server_private_hex });
      const outcome = server.issueLiveSessionToken({
        method: 'POST',
        target: LST_TARGET,
        authorization: lstCase.client.authorization_header,
      });
      expect(outcome).toEqual({ ok: true, response: lstCase.server.response_json });
      // The derivation the response stands on, step by step.
      const K = modPow(
        BigInt(`0x${lstCase.client.diffie_hellman_challenge}`),
        BigInt(`0x${lstCase.server.dh_server_private_hex}`),
        prime,
      );
      expect(K.toString(16)).toBe(lstCase.derived.K_hex.replace(/^0+/, ''));
      expect(javaBigIntegerBytes(K).toString('hex')).toBe(lstCase.derived.K_java_bytes_hex);
      const lst = deriveLiveSessionToken(K, Buffer.from(secretHex, 'hex'));
      expect(lst.toString('base64')).toBe(lstCase.derived.live_session_token_b64);
      expect(liveSessionTokenSignature(lst, config.consumer_key)).toBe(
        lstCase.derived.live_session_token_signature_hex,
      );
    });
  }

  for (const signed of vectors.signed_requests) {
    it(`signed ${signed.name}: the reference verdicts, strict (${signed.reference_server_verdict.query_in_param_list}) and lenient`, () => {
      const lstCase = vectors.lst_requests[0];
      const strict = authority({ realm: signed.request.realm });
      const lenient = authority({ realm: signed.request.realm, lenient: true });
      for (const server of [strict, lenient]) {
        const issued = server.issueLiveSessionToken({
          method: 'POST',
          target: LST_TARGET,
          authorization: lstCase.client.authorization_header.replace(
            `realm="${config.realm}"`,
            `realm="${signed.request.realm}"`,
          ),
        });
        expect(issued.ok).toBe(true);
      }
      const url = new URL(signed.request.url);
      const request = {
        method: signed.request.method,
        target: `${url.pathname}${url.search}`,
        authorization: signed.client.authorization_header,
      };
      const verdict = strict.verifySignedRequest(request);
      expect(verdict.ok ? 'accept' : 'reject').toBe(signed.reference_server_verdict.query_in_param_list);
      if (!verdict.ok) expect(verdict.reason).toBe('signature');
      const lenientVerdict = lenient.verifySignedRequest(request);
      expect(lenientVerdict.ok).toBe(true);
      if (lenientVerdict.ok) {
        const expectedVariant =
          signed.reference_server_verdict.query_in_param_list === 'accept' ? 'standard' : 'query-omitted';
        expect(lenientVerdict.variant).toBe(expectedVariant);
      }
    });
  }

  it('the DENO (deno-ibkr) published example: base strings, LST and its signature', () => {
    const deno = vectors.external_vector_deno_ibkr;
    const prime = BigInt(`0x${deno.dh_prime_256bit_toy}`);
    expect(modPow(2n, BigInt(`0x${deno.dh_random}`), prime).toString(16)).toBe(deno.challenge);
    const K = modPow(BigInt(`0x${deno.dh_response}`), BigInt(`0x${deno.dh_random}`), prime);
    const lst = deriveLiveSessionToken(K, Buffer.from(deno.prepend, 'hex'));
    expect(lst.toString('base64')).toBe(deno.lst);
    expect(liveSessionTokenSignature(lst, deno.consumer_key)).toBe(deno.lst_signature);
  });

  for (const negative of vectors.negative) {
    it(`refuses ${negative.name} (${negative.reference_server_verdict})`, () => {
      const outcome = authority().issueLiveSessionToken({
        method: 'POST',
        target: LST_TARGET,
        authorization: negative.authorization_header,
      });
      expect(outcome.ok).toBe(false);
      const expected = String(negative.reference_server_verdict).includes('consumer')
        ? 'invalid-consumer'
        : 'signature';
      if (!outcome.ok) expect(outcome.reason).toBe(expected);
    });
  }
});
