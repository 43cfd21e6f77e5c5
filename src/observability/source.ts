/**
 * What the observability layer reads from a client: its public events, its counters, its subscriptions and its
 * state — nothing inside the adapters (those speak through the diagnostics tap). One interface, so that health,
 * metrics and traces all build on the same public facts, and tests can drive them without a socket.
 */
import type { LifecycleState } from '../../machines/index.js';
import type { IbkrWsError } from '../errors.js';
import type { MetricsSnapshot } from '../metrics.js';
import type { SubscriptionSnapshot, SubscriptionStatus } from '../subscriptions/index.js';

export interface ObservedStateChange {
  readonly state: LifecycleState;
  readonly previous: LifecycleState;
  readonly at: number;
  readonly reason?: string;
}

/** The subset of the client's events the observability layer listens to. */
export interface ObservedEvents {
  state: ObservedStateChange;
  subscription: {
    readonly key: string;
    readonly status: SubscriptionStatus;
    readonly reason?: string;
    readonly at: number;
  };
  reconnect: { readonly attempt: number; readonly delayMs: number; readonly reason: string; readonly at: number };
  lingering: { readonly at: number };
  'false-alarm': { readonly at: number };
  'session-rotated': { readonly at: number };
  'login-required': { readonly reason: string; readonly competing: boolean; readonly at: number };
}

export interface ObservedClient {
  on<Name extends keyof ObservedEvents>(name: Name, listener: (payload: ObservedEvents[Name]) => void): () => void;
  readonly state: () => LifecycleState;
  /** The client's counters (src/metrics.ts), read at collection time: nothing is added to the hot path. */
  readonly counters: () => MetricsSnapshot;
  readonly subscriptions: () => readonly SubscriptionSnapshot[];
  /** An error no retry can heal (a TLS certificate the client refuses): the process has given up. */
  readonly fatalError: () => IbkrWsError | undefined;
}
