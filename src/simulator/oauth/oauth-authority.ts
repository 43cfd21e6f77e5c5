/**
 * IBKR's OAuth side for one registered consumer: it issues live session tokens (RSA-SHA256-signed request +
 * Diffie-Hellman) and verifies every later HMAC-SHA256-signed request against the live one. Pure of I/O except its
 * expiry timers: the clock and the DH random are injectable, so the project's vectors replay byte for byte.
 *
 * Signed URLs are rebuilt from the addresses the simulator announces (`baseUrls`), never from the Host header: IBind
 * sends `Host: api.ibkr.com` while signing the URL it was configured with.
 */
import { constants, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { signatureBaseString } from './base-string.js';
import { DH_GENERATOR, modPow, parseChallenge, randomPrivateExponent } from './diffie-hellman.js';
import { deriveLiveSessionToken, hmacSha256Signature, liveSessionTokenSignature } from './live-session-token.js';
import { NonceRegister } from './nonce-register.js';
import type { OAuthRejection } from './oauth-replies.js';
import { checkOAuthRequest, type RegisteredConsumer } from './request-checks.js';
import { LENIENT_VARIANTS, variantBaseString, type SignedRequestVariant } from './signed-request-variants.js';

export interface AuthorityConsumer extends RegisteredConsumer {
  /** The plain access token secret (IBKR's side knows it; the client decrypts its copy). */
  readonly accessTokenSecret: Buffer;
  /** The consumer's public signature key (SPKI PEM or KeyObject). */
  readonly signaturePublicKey: string | KeyObject;
  readonly dhPrime: bigint;
}

export interface AuthorityOptions {
  readonly consumer: AuthorityConsumer;
  /** Origins a client may have signed for, e.g. `https://localhost:5000`; paths start with `/v1/api`. */
  readonly baseUrls: readonly string[];
  readonly lifetimeMs: number;
  readonly timestampToleranceMs: number;
  readonly lenient: boolean;
  /** A new LST makes the previous one invalid at once. */
  readonly revokePrevious: boolean;
  readonly now?: () => number;
  readonly randomPrivateExponent?: () => bigint;
  /** The access token has no live LST any more (expired, or expireLiveSessionToken()). */
  readonly onLiveSessionTokenLost?: (accessToken: string) => void;
}

export interface OAuthRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly target: string;
  readonly authorization: string | undefined;
}

export interface IssuedToken {
  readonly diffie_hellman_response: string;
  readonly live_session_token_signature: string;
  readonly live_session_token_expiration: number;
}

export type IssueOutcome =
  { readonly ok: true; readonly response: IssuedToken } | { readonly ok: false; readonly reason: OAuthRejection };
export type VerifyOutcome =
  | { readonly ok: true; readonly variant: SignedRequestVariant; readonly accessToken: string }
  | { readonly ok: false; readonly reason: OAuthRejection };

interface LiveToken {
  readonly key: Buffer;
  readonly expiresAt: number;
  revoked: boolean;
}

export class OAuthAuthority {
  readonly #options: AuthorityOptions;
  readonly #publicKey: KeyObject;
  readonly #nonces: NonceRegister;
  readonly #now: () => number;
  readonly #random: () => bigint;
  readonly #timers = new Set<NodeJS.Timeout>();
  #tokens: LiveToken[] = [];
  /** False simulates a consumer registered days ago that IBKR has not activated yet. */
  activated = true;

  constructor(options: AuthorityOptions) {
    this.#options = options;
    const key = options.consumer.signaturePublicKey;
    this.#publicKey = typeof key === 'string' ? createPublicKey(key) : key;
    this.#nonces = new NonceRegister(options.timestampToleranceMs);
    this.#now = options.now ?? Date.now;
    this.#random = options.randomPrivateExponent ?? randomPrivateExponent;
  }

  get accessToken(): string {
    return this.#options.consumer.accessToken;
  }

  /** Whether the access token has a live session token now (the WebSocket upgrade needs one). */
  hasLiveToken(now = this.#now()): boolean {
    return this.#liveTokens(now).length > 0;
  }

