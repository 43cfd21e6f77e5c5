/**
 * The one session the gateway holds for everybody (§1.9, §7.1): whether someone is logged in (SSO), the brokerage
 * session's status, the `session` value tickle hands out, the SSO countdown, and the brokerage idle timeout (§3.4).
 * Every socket and every REST call sees this same state; client cookies never change it.
 */
import type { ResolvedSimulatorOptions } from './options.js';
import { Timers } from './timers.js';
import { randomBytes } from 'node:crypto';

export interface BrokerageStatus {
  readonly authenticated: boolean;
  readonly competing: boolean;
  readonly connected: boolean;
  readonly established: boolean;
}

/** What the sockets must hear about. `statusArgs` is the `sts` push; `silent` means push nothing and go quiet. */
export type GatewayChange =
  | { readonly kind: 'brokerage-lost'; readonly statusArgs: Record<string, boolean>; readonly silent: boolean }
  | { readonly kind: 'brokerage-restored' }
  | { readonly kind: 'logged-out' };

export type ReauthenticateOutcome = 'triggered' | 'not-logged-in';

const AUTHENTICATED: BrokerageStatus = { authenticated: true, competing: false, connected: true, established: true };
const LOGGED_OUT: BrokerageStatus = { authenticated: false, competing: false, connected: false, established: false };

type StateOptions = Pick<
  ResolvedSimulatorOptions,
  | 'auth'
  | 'loggedIn'
  | 'sessionValue'
  | 'brokerageIdleTimeoutMs'
  | 'brokerageExpiryNotice'
  | 'reauthenticateDelayMs'
  | 'ssoLifetimeMs'
  | 'ssoPingIntervalMs'
>;

export class GatewayState {
  readonly #options: StateOptions;
  readonly #timers = new Timers();
  readonly #listeners = new Set<(change: GatewayChange) => void>();
  #loggedIn: boolean;
  #brokerage: BrokerageStatus;
  #sessionValue: string;
  #loginAt: number;
  #lastActivityAt: number;
  #idleTimer: NodeJS.Timeout | undefined;
  #reauthenticateTimer: NodeJS.Timeout | undefined;

  constructor(options: StateOptions) {
    this.#options = options;
    // OAuth: the live session token stands in for the browser login, and the brokerage session waits for ssodh/init.
    this.#loggedIn = options.loggedIn || options.auth === 'oauth';
    this.#brokerage = options.loggedIn && options.auth !== 'oauth' ? AUTHENTICATED : LOGGED_OUT;
    this.#sessionValue = options.sessionValue;
    this.#loginAt = Date.now();
    this.#lastActivityAt = this.#loginAt;
    this.#armIdleTimer();
  }

  get loggedIn(): boolean {
    return this.#loggedIn;
  }

  get brokerage(): BrokerageStatus {
    return this.#brokerage;
  }

  /** The tickle `session`: a secret. Never log it. */
  get sessionValue(): string {
    return this.#sessionValue;
  }

  get loginAt(): number {
    return this.#loginAt;
  }

