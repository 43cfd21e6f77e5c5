/**
 * The statechart's `checkSession` actor, over HTTP: what state is the gateway's session in, and what `session` value
 * authenticates a socket? One tickle answers both (docs/PROTOCOL.md §1.2); `/iserver/reauthenticate` is tried only when
 * the gateway is logged in, the brokerage session is not, and no competing session holds it (reclaiming a competing
 * session would start a ping-pong with the user's TWS or phone, IbkrConduit ADR-0004, https://github.com/cquillen/ibkr-conduit/tree/main/docs/adr).
 */
import type { SessionCheck, SessionCheckInput } from '../protocol/session.js';
import { interpretTickle } from '../protocol/rest.js';
import { Secret } from '../protocol/secret.js';
import { IbkrWsError } from '../errors.js';
import type { HttpTransport } from './http-transport.js';

/** The one thing a session check needs of HTTP: HttpTransport in the client, a small fake in the unit tests. */
export type GatewayHttp = Pick<HttpTransport, 'send'>;

export const GATEWAY_PATHS = {
  tickle: '/v1/api/tickle',
  reauthenticate: '/v1/api/iserver/reauthenticate',
  accounts: '/v1/api/iserver/accounts',
  orders: '/v1/api/iserver/account/orders',
} as const;

export interface GatewaySessionObserver {
  /** An HTTP failure worth reporting (counted, emitted as an `error` event by the client). */
  onError(error: IbkrWsError): void;
  /** Whether an `orders` subscription is wanted: then a connect check also queries the day's orders first. */
  wantsOrders?(): boolean;
  /** Replaces `/iserver/reauthenticate` (the OAuth path reopens the brokerage session with `ssodh/init`). */
  reauthenticate?(): Promise<void>;
}

export class GatewaySession {
  readonly #http: GatewayHttp;
  readonly #observer: GatewaySessionObserver;
  #accountsPreflightFor: Secret | undefined;
  #ordersPreflightFor: Secret | undefined;
  /** The session value of the last check that found the gateway authenticated. */
  #session: Secret | undefined;

  constructor(http: GatewayHttp, observer: GatewaySessionObserver) {
    this.#http = http;
    this.#observer = observer;
  }

  async check(request: SessionCheckInput): Promise<SessionCheck> {
    const outcome = await this.#http.send('POST', GATEWAY_PATHS.tickle);
    if (outcome.kind === 'failure') {
      this.#observer.onError(outcome.error);
      const reason =
        outcome.error.code === 'timeout'
          ? 'timeout'
          : outcome.error.code === 'gateway-bad-response'
            ? 'bad-response'
            : 'network';
      return { kind: 'unavailable', reason, message: outcome.error.message };
    }
    const { status, body } = outcome;
    if (status === 429)
      return this.#unavailable('rate-limited', 'rate-limited', status, 'tickle rate-limited (HTTP 429)');
    if (status >= 500)
      return this.#unavailable('server-error', 'gateway-unavailable', status, `tickle answered HTTP ${status}`);
    if (status === 401 || status === 403) {
      return { kind: 'login-required', reason: 'logged-out', loggedIn: false, competing: false, status };
    }
    if (status !== 200 || body.format !== 'json') {
      return this.#unavailable(
        'bad-response',
        'gateway-bad-response',
        status,
        `unexpected tickle answer: HTTP ${status}, ${body.format} body`,
      );
    }
    const facts = interpretTickle(status, body.value);
    if (facts.loggedIn === false)
      return { kind: 'login-required', reason: 'no-session', loggedIn: false, competing: false, status };
    if (!facts.sessionPresent || facts.session === undefined) {
      return this.#unavailable('bad-response', 'gateway-bad-response', status, 'tickle carried no session value');
    }
    const session = new Secret(facts.session);
    const competing = facts.competing === true;
    if (facts.authenticated === true) {
      this.#session = session;
      if (request.purpose === 'connect') {
        await this.#preflightAccounts(session);
        if (this.#observer.wantsOrders?.() === true) await this.preflightOrders();
      }
      return {
        kind: 'authenticated',
        session,
        competing,
        ...(facts.established === undefined ? {} : { established: facts.established }),
        ...(facts.ssoExpiresMs === undefined ? {} : { ssoExpiresMs: facts.ssoExpiresMs }),
      };
    }
    if (request.reauthenticate && !competing) await this.#reauthenticate();
    return {
      kind: 'login-required',
      reason: competing ? 'competing' : 'not-authenticated',
      loggedIn: true,
      competing,
      status,
    };
  }

  /** A gateway that answers but cannot be used right now: reported (counted, an `error` event) and retried later. */
  #unavailable(
    reason: 'rate-limited' | 'server-error' | 'bad-response',
    code: 'rate-limited' | 'gateway-unavailable' | 'gateway-bad-response',
    status: number,
    message: string,
  ): SessionCheck {
    this.#observer.onError(new IbkrWsError(code, message));
    return { kind: 'unavailable', reason, status, message };
  }

  /**
   * IBKR: call /iserver/accounts before brokerage services such as market data (docs/PROTOCOL.md §6). Once per session
   * value; a failure is reported but does not block the socket (the socket's own greeting decides readiness).
   */
  async #preflightAccounts(session: Secret): Promise<void> {
    if (session.equals(this.#accountsPreflightFor)) return;
    const outcome = await this.#http.send('GET', GATEWAY_PATHS.accounts);
    if (outcome.kind === 'failure') {
      this.#observer.onError(outcome.error);
      return;
    }
    if (outcome.status === 200) this.#accountsPreflightFor = session;
  }

  /** Whether the day's orders were queried for the current session value (so `sor` may go out without waiting). */
  get ordersPreflighted(): boolean {
    return this.#session !== undefined && this.#session.equals(this.#ordersPreflightFor);
  }

  /**
   * IBKR: query `/iserver/account/orders` before subscribing `sor` (docs/PROTOCOL.md §6), without filters (a filtered query
   * stops order details on `sor` until a `force=true` query). Once per session value; a failure is reported and does
   * not hold `sor` back for ever (the subscription then goes out anyway, as it would without the pre-flight).
   */
  async preflightOrders(): Promise<void> {
    const session = this.#session;
    if (session === undefined || session.equals(this.#ordersPreflightFor)) return;
    const outcome = await this.#http.send('GET', GATEWAY_PATHS.orders);
    if (outcome.kind === 'failure') {
      this.#observer.onError(outcome.error);
      return;
    }
    if (outcome.status === 200) this.#ordersPreflightFor = session;
    else
      this.#observer.onError(
        new IbkrWsError('gateway-bad-response', `orders pre-flight answered HTTP ${outcome.status}`),
      );
  }

  async #reauthenticate(): Promise<void> {
    if (this.#observer.reauthenticate !== undefined) return this.#observer.reauthenticate();
    const outcome = await this.#http.send('POST', GATEWAY_PATHS.reauthenticate);
    if (outcome.kind === 'failure') this.#observer.onError(outcome.error);
  }
}
