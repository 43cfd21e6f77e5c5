/**
 * Everything the client needs for the direct OAuth path, built once from the resolved `oauth` option: the session
 * (token, brokerage session, signer), the session check that turns a 401 into a renewal, the socket URL with
 * `oauth_token`, the values redaction must know, and the renewal timer that tells the statechart a token nears expiry.
 */
import type { SessionCheck, SessionCheckInput } from '../protocol/session.js';
import type { Authorization, AuthorizeInput } from '../protocol/authorization.js';
import type { IbkrWsError } from '../errors.js';
import type { OAuthCredentials } from '../oauth/index.js';
import type { GatewaySession } from './gateway-session.js';
import { OAuthSession } from './oauth-session.js';

export interface OAuthWiringOptions {
  /** Checked once by the option resolver (src/options.ts). */
  readonly credentials: OAuthCredentials;
  readonly gateway: URL;
  readonly refusedRetryMs: number;
  readonly onError: (error: IbkrWsError) => void;
  /** A live session token was obtained (first or renewed): when it expires, when it will be renewed. Never the token. */
  readonly onToken?: (facts: { readonly expiresAtMs: number | undefined; readonly renewInMs: number }) => void;
}

export class OAuthWiring {
  readonly credentials: OAuthCredentials;
  readonly session: OAuthSession;
  #timer: NodeJS.Timeout | undefined;
  #onExpiring: (() => void) | undefined;
  #stopped = false;

  constructor(options: OAuthWiringOptions) {
    this.credentials = options.credentials;
    this.session = new OAuthSession({
      credentials: this.credentials,
      gateway: options.gateway,
      refusedRetryMs: options.refusedRetryMs,
      onError: options.onError,
      onToken: (renewInMs, expiresAtMs) => {
        this.#arm(renewInMs);
        options.onToken?.({ expiresAtMs, renewInMs });
      },
    });
  }

  /** `wss://<host>/v1/api/ws?oauth_token=<access token>` (the access token, never the live session token). */
  socketUrl(wsUrl: URL): URL {
    const url = new URL(wsUrl);
    url.searchParams.set('oauth_token', this.credentials.accessToken);
    return url;
  }

  /** Values no log line, event or inspector payload may show: the access token (it is in the socket URL). */
  secrets(): string[] {
    return [this.credentials.accessToken];
  }

  /** Called when the renewal timer fires: the client sends the statechart `AUTHORIZATION.EXPIRING`. */
  onExpiring(listener: () => void): void {
    this.#onExpiring = listener;
  }

  authorize(input: AuthorizeInput): Promise<Authorization> {
    return this.session.authorize(input);
  }

  /**
   * A session check on the signed path. Without a token: ask for one. A 401 (IBKR refused the signature or token):
   * the statechart renews, in the background while a socket is up (`renewing`), through `authorizing` otherwise.
   */
  async check(gatewaySession: GatewaySession, input: SessionCheckInput): Promise<SessionCheck> {
    if (!this.session.hasToken) return { kind: 'authorization-required', reason: 'no-token' };
    const result = await gatewaySession.check(input);
    return refused(result) ? { kind: 'authorization-required', reason: 'token-refused' } : result;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #arm(renewInMs: number): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    // Timers hold at most 2^31−1 ms (~24.8 days); IBKR tokens live a day.
    this.#timer = setTimeout(() => this.#onExpiring?.(), Math.min(renewInMs, 2 ** 31 - 1));
    this.#timer.unref();
  }
}

function refused(check: SessionCheck): boolean {
  return check.kind === 'login-required' && check.status === 401;
}
