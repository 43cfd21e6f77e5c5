/**
 * The direct OAuth path's session, over HTTP: obtains the live session token (LST) and opens the brokerage session,
 * signs every later REST call with it, and says when to renew it. It is the statechart's `authorize` actor and the
 * HTTP transport's signer. One renewal at a time: concurrent callers share the one in flight.
 *
 * Secrets stay here: the LST, the DH exponent and the decrypted secret never leave this file except as signatures.
 * Errors name what to check (docs/OAUTH.md) and never quote IBKR's body (it echoes the consumer key) or a header.
 */
import type { Authorization, AuthorizationProblem, AuthorizeInput } from '../protocol/authorization.js';
import { IbkrWsError, type IbkrWsErrorCode } from '../errors.js';
import { OAUTH_DEFAULTS } from '../defaults.js';
import {
  buildLstRequest,
  completeLstRequest,
  oauthTimestamp,
  randomDhExponent,
  randomNonce,
  signedRequestAuthorization,
  type OAuthCredentials,
} from '../oauth/index.js';
import type { HttpTransport } from './http-transport.js';

export interface OAuthSessionOptions {
  readonly credentials: OAuthCredentials;
  /** The base URL requests are signed for (the signed URL is rebuilt from it, never from a Host header). */
  readonly gateway: URL;
  /** A refused token is not asked for again sooner than this (the machine's floor covers the statechart's own retries). */
  readonly refusedRetryMs: number;
  readonly onError: (error: IbkrWsError) => void;
  /** A token was obtained: renew it after `renewInMs` (the client arms the timer that tells the statechart). */
  readonly onToken?: (renewInMs: number, expiresAtMs: number | undefined) => void;
  readonly now?: () => number;
}

/** Never more than 3 token requests in 10 s (IBKR rate-limits and penalises hammering; a refused token stays refused). */
const MAX_REQUESTS_PER_WINDOW = 3;
const REQUEST_WINDOW_MS = 10_000;

const PROBLEM_CODES: Readonly<Record<AuthorizationProblem, IbkrWsErrorCode>> = {
  'invalid-consumer': 'oauth-invalid-consumer',
  'lst-failed': 'oauth-token-refused',
  signature: 'oauth-signature-refused',
  validation: 'oauth-token-invalid',
  'brokerage-session': 'oauth-brokerage-session',
};

export class OAuthSession {
  readonly #options: OAuthSessionOptions;
  readonly #now: () => number;
  #http: HttpTransport | undefined;
  #token: string | undefined;
  #inFlight: Promise<Authorization> | undefined;
  #lastRefusal: { at: number; result: Authorization } | undefined;
  /** When the token requests since the last success went out: a hard net of at most 3 in any 10 s, whatever asks. */
  readonly #requestTimes: number[] = [];
  /** Token requests made: a test and the metrics can see there is no tight loop. */
  requests = 0;