  /** Milliseconds until SSO expiry: counts down, and jumps back up at each (virtual) 5-minute SSO ping (§1.2, §3.4). */
  ssoExpiresMs(now = Date.now()): number {
    if (!this.#loggedIn) return 0;
    const sincePing = (now - this.#loginAt) % this.#options.ssoPingIntervalMs;
    return Math.max(0, this.#options.ssoLifetimeMs - sincePing);
  }

  onChange(listener: (change: GatewayChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A `/v1/api/*` request (or a `tic`, when that is switched on) keeps the brokerage session from idling out. */
  recordActivity(now = Date.now()): void {
    this.#lastActivityAt = now;
  }

  /** A person logs in through the browser: SSO and brokerage sessions are up. */
  login(): void {
    const wasUsable = this.#loggedIn && this.#brokerage.authenticated;
    if (!this.#loggedIn) {
      this.#loggedIn = true;
      this.#loginAt = Date.now();
    }
    this.#restoreBrokerage();
    if (!wasUsable) this.#emit({ kind: 'brokerage-restored' });
  }

  /** `/logout` or the control: the gateway forgets its session until the next login (§1.5). */
  logout(): void {
    this.#timers.clear(this.#reauthenticateTimer);
    this.#timers.clear(this.#idleTimer);
    const wasLoggedIn = this.#loggedIn;
    this.#loggedIn = false;
    this.#brokerage = LOGGED_OUT;
    if (wasLoggedIn) this.#emit({ kind: 'logged-out' });
  }

  /**
   * OAuth's `/logout`: the brokerage session and its sockets end as with logout(), but the live session token still
   * signs REST calls, so the service stays "logged in" (tickle answers, `authenticated:false`) until ssodh/init.
   */
  logoutKeepingSignIn(): void {
    this.logout();
    this.#loggedIn = true;
    this.#loginAt = Date.now();
  }

  /** The brokerage session ends (idle timeout, or the control): connected, but not authenticated (§1.3 FAQ). */
  expireBrokerage(): void {
    if (!this.#loggedIn || !this.#brokerage.authenticated) return;
    this.#timers.clear(this.#idleTimer);
    this.#brokerage = { authenticated: false, competing: false, connected: true, established: false };
    this.#emit({
      kind: 'brokerage-lost',
      statusArgs: { authenticated: false },
      silent: this.#options.brokerageExpiryNotice === 'silent',
    });
  }

  /** Someone logged in elsewhere with the same username (§5): competing, not authenticated. Always announced. */
  compete(): void {
    if (!this.#loggedIn) return;
    this.#timers.clear(this.#idleTimer);
    this.#brokerage = { authenticated: false, competing: true, connected: true, established: false };
    this.#emit({ kind: 'brokerage-lost', statusArgs: { authenticated: false, competing: true }, silent: false });
  }

  /** `/iserver/reauthenticate` (§1.4): answered at once, the brokerage session is back a little later. */
  reauthenticate(): ReauthenticateOutcome {
    if (!this.#loggedIn) return 'not-logged-in';
    if (this.#reauthenticateTimer === undefined) {
      this.#reauthenticateTimer = this.#timers.setTimeout(() => {
        this.#reauthenticateTimer = undefined;
        if (!this.#loggedIn || this.#brokerage.authenticated) return;
        this.#restoreBrokerage();
        this.#emit({ kind: 'brokerage-restored' });
      }, this.#options.reauthenticateDelayMs);
    }
    return 'triggered';
  }

  /** A new `session` value, as after a fresh login elsewhere. Returns it (tests need it; never log it). */
  rotateSession(): string {
    let next = randomBytes(16).toString('hex');
    while (next === this.#sessionValue) next = randomBytes(16).toString('hex');
    this.#sessionValue = next;
    return next;
  }

  dispose(): void {
    this.#timers.close();
    this.#listeners.clear();
  }

  #restoreBrokerage(): void {
    this.#brokerage = AUTHENTICATED;
    this.#lastActivityAt = Date.now();
    this.#armIdleTimer();
  }

  /** One timer at a time, aimed at the moment the session would idle out; activity only moves the target. */
  #armIdleTimer(): void {
    this.#timers.clear(this.#idleTimer);
    this.#idleTimer = undefined;
    const timeout = this.#options.brokerageIdleTimeoutMs;
    if (timeout === 0 || !this.#loggedIn || !this.#brokerage.authenticated) return;
    const remaining = this.#lastActivityAt + timeout - Date.now();
    this.#idleTimer = this.#timers.setTimeout(
      () => {
        this.#idleTimer = undefined;
        if (Date.now() - this.#lastActivityAt >= timeout) this.expireBrokerage();
        else this.#armIdleTimer();
      },
      Math.max(0, remaining),
    );
  }

  #emit(change: GatewayChange): void {
    for (const listener of [...this.#listeners]) listener(change);
  }
}
