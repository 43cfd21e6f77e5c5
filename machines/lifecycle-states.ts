/**
 * The public names of the lifecycle phases (DESIGN.md's table): the CLI prints them, events carry them, the inspector
 * and the diagrams show them. A snapshot of the statechart maps to exactly one of them.
 */
import type { SnapshotFrom } from 'xstate';
import type { connectionMachine } from './connection.machine.js';

export const LIFECYCLE_STATES = [
  'idle',
  'authorizing',
  'checking-session',
  'login-required',
  'open',
  'awaiting-session',
  'sending-session',
  'authenticated',
  'lingering-detected',
  'reconnect',
  'failed',
  'stopped',
] as const;

export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

type StateValueShape = string | { readonly [key: string]: StateValueShape };

/**
 * The lifecycle phase of a snapshot: a top-level state, or for the `socket` parent the phase inside it. Substates of
 * a phase (`login-required.polling`, the parallel regions of `authenticated`) are details of that phase.
 */
export function lifecycleStateOf(snapshot: Pick<SnapshotFrom<typeof connectionMachine>, 'value'>): LifecycleState {
  return lifecycleStateOfValue(snapshot.value as StateValueShape);
}

export function lifecycleStateOfValue(value: StateValueShape): LifecycleState {
  const top = typeof value === 'string' ? value : (Object.keys(value)[0] ?? 'idle');
  if (top !== 'socket' || typeof value === 'string') return top as LifecycleState;
  const inner = value['socket'] ?? 'open';
  return (typeof inner === 'string' ? inner : (Object.keys(inner)[0] ?? 'open')) as LifecycleState;
}
