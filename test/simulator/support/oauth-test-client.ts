/**
 * A deliberately small OAuth 1.0a client for the simulator's own tests, written apart from both the library's client
 * (src/oauth) and the simulator's verifier (src/simulator/oauth), so neither side's mistake is mirrored here: it reads
 * the credentials FILE the simulator wrote, decrypts the access token secret, gets a live session token by RSA-SHA256
 * + Diffie-Hellman, checks its signature, and signs REST calls with HMAC-SHA256 in a chosen base-string form.
 */
import {
  constants,
  createHmac,
  createPrivateKey,
  privateDecrypt,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkServerIdentity } from 'node:tls';
import { Agent, request } from 'undici';
import type { GatewaySimulator, OAuthConsumerMaterial } from '../../../src/simulator/index.js';
import { generateConsumerMaterial } from '../../../src/simulator/oauth/consumer-material.js';
import { TestSocket, type RestReply } from '../helpers.js';

/** Where to connect: a started simulator, or what `ibkr-ws sim --oauth` printed. */
export type OAuthEndpoint = Pick<GatewaySimulator, 'url' | 'wsUrl' | 'ca' | 'oauthFile'>;

export type SigningForm = 'standard' | 'query-omitted' | 'query-in-url' | 'quote';

interface Credentials {
  consumerKey: string;
  accessToken: string;
  realm: string;
  prepend: Buffer;
  signatureKey: KeyObject;
  prime: bigint;
}

const pyQuotePlus = (text: string): string =>
  encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
const pyQuote = (text: string): string => pyQuotePlus(text).replace(/\+/g, '%20').replace(/%2F/g, '/');

function power(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus)
    if (e & 1n) result = (result * b) % modulus;
  return result;
}

/** RSAES-PKCS1-v1_5 unpadding by hand: Node 20 refuses RSA_PKCS1_PADDING for private decryption. */
function decryptSecret(ciphertextB64: string, key: KeyObject): Buffer {
  const block = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.from(ciphertextB64, 'base64'));
  const separator = block.indexOf(0, 2);
  if (block[0] !== 0 || block[1] !== 2 || separator < 10) throw new Error('access token secret does not decrypt');
  return block.subarray(separator + 1);
}

/** PKCS#3 DER: SEQUENCE { INTEGER p, INTEGER g } — read the first INTEGER. */
function primeFromDhParam(pem: string): bigint {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  let at = 1;
  at += der[at]! & 0x80 ? 1 + (der[at]! & 0x7f) : 1;
  if (der[at] !== 0x02) throw new Error('dhparam: no INTEGER');
  at += 1;
  let length = der[at]!;
  at += 1;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = der.subarray(at, at + count).reduce((sum, byte) => sum * 256 + byte, 0);
    at += count;
  }
  return BigInt(`0x${der.subarray(at, at + length).toString('hex')}`);
}

function javaBytes(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return bytes[0]! >= 0x80 ? Buffer.concat([Buffer.alloc(1), bytes]) : bytes;
}

export function readCredentialsFile(path: string): Credentials {
  const file = JSON.parse(readFileSync(path, 'utf8'));
  const folder = dirname(path);
  const encryptionKey = createPrivateKey(readFileSync(join(folder, file.encryptionKeyFile), 'utf8'));
  return {
    consumerKey: file.consumerKey,
    accessToken: file.accessToken,
    realm: file.realm,
    prepend: decryptSecret(file.accessTokenSecret, encryptionKey),
    signatureKey: createPrivateKey(readFileSync(join(folder, file.signatureKeyFile), 'utf8')),
    prime: primeFromDhParam(readFileSync(join(folder, file.dhParamFile), 'utf8')),
  };
}

export interface SignOptions {
  /** Overrides for the header's oauth_* pairs (a stale timestamp, a reused nonce, a wrong consumer). */
  readonly oauth?: Record<string, string>;
  readonly form?: SigningForm;
  readonly userAgent?: string | null;
  readonly json?: unknown;
  /** Corrupt the signature after signing. */
  readonly tamper?: boolean;
  /** The origin to sign for (default: the simulator's url). */
  readonly origin?: string;
  /** Extra request headers (e.g. IBind's hard-coded `Host: api.ibkr.com`). */
  readonly headers?: Record<string, string>;
}

export class OAuthTestClient {
  readonly credentials: Credentials;
  readonly #simulator: OAuthEndpoint;
  readonly #agent: Agent;
  liveSessionToken: Buffer | undefined;
  cookie: string | undefined;

