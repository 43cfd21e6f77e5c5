/**
 * The client's typed events, and the one table that turns each event the statechart emits into its counter and its
 * public event: adding an emitted event to the machine without a row here fails the type check.
 */
import type { ConnectionEmitted, LifecycleState } from '../machines/index.js';
import type { IbkrWsError } from './errors.js';
import type { Metrics } from './metrics.js';
import type { SubscriptionStatus } from './subscriptions/index.js';

export interface StateChange {
  readonly state: LifecycleState;
  readonly previous: LifecycleState;
  readonly at: number;
  /** Why the previous state was left, when the statechart recorded one (e.g. `probe-timeout`). */
  readonly reason?: string;
}

export interface IbkrWsEvents extends Record<string, unknown> {
  state: StateChange;
  authenticated: { readonly socketId: number; readonly at: number };
  lingering: { readonly at: number };
  'false-alarm': { readonly at: number };
  reconnect: { readonly attempt: number; readonly delayMs: number; readonly reason: string; readonly at: number };
  'login-required': { readonly reason: string; readonly competing: boolean; readonly at: number };
  'session-rotated': { readonly at: number };
  /** `reason`: why (`tls-certificate` for a fatal failure, else the reason the last attempt ended). */
  failed: { readonly attempts: number; readonly reason: string; readonly at: number };
  /** OAuth: a live session token was obtained or renewed (the token itself is never handed out). */
  token: { readonly expiresAtMs?: number; readonly renewInMs: number; readonly at: number };
  /** A wire subscription changed status (`pending`, `active`, `failed`, `expired`, `closed`). */
  subscription: {
    readonly key: string;
    readonly status: SubscriptionStatus;
    readonly reason?: string;
    readonly at: number;
  };
  /** Data on this subscription may be missing (the socket was replaced); every stream also yields a gap marker. */
  gap: { readonly key: string; readonly reason: string; readonly at: number };
  error: IbkrWsError;
}

type EmittedType = ConnectionEmitted['type'];
type EmittedOf<Type extends EmittedType> = Extract<ConnectionEmitted, { type: Type }>;
type Counter =
  | 'authentications'
  | 'lingeringDetections'
  | 'lingeringFalseAlarms'
  | 'reconnects'
  | 'loginRequired'
  | 'sessionRotations';

interface EmittedRow<Type extends EmittedType> {
  /** The counter of `Metrics` this event bumps, if any. */
  readonly counter?: Counter;
  /** The public event of the same name. */
  readonly event: (emitted: EmittedOf<Type>, at: number) => IbkrWsEvents[Type];
}

export const EMITTED_EVENTS: { readonly [Type in EmittedType]: EmittedRow<Type> } = {
  authenticated: { counter: 'authentications', event: ({ socketId }, at) => ({ socketId, at }) },
  lingering: { counter: 'lingeringDetections', event: (_, at) => ({ at }) },
  'false-alarm': { counter: 'lingeringFalseAlarms', event: (_, at) => ({ at }) },
  reconnect: { counter: 'reconnects', event: ({ attempt, delayMs, reason }, at) => ({ attempt, delayMs, reason, at }) },
  'login-required': { counter: 'loginRequired', event: ({ reason, competing }, at) => ({ reason, competing, at }) },
  'session-rotated': { counter: 'sessionRotations', event: (_, at) => ({ at }) },
  failed: { event: ({ attempts, reason }, at) => ({ attempts, reason, at }) },
};

/** Counts one emitted event and returns its public event's name and payload. */
export function translateEmitted(
  emitted: ConnectionEmitted,
  metrics: Pick<Metrics, Counter>,
  at: number,
): { readonly name: EmittedType; readonly payload: IbkrWsEvents[EmittedType] } {
  const row = EMITTED_EVENTS[emitted.type] as EmittedRow<EmittedType>;
  if (row.counter !== undefined) metrics[row.counter]++;
  return { name: emitted.type, payload: row.event(emitted as EmittedOf<EmittedType>, at) };
}