  constructor(options: OAuthSessionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The transport is created with this session's signer, so it is attached after both exist. */
  attach(http: HttpTransport): void {
    this.#http = http;
  }

  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** The `Authorization` header of one REST call, or none before the first token (then IBKR answers 401). */
  readonly signer = (method: string, url: URL): string | undefined => {
    const token = this.#token;
    if (token === undefined) return undefined;
    return signedRequestAuthorization(this.#options.credentials, token, {
      method,
      url,
      nonce: randomNonce(),
      timestamp: oauthTimestamp(this.#now()),
    });
  };

  /** The statechart's `authorize`: a new token and the brokerage session. Shares a renewal already in flight. */
  authorize(_input?: AuthorizeInput): Promise<Authorization> {
    this.#inFlight ??= this.#authorize().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** `/iserver/auth/ssodh/init`: also what the gateway's `/iserver/reauthenticate` becomes on this path. */
  async openBrokerageSession(): Promise<Authorization> {
    const http = this.#requireHttp();
    const outcome = await http.send('POST', OAUTH_DEFAULTS.brokerageSessionPath, {
      body: OAUTH_DEFAULTS.brokerageSessionBody,
    });
    if (outcome.kind === 'failure')
      return this.#unavailable(outcome.error, outcome.error.code === 'timeout' ? 'timeout' : 'network');
    const { status } = outcome;
    if (status === 200) return { kind: 'authorized' };
    if (status === 401) {
      // The token died between its issue and this call (an expiry, a revocation): obtain another, after backoff.
      this.#token = undefined;
      return this.#unavailable(
        new IbkrWsError(
          'gateway-unavailable',
          'ssodh/init answered HTTP 401: the new live session token was refused; obtaining another',
        ),
        'server-error',
      );
    }
    if (status === 429)
      return this.#unavailable(new IbkrWsError('rate-limited', 'ssodh/init rate-limited (HTTP 429)'), 'rate-limited');
    const hint =
      status === 410
        ? 'HTTP 410 Gone: IBKR suggests another host, e.g. --gateway https://1.api.ibkr.com'
        : status >= 500
          ? `HTTP ${status} (reported as "failed to generate sso dh token" for accounts not enabled for the Web API, e.g. some paper accounts)`
          : `HTTP ${status}`;
    return this.#refused(
      'brokerage-session',
      `IBKR issued a live session token but did not open the brokerage session (POST /iserver/auth/ssodh/init: ${hint})`,
    );
  }

  async #authorize(): Promise<Authorization> {
    const refusal = this.#lastRefusal;
    // Never re-ask sooner than the floor after a refusal, whoever asks (the statechart, a renewal on 401).
    if (refusal !== undefined && this.#now() - refusal.at < this.#options.refusedRetryMs) return refusal.result;
    const now = this.#now();
    while (this.#requestTimes.length > 0 && now - this.#requestTimes[0]! >= REQUEST_WINDOW_MS)
      this.#requestTimes.shift();
    if (this.#requestTimes.length >= MAX_REQUESTS_PER_WINDOW) {
      return this.#unavailable(
        new IbkrWsError(
          'rate-limited',
          `holding back: ${MAX_REQUESTS_PER_WINDOW} live-session-token requests in ${REQUEST_WINDOW_MS / 1000} s already`,
        ),
        'rate-limited',
      );
    }
    this.#requestTimes.push(now);
    const result = await this.#requestToken();
    if (result.kind !== 'authorized') return result;
    return this.openBrokerageSession();
  }