  constructor(simulator: OAuthEndpoint) {
    if (simulator.oauthFile === undefined) throw new Error('the simulator is not in OAuth mode');
    this.#simulator = simulator;
    this.credentials = readCredentialsFile(simulator.oauthFile);
    // The certificate is checked against `localhost` even when a test sends another Host header (as IBind does).
    this.#agent = new Agent({
      connect: {
        ca: simulator.ca,
        checkServerIdentity: (_host, certificate) => checkServerIdentity('localhost', certificate),
      },
    });
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  #header(pairs: Record<string, string>): string {
    const all: Record<string, string> = { realm: this.credentials.realm, ...pairs };
    return `OAuth ${Object.keys(all)
      .sort()
      .map((key) => `${key}="${all[key]}"`)
      .join(', ')}`;
  }

  #oauthPairs(method: string, overrides: Record<string, string> = {}): Record<string, string> {
    return {
      oauth_consumer_key: this.credentials.consumerKey,
      oauth_nonce: randomBytes(8).toString('hex'),
      oauth_signature_method: method,
      oauth_timestamp: String(Math.floor(Date.now() / 1000)),
      oauth_token: this.credentials.accessToken,
      ...overrides,
    };
  }

  async #send(method: string, target: string, authorization: string, options: SignOptions): Promise<RestReply> {
    const headers: Record<string, string> = { authorization, ...options.headers };
    if (options.userAgent !== null) headers['user-agent'] = options.userAgent ?? 'ibkr-ws-test/1';
    if (this.cookie !== undefined) headers['cookie'] = `api=${this.cookie}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const response = await request(new URL(target, this.#simulator.url), {
      method: method as 'GET',
      dispatcher: this.#agent,
      headers,
      ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
    });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, text, json };
  }

  /** The whole LST exchange; on success `liveSessionToken` is set and the signature checked. */
  async requestLiveSessionToken(options: SignOptions = {}): Promise<RestReply & { validated: boolean }> {
    const { prime } = this.credentials;
    const a = BigInt(`0x${randomBytes(32).toString('hex')}`);
    const pairs = {
      ...this.#oauthPairs('RSA-SHA256'),
      diffie_hellman_challenge: power(2n, a, prime).toString(16),
      ...options.oauth,
    };
    const path = '/v1/api/oauth/live_session_token';
    const joined = Object.keys(pairs)
      .sort()
      .map((key) => `${key}=${pairs[key as keyof typeof pairs]}`)
      .join('&');
    const base = `${this.credentials.prepend.toString('hex')}POST&${pyQuotePlus(`${options.origin ?? this.#simulator.url}${path}`)}&${pyQuotePlus(joined)}`;
    let signature = sign('sha256', Buffer.from(base), {
      key: this.credentials.signatureKey,
      padding: constants.RSA_PKCS1_PADDING,
    }).toString('base64');
    if (options.tamper) signature = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const reply = await this.#send(
      'POST',
      path,
      this.#header({ ...pairs, oauth_signature: pyQuotePlus(signature) }),
      options,
    );
    if (reply.status !== 200) return { ...reply, validated: false };
    const K = power(BigInt(`0x${reply.json.diffie_hellman_response}`), a, prime);
    const lst = createHmac('sha1', javaBytes(K)).update(this.credentials.prepend).digest();
    const validated =
      createHmac('sha1', lst).update(this.credentials.consumerKey).digest('hex') ===
      reply.json.live_session_token_signature;
    if (validated) this.liveSessionToken = lst;
    return { ...reply, validated };
  }

  /** A signed REST call; `query` is written into the URL (encoded) and signed per `form`. */
  async call(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string> = {},
    options: SignOptions = {},
  ): Promise<RestReply> {
    if (this.liveSessionToken === undefined) throw new Error('no live session token');
    const pairs = this.#oauthPairs('HMAC-SHA256', options.oauth);
    const queryText = Object.entries(query)
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
      .join('&');
    const target = queryText === '' ? path : `${path}?${queryText}`;
    const origin = options.origin ?? this.#simulator.url;
    const form = options.form ?? 'standard';
    const signed: Array<[string, string]> = Object.entries(pairs);
    if (form === 'standard') signed.push(...Object.entries(query));
    if (form === 'quote')
      signed.push(...(queryText === '' ? [] : queryText.split('&').map((pair) => pair.split('=') as [string, string])));
    signed.sort(([a, va], [b, vb]) => (a < b ? -1 : a > b ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
    const joined = signed.map(([key, value]) => `${key}=${value}`).join('&');
    const url = form === 'query-in-url' ? `${origin}${target}` : `${origin}${path}`;
    const base = `${method}&${pyQuotePlus(url)}&${form === 'quote' ? pyQuote(joined) : pyQuotePlus(joined)}`;
    let signature = createHmac('sha256', this.liveSessionToken).update(base).digest('base64');
    if (options.tamper) signature = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const reply = await this.#send(
      method,
      target,
      this.#header({ ...pairs, oauth_signature: pyQuotePlus(signature) }),
      options,
    );
    const setCookie = reply.headers['set-cookie'];
    const api = (Array.isArray(setCookie) ? setCookie : [setCookie ?? ''])
      .map((line) => /^api=([^;]*)/.exec(line)?.[1])
      .find(Boolean);
    if (api !== undefined) this.cookie = api;
    return reply;
  }

  /** LST → ssodh/init → tickle: a brokerage session and the `api` cookie. */
  async authorize(): Promise<void> {
    const lst = await this.requestLiveSessionToken();
    if (!lst.validated) throw new Error(`LST failed: ${lst.status} ${lst.text}`);
    const init = await this.call(
      'POST',
      '/v1/api/iserver/auth/ssodh/init',
      {},
      { json: { publish: true, compete: true } },
    );
    if (init.status !== 200) throw new Error(`ssodh/init failed: ${init.status}`);
    const tickle = await this.call('POST', '/v1/api/tickle');
    if (tickle.status !== 200) throw new Error(`tickle failed: ${tickle.status}`);
  }

  /** The socket as IBKR documents it: `?oauth_token=`, a User-Agent, and the `api` cookie unless told otherwise. */
  openSocket(options: { cookie?: boolean; token?: string; userAgent?: string | null } = {}): TestSocket {
    const url = `${this.#simulator.wsUrl}?oauth_token=${options.token ?? this.credentials.accessToken}`;
    const headers: Record<string, string> = {};
    if (options.userAgent !== null) headers['user-agent'] = options.userAgent ?? 'ibkr-ws-test/1';
    if (options.cookie !== false && this.cookie !== undefined) headers['cookie'] = `api=${this.cookie}`;
    return new TestSocket(url, { ca: this.#simulator.ca, headers });
  }
}

let material: Promise<OAuthConsumerMaterial> | undefined;

/** One generated consumer for a whole test file: RSA key generation costs ~0.5 s per simulator under load. */
export function sharedOAuthMaterial(): Promise<OAuthConsumerMaterial> {
  return (material ??= generateConsumerMaterial());
}
