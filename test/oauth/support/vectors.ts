/** The project's copy of the OAuth reference vectors (computed by IBind's own code), typed for the tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OAuthCredentials, type OAuthOptions } from '../../../src/oauth/index.js';

export const VECTORS_PATH = fileURLToPath(new URL('../../fixtures/oauth/vectors.json', import.meta.url));

interface LstCase {
  name: string;
  inputs: {
    dh_prime: string;
    dh_random_hex: string;
    oauth_nonce: string;
    oauth_timestamp: string;
    access_token_secret_b64: string;
  };
  client: {
    prepend_hex: string;
    diffie_hellman_challenge: string;
    base_string: string;
    oauth_signature_b64: string;
    authorization_header: string;
  };
  server: { dh_server_private_hex: string; response_json: Record<string, unknown> };
  derived: {
    K_hex: string;
    K_java_bytes_hex: string;
    live_session_token_b64: string;
    live_session_token_signature_hex: string;
  };
}

interface SignedCase {
  name: string;
  request: {
    method: string;
    url: string;
    url_in_base_string: string;
    oauth_nonce: string;
    oauth_timestamp: string;
    realm: string;
  };
  client: { base_string: string; oauth_signature_b64: string; authorization_header: string };
  reference_server_verdict: { query_in_param_list: string; query_ignored: string };
}

export interface Vectors {
  config: {
    lst_url: string;
    consumer_key: string;
    access_token: string;
    realm: string;
    access_token_secret_b64: string;
    dh_prime_hex: string;
    dhparam_pem: string;
    openssl_dhparam: { pem: string; prime_hex: string; openssl_text_P_first_line: string };
    signature_key: { private_pkcs1_pem: string; private_pkcs8_pem: string; public_spki_pem: string };
    encryption_key: { private_pkcs1_pem: string; private_pkcs8_pem: string; public_spki_pem: string };
    timestamp_s: number;
    ws_url: string;
  } & Record<string, unknown>;
  lst_requests: LstCase[];
  signed_requests: SignedCase[];
  negative: Array<{ name: string; authorization_header: string; reference_server_verdict: string }>;
  percent_encoding: Array<Record<string, string>>;
  to_byte_array: Array<{ int_hex: string; ibind_to_byte_array_hex: string }>;
  external_vector_deno_ibkr: Record<string, string> & { ibind_agrees: Record<string, boolean> };
}

export const vectors: Vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8'));

export function primeHexOf(testCase: LstCase): string {
  return testCase.inputs.dh_prime.startsWith('openssl')
    ? vectors.config.openssl_dhparam.prime_hex
    : vectors.config.dh_prime_hex;
}

export function optionsFor(overrides: Partial<OAuthOptions> = {}, testCase?: LstCase): OAuthOptions {
  const { config } = vectors;
  return {
    consumerKey: config.consumer_key,
    accessToken: config.access_token,
    accessTokenSecret: testCase?.inputs.access_token_secret_b64 ?? config.access_token_secret_b64,
    signatureKey: config.signature_key.private_pkcs1_pem,
    encryptionKey: config.encryption_key.private_pkcs8_pem,
    dhPrime: testCase ? primeHexOf(testCase) : config.dh_prime_hex,
    realm: config.realm,
    ...overrides,
  };
}

export function credentialsFor(testCase?: LstCase, overrides: Partial<OAuthOptions> = {}): OAuthCredentials {
  return new OAuthCredentials(optionsFor(overrides, testCase));
}
