/**
 * Liveness and readiness of a client, in the terms operators use (Kubernetes probes, IBeam's /livez and /readyz):
 *
 * - **live** while the client still works towards a connection: false once it has given up (state `failed`), was
 *   stopped, or met an error no retry heals (a refused TLS certificate). A recovery in progress is live.
 * - **ready** only when the state is `authenticated` and every wanted subscription (every one not closed) is
 *   `active`. `lingering-detected` is not ready: the socket is suspected dead until its probe is answered.
 *
 * Built on the client's public events only. The verdict is recomputed at every state or subscription change (so that
 * `since` is the moment it last flipped, and the recovery clock in otel-metrics.ts can listen to the flips), and
 * checked again against the live subscription list at every `health()` call.
 */
import type { LifecycleState } from '../../machines/index.js';
import type { SubscriptionStatus } from '../subscriptions/index.js';
import type { ObservedClient } from './source.js';

export interface SubscriptionHealth {
  readonly key: string;
  readonly status: SubscriptionStatus;
  readonly reason?: string;
}

export interface HealthReport {
  /** False once the client has given up (`failed`, `stopped`, or a fatal error): restart the process. */
  readonly live: boolean;
  /** True only when `authenticated` with every wanted subscription `active`. */
  readonly ready: boolean;
  readonly state: LifecycleState;
  /** Since when the current verdict (`ready` or not) holds, ISO 8601. */
  readonly since: string;
  /** Why it is not ready (or not live): the state's reason, `subscriptions-not-active`, or the fatal error's code. */
  readonly reason?: string;
  /** Since when the client is in `state`, ISO 8601. */
  readonly stateSince: string;
  readonly subscriptions: {
    readonly wanted: number;
    readonly active: number;
    /** The subscriptions that keep the client from being ready. */
    readonly notActive: readonly SubscriptionHealth[];
  };
}

export interface ReadinessChange {
  readonly ready: boolean;
  readonly at: number;
  /** The state and reason at the flip: for a loss of readiness, what caused it. */
  readonly state: LifecycleState;
  readonly reason?: string;
}

export class HealthTracker {
  readonly #client: ObservedClient;
  readonly #now: () => number;
  readonly #listeners = new Set<(change: ReadinessChange) => void>();
  /** Subscription statuses as the events told them: the cheap running verdict between `health()` calls. */
  readonly #statuses = new Map<string, SubscriptionStatus>();
  #notActive = 0;
  #stateSince: number;
  #stateReason: string | undefined;
  #ready = false;
  #since: number;

  constructor(client: ObservedClient, now: () => number = Date.now) {
    this.#client = client;
    this.#now = now;
    this.#stateSince = now();
    this.#since = this.#stateSince;
    client.on('state', (change) => {
      this.#stateSince = change.at;
      this.#stateReason = change.reason;
      this.#update(change.at);
    });
    client.on('subscription', (change) => {
      this.#setStatus(change.key, change.status);
      this.#update(change.at);
    });
  }

  /** Called at every flip of readiness (not at every health() call). */
  onChange(listener: (change: ReadinessChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  health(): HealthReport {
    const now = this.#now();
    const state = this.#client.state();
    // The authoritative list: a subscription opened while ready is `pending` without any event saying so.
    const subscriptions = this.#client.subscriptions().filter((subscription) => subscription.status !== 'closed');
    this.#statuses.clear();
    this.#notActive = 0;
    for (const subscription of subscriptions) this.#setStatus(subscription.key, subscription.status);
    this.#update(now);
    const fatal = this.#client.fatalError();
    const live = fatal === undefined && state !== 'failed' && state !== 'stopped';
    const notActive = subscriptions
      .filter((subscription) => subscription.status !== 'active')
      .map((subscription): SubscriptionHealth => ({
        key: subscription.key,
        status: subscription.status,
        ...(subscription.reason === undefined ? {} : { reason: subscription.reason }),
      }));
    const reason = fatal !== undefined ? fatal.code : this.#ready ? undefined : this.#notReadyReason(state);
    return {
      live,
      ready: this.#ready,
      state,
      since: new Date(this.#since).toISOString(),
      ...(reason === undefined ? {} : { reason }),
      stateSince: new Date(this.#stateSince).toISOString(),
      subscriptions: { wanted: subscriptions.length, active: subscriptions.length - notActive.length, notActive },
    };
  }

  #notReadyReason(state: LifecycleState): string {
    if (state === 'authenticated') return 'subscriptions-not-active';
    return this.#stateReason ?? state;
  }

  #setStatus(key: string, status: SubscriptionStatus): void {
    const previous = this.#statuses.get(key);
    if (previous !== undefined && previous !== 'active') this.#notActive--;
    if (status === 'closed') {
      this.#statuses.delete(key);
      return;
    }
    this.#statuses.set(key, status);
    if (status !== 'active') this.#notActive++;
  }

  #update(at: number): void {
    const state = this.#client.state();
    const ready = state === 'authenticated' && this.#notActive === 0 && this.#client.fatalError() === undefined;
    if (ready === this.#ready) return;
    this.#ready = ready;
    this.#since = at;
    const change: ReadinessChange = {
      ready,
      at,
      state,
      ...(this.#stateReason === undefined ? {} : { reason: this.#stateReason }),
    };
    for (const listener of [...this.#listeners]) listener(change);
  }
}
