/**
 * OAuth mode's REST front, in the order IBKR's edge applies it: the CDN refuses a request without a User-Agent (403);
 * `/oauth/live_session_token` is RSA-SHA256-signed and answers the DH exchange; every other call must carry a valid
 * HMAC-SHA256 signature with a live session token (401 otherwise); `/iserver/auth/ssodh/init` opens the brokerage
 * session ("bridge") and `/iserver/*` before it answers 400 `no bridge` (`/iserver/auth/status` excepted: it reports
 * the unauthenticated status). A request that passes returns undefined and goes on to the gateway's routes.
 */
import type { IncomingMessage } from 'node:http';
import { brokerageStatusBody } from '../gateway-payloads.js';
import type { GatewayState } from '../gateway-state.js';
import type { SimulatorLog } from '../log.js';
import type { OAuthAuthority } from './oauth-authority.js';
import type { OAuthTally } from './oauth-events.js';
import { NO_BRIDGE, rejectionReply, SSODH_NEEDS_PUBLISH, ssodhFailureReply, type OAuthReply } from './oauth-replies.js';
import { decodeQuery } from './percent-encoding.js';

export type SsodhFailureStatus = 410 | 500;

export class OAuthRestGate {
  readonly #authority: OAuthAuthority;
  readonly #state: GatewayState;
  readonly #tally: OAuthTally;
  readonly #log: SimulatorLog;
  #bridge = false;
  #ssodhFailures = 0;
  #ssodhFailureStatus: SsodhFailureStatus = 500;

  constructor(authority: OAuthAuthority, state: GatewayState, tally: OAuthTally, log: SimulatorLog) {
    this.#authority = authority;
    this.#state = state;
    this.#tally = tally;
    this.#log = log;
    // A logout (REST or the control) ends the brokerage session: ssodh/init must be called again. ssodh/init and the
    // control's login() bring it back.
    state.onChange((change) => {
      if (change.kind === 'logged-out') this.#bridge = false;
      if (change.kind === 'brokerage-restored') this.#bridge = true;
    });
  }

  /** Whether ssodh/init has opened a brokerage session since the start or the last logout. */
  get bridge(): boolean {
    return this.#bridge;
  }

  /** The next `count` ssodh/init calls fail (`Infinity`: until called again with 0). */
  failSsodhInit(status: SsodhFailureStatus, count: number): void {
    if (status !== 410 && status !== 500)
      throw new RangeError(`failSsodhInit expects 410 or 500, got ${String(status)}`);
    if (!(count === Number.POSITIVE_INFINITY || (Number.isSafeInteger(count) && count >= 0))) {
      throw new RangeError(`failSsodhInit expects a non-negative count or Infinity, got ${String(count)}`);
    }
    this.#ssodhFailureStatus = status;
    this.#ssodhFailures = count;
  }

  handle(request: IncomingMessage, servicePath: string, body: string): OAuthReply | undefined {
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    const path = target.split('?')[0] ?? '/';
    const authorization = request.headers.authorization;
    const onLstEndpoint = servicePath === '/oauth/live_session_token';
    const endpoint = onLstEndpoint ? 'live-session-token' : 'signed-request';
    if ((request.headers['user-agent'] ?? '').trim() === '') {
      this.#tally.rejected({ endpoint, method, path, reason: 'no-user-agent' });
      return rejectionReply('no-user-agent', onLstEndpoint);
    }
    if (onLstEndpoint) {
      const outcome = this.#authority.issueLiveSessionToken({ method, target, authorization });
      if (!outcome.ok) {
        this.#tally.rejected({ endpoint, method, path, reason: outcome.reason });
        this.#log('debug', 'simulator oauth: live session token refused', { reason: outcome.reason });
        return rejectionReply(outcome.reason, true);
      }
      this.#tally.accepted({ endpoint, method, path });
      this.#log('info', 'simulator oauth: live session token issued', {
        expiresAt: new Date(outcome.response.live_session_token_expiration).toISOString(),
      });
      return { status: 200, json: outcome.response };
    }
    const verdict = this.#authority.verifySignedRequest({ method, target, authorization });
    if (!verdict.ok) {
      this.#tally.rejected({ endpoint, method, path, reason: verdict.reason });
      this.#log('debug', 'simulator oauth: signed request refused', { path, reason: verdict.reason });
      return rejectionReply(verdict.reason, false);
    }
    this.#tally.accepted({ endpoint, method, path, variant: verdict.variant });
    if (servicePath === '/iserver/auth/ssodh/init') return this.#ssodhInit(target, body);
    if (servicePath === '/logout') {
      this.#state.logoutKeepingSignIn();
      return { status: 200, json: { status: true } };
    }
    if (servicePath.startsWith('/iserver/') && servicePath !== '/iserver/auth/status' && !this.#bridge)
      return NO_BRIDGE;
    return undefined;
  }

  /** `{"publish":true,"compete":true}` as JSON or as query parameters (IBKR's guide allows both). */
  #ssodhInit(target: string, body: string): OAuthReply {
    if (this.#ssodhFailures > 0) {
      this.#ssodhFailures -= 1;
      this.#tally.ssodhInitFailed();
      return ssodhFailureReply(this.#ssodhFailureStatus);
    }
    if (!publishRequested(target, body)) return SSODH_NEEDS_PUBLISH;
    this.#bridge = true;
    this.#tally.brokerageInitialised();
    this.#state.login();
    return { status: 200, json: brokerageStatusBody(this.#state.brokerage) };
  }
}

function publishRequested(target: string, body: string): boolean {
  const at = target.indexOf('?');
  const query = new Map(decodeQuery(at === -1 ? '' : target.slice(at + 1)));
  if (query.get('publish') === 'true') return true;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && (parsed as Record<string, unknown>)['publish'] === true;
  } catch {
    return false;
  }
}
