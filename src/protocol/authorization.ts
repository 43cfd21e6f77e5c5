/**
 * The contract of the statechart's `authorize` actor (OAuth mode only, docs/OAUTH.md): obtain a live session token
 * and open the brokerage session (`/iserver/auth/ssodh/init`). Pure types; src/adapters/oauth-session.ts implements it.
 */

/** Why the machine asks for a token: the first one, one near its expiry, or one IBKR refused (a 401). */
export interface AuthorizeInput {
  readonly reason: string;
}

/** What IBKR's refusal says to check (docs/OAUTH.md explains each). */
export type AuthorizationProblem =
  /** `invalid consumer`: wrong consumer key, or one not yet activated (days after registration). */
  | 'invalid-consumer'
  /** `LST failed`: the access token (or its secret) is not known to IBKR: regenerate it. */
  | 'lst-failed'
  /** A 401 without either phrase: the signature did not verify (keys, prime, secret, clock). */
  | 'signature'
  /** IBKR answered, but its token signature did not verify: wrong access token secret or DH prime. */
  | 'validation'
  /** The token was issued but the brokerage session could not be opened (ssodh/init 4xx/5xx). */
  | 'brokerage-session';

export type Authorization =
  | { readonly kind: 'authorized'; readonly expiresAtMs?: number }
  | { readonly kind: 'rejected'; readonly problem: AuthorizationProblem; readonly message: string }
  | {
      readonly kind: 'unavailable';
      readonly reason: 'network' | 'timeout' | 'server-error' | 'rate-limited' | 'bad-response';
      readonly message: string;
    };
