/** What the OAuth side tells tests and users about each verdict: counters and one event per request checked. */
import type { OAuthRejection } from './oauth-replies.js';
import type { SignedRequestVariant } from './signed-request-variants.js';

export type OAuthEndpoint = 'live-session-token' | 'signed-request' | 'websocket-upgrade';

export interface OAuthRequestEvent {
  readonly endpoint: OAuthEndpoint;
  readonly method: string;
  /** The path only (never the query, never a header value). */
  readonly path: string;
  readonly outcome: 'accepted' | 'rejected';
  /** For an accepted signed request: which base-string form matched (`standard` unless `oauthLenient`). */
  readonly variant?: SignedRequestVariant;
  readonly reason?: OAuthRejection;
}

export interface OAuthCounters {
  /** Every LST request, issued or refused (a client that hammers the endpoint shows here). */
  readonly liveSessionTokenRequests: number;
  readonly liveSessionTokensIssued: number;
  readonly signedRequestsAccepted: number;
  readonly rejected: number;
  readonly acceptedByVariant: Readonly<Record<SignedRequestVariant, number>>;
  readonly rejectedByReason: Readonly<Partial<Record<OAuthRejection, number>>>;
  readonly brokerageSessionsInitialised: number;
  readonly ssodhInitFailures: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class OAuthTally {
  readonly #counters: Mutable<OAuthCounters> = {
    liveSessionTokenRequests: 0,
    liveSessionTokensIssued: 0,
    signedRequestsAccepted: 0,
    rejected: 0,
    acceptedByVariant: { standard: 0, 'query-omitted': 0, 'query-in-url': 0, quote: 0 },
    rejectedByReason: {},
    brokerageSessionsInitialised: 0,
    ssodhInitFailures: 0,
  };
  readonly #emit: (event: OAuthRequestEvent) => void;

  constructor(emit: (event: OAuthRequestEvent) => void) {
    this.#emit = emit;
  }

  snapshot(): OAuthCounters {
    const counters = this.#counters;
    return {
      ...counters,
      acceptedByVariant: { ...counters.acceptedByVariant },
      rejectedByReason: { ...counters.rejectedByReason },
    };
  }

  accepted(event: Omit<OAuthRequestEvent, 'outcome' | 'reason'>): void {
    if (event.endpoint === 'live-session-token') {
      this.#counters.liveSessionTokenRequests += 1;
      this.#counters.liveSessionTokensIssued += 1;
    }
    if (event.endpoint === 'signed-request') {
      this.#counters.signedRequestsAccepted += 1;
      const variants = this.#counters.acceptedByVariant as Record<SignedRequestVariant, number>;
      if (event.variant !== undefined) variants[event.variant] += 1;
    }
    this.#emit({ ...event, outcome: 'accepted' });
  }

  rejected(event: Omit<OAuthRequestEvent, 'outcome' | 'variant'> & { readonly reason: OAuthRejection }): void {
    this.#counters.rejected += 1;
    if (event.endpoint === 'live-session-token') this.#counters.liveSessionTokenRequests += 1;
    const reasons = this.#counters.rejectedByReason as Partial<Record<OAuthRejection, number>>;
    reasons[event.reason] = (reasons[event.reason] ?? 0) + 1;
    this.#emit({ ...event, outcome: 'rejected' });
  }

  brokerageInitialised(): void {
    this.#counters.brokerageSessionsInitialised += 1;
  }

  ssodhInitFailed(): void {
    this.#counters.ssodhInitFailures += 1;
  }
}