  /** `POST /v1/api/oauth/live_session_token`. */
  issueLiveSessionToken(request: OAuthRequest): IssueOutcome {
    const { consumer } = this.#options;
    const now = this.#now();
    const checked = checkOAuthRequest({
      authorization: request.authorization,
      consumer,
      activated: this.activated,
      signatureMethod: 'RSA-SHA256',
      extraRequired: ['diffie_hellman_challenge'],
      nowMs: now,
      toleranceMs: this.#options.timestampToleranceMs,
      nonces: this.#nonces,
    });
    if (!checked.ok) return checked;
    const { params, signature } = checked.request;
    const challenge = parseChallenge(params.get('diffie_hellman_challenge') as string, consumer.dhPrime);
    if (challenge === undefined) return { ok: false, reason: 'challenge' };
    const path = request.target.split('?')[0] as string;
    const prepend = consumer.accessTokenSecret.toString('hex');
    const signatureBytes = strictBase64(signature);
    if (signatureBytes === undefined) return { ok: false, reason: 'signature' };
    const verified = this.#options.baseUrls.some((baseUrl) => {
      const base = signatureBaseString({
        method: request.method,
        url: `${baseUrl}${path}`,
        params: [...params],
        prepend,
      });
      return verify(
        'sha256',
        Buffer.from(base, 'utf8'),
        { key: this.#publicKey, padding: constants.RSA_PKCS1_PADDING },
        signatureBytes,
      );
    });
    if (!verified) return { ok: false, reason: 'signature' };
    this.#nonces.remember(consumer.accessToken, checked.request.nonce, now);

    const b = this.#random();
    const key = deriveLiveSessionToken(modPow(challenge, b, consumer.dhPrime), consumer.accessTokenSecret);
    const expiresAt = now + this.#options.lifetimeMs;
    this.#store({ key, expiresAt, revoked: false });
    return {
      ok: true,
      response: {
        diffie_hellman_response: modPow(DH_GENERATOR, b, consumer.dhPrime).toString(16),
        live_session_token_signature: liveSessionTokenSignature(key, consumer.consumerKey),
        live_session_token_expiration: expiresAt,
      },
    };
  }

  /** Any other request: HMAC-SHA256 with a live LST, over the documented base string (or a lenient variant). */
  verifySignedRequest(request: OAuthRequest): VerifyOutcome {
    const { consumer } = this.#options;
    const now = this.#now();
    const checked = checkOAuthRequest({
      authorization: request.authorization,
      consumer,
      activated: this.activated,
      signatureMethod: 'HMAC-SHA256',
      extraRequired: [],
      nowMs: now,
      toleranceMs: this.#options.timestampToleranceMs,
      nonces: this.#nonces,
    });
    if (!checked.ok) return checked;
    const live = this.#liveTokens(now);
    if (live.length === 0) return { ok: false, reason: 'no-live-session-token' };
    const given = Buffer.from(checked.request.signature, 'utf8');
    const variants: readonly SignedRequestVariant[] = this.#options.lenient
      ? ['standard', ...LENIENT_VARIANTS]
      : ['standard'];
    for (const variant of variants) {
      for (const baseUrl of this.#options.baseUrls) {
        const base = variantBaseString(
          { method: request.method, baseUrl, target: request.target, oauthParams: checked.request.params },
          variant,
        );
        for (const token of live) {
          const expected = Buffer.from(hmacSha256Signature(token.key, base).toString('base64'), 'utf8');
          if (expected.length === given.length && timingSafeEqual(expected, given)) {
            this.#nonces.remember(consumer.accessToken, checked.request.nonce, now);
            return { ok: true, variant, accessToken: consumer.accessToken };
          }
        }
      }
    }
    return { ok: false, reason: 'signature' };
  }

  /** Every LST of the token stops working now (the fault `expireLiveSessionToken()`). */
  expireLiveSessionTokens(): void {
    const hadLive = this.hasLiveToken();
    for (const token of this.#tokens) token.revoked = true;
    this.#tokens = [];
    if (hadLive) this.#options.onLiveSessionTokenLost?.(this.#options.consumer.accessToken);
  }

  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#tokens = [];
  }

  #liveTokens(now: number): LiveToken[] {
    return this.#tokens.filter((token) => !token.revoked && token.expiresAt > now);
  }

  #store(token: LiveToken): void {
    if (this.#options.revokePrevious) for (const previous of this.#tokens) previous.revoked = true;
    this.#tokens = [...this.#tokens.filter((previous) => !previous.revoked && previous.expiresAt > this.#now()), token];
    // Only real time drives expiry timers; an injected clock (vector replays) has no timers to wait for.
    if (this.#options.now !== undefined) return;
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        if (!this.hasLiveToken()) this.#options.onLiveSessionTokenLost?.(this.#options.consumer.accessToken);
      },
      Math.max(0, token.expiresAt - this.#now()) + 1,
    );
    timer.unref?.();
    this.#timers.add(timer);
  }
}

/**
 * Node's base64 decoder skips characters outside the alphabet, so `MQ:=` would decode like `MQ==` and a tampered
 * signature would verify: only canonical base64 is read.
 */
function strictBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