  async #requestToken(): Promise<Authorization> {
    const http = this.#requireHttp();
    const { credentials } = this.#options;
    const dhExponent = randomDhExponent();
    const url = new URL(OAUTH_DEFAULTS.liveSessionTokenPath, this.#options.gateway);
    const request = buildLstRequest(credentials, {
      url,
      nonce: randomNonce(),
      timestamp: oauthTimestamp(this.#now()),
      dhExponent,
    });
    this.requests++;
    const outcome = await http.send('POST', url.pathname, { body: null, authorization: request.authorization });
    if (outcome.kind === 'failure')
      return this.#unavailable(outcome.error, outcome.error.code === 'timeout' ? 'timeout' : 'network');
    const { status, body } = outcome;
    if (status === 401 || status === 403) {
      const text = body.format === 'json' ? JSON.stringify(body.value) : body.format === 'text' ? body.value : '';
      if (status === 403 && body.format !== 'json') {
        return this.#unavailable(
          new IbkrWsError(
            'gateway-unavailable',
            'the LST request was refused with HTTP 403 by the edge (is a User-Agent set?)',
          ),
          'server-error',
        );
      }
      if (/invalid consumer/i.test(text)) {
        return this.#refused(
          'invalid-consumer',
          'IBKR answered "invalid consumer": check oauth.consumerKey (case-sensitive, as the self-service portal shows it); a newly registered consumer is often refused for a few days, up to two weeks (until a weekend restart)',
        );
      }
      // "LST failed, error: <reason>": an empty reason is what a signature IBKR cannot verify gets.
      const reason = /LST failed, error: ([^"]*)/i.exec(text)?.[1]?.trim() ?? '';
      if (/timestamp/i.test(reason)) {
        return this.#refused(
          'signature',
          'IBKR refused the timestamp of the live-session-token request: check the system clock (NTP)',
        );
      }
      if (/secret key|token/i.test(reason)) {
        return this.#refused(
          'lst-failed',
          'IBKR answered "LST failed": the access token is not (or no longer) known for this consumer; regenerate the access token and secret in the self-service portal and update oauth.accessToken and oauth.accessTokenSecret',
        );
      }
      return this.#refused(
        'signature',
        `IBKR refused the live-session-token request (HTTP ${status}): check that oauth.signatureKey (signatureKeyFile) is the private half of the uploaded signature key, that oauth.accessTokenSecret and oauth.encryptionKey (encryptionKeyFile) belong together, and that the system clock is right`,
      );
    }
    if (status === 429)
      return this.#unavailable(new IbkrWsError('rate-limited', 'LST request rate-limited (HTTP 429)'), 'rate-limited');
    if (status >= 500)
      return this.#unavailable(
        new IbkrWsError('gateway-unavailable', `LST request answered HTTP ${status}`),
        'server-error',
      );
    if (status !== 200 || body.format !== 'json') {
      return this.#unavailable(
        new IbkrWsError('gateway-bad-response', `unexpected LST answer: HTTP ${status}, ${body.format} body`),
        'bad-response',
      );
    }
    const completed = completeLstRequest(credentials, dhExponent, body.value);
    if (!completed.ok) {
      if (completed.problem === 'malformed-response') {
        return this.#unavailable(
          new IbkrWsError(
            'gateway-bad-response',
            'the LST answer lacks diffie_hellman_response or live_session_token_signature',
          ),
          'bad-response',
        );
      }
      return this.#refused(
        'validation',
        completed.problem === 'invalid-dh-response'
          ? 'the LST answer carries an unusable Diffie-Hellman value: is oauth.dhPrime (dhParamFile) the prime of the dhparam.pem uploaded to the portal?'
          : 'the live session token does not validate against its signature: oauth.accessTokenSecret, oauth.encryptionKey (encryptionKeyFile) or oauth.dhPrime (dhParamFile) does not match what is registered in the portal',
      );
    }
    this.#token = completed.liveSessionToken;
    this.#lastRefusal = undefined;
    // The net counts requests that got no token: renewing a short-lived token on schedule is not hammering.
    this.#requestTimes.length = 0;
    this.#options.onToken?.(renewInMs(completed.expiresAtMs, this.#now()), completed.expiresAtMs);
    return {
      kind: 'authorized',
      ...(completed.expiresAtMs === undefined ? {} : { expiresAtMs: completed.expiresAtMs }),
    };
  }

  #refused(problem: AuthorizationProblem, message: string): Authorization {
    const result: Authorization = { kind: 'rejected', problem, message };
    this.#lastRefusal = { at: this.#now(), result };
    this.#options.onError(new IbkrWsError(PROBLEM_CODES[problem], message));
    return result;
  }

  #unavailable(
    error: IbkrWsError,
    reason: 'network' | 'timeout' | 'server-error' | 'rate-limited' | 'bad-response',
  ): Authorization {
    this.#options.onError(error);
    return { kind: 'unavailable', reason, message: error.message };
  }

  #requireHttp(): HttpTransport {
    if (this.#http === undefined) throw new Error('OAuthSession: attach the HTTP transport first');
    return this.#http;
  }
}

/**
 * When to renew: after `renewAtFraction` of the life left at receipt (never sooner than half of it, so a token is
 * renewed at most once per half lifetime). No usable expiration: IBKR's documented 24 h.
 */
export function renewInMs(expiresAtMs: number | undefined, nowMs: number): number {
  const life =
    expiresAtMs === undefined || expiresAtMs <= nowMs ? OAUTH_DEFAULTS.assumedLifetimeMs : expiresAtMs - nowMs;
  return Math.max(Math.round(life * OAUTH_DEFAULTS.renewAtFraction), Math.round(life / 2));
}
