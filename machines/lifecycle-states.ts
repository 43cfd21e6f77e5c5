/**
 * The public names of the lifecycle phases (the state table of README.md): the CLI prints them, events carry them, the inspector
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
 * The lifecycle phase of a snapshot: a top-level state, or for the `socket` parent the phase inside it (and inside
 * `socket.ready`, the data-plane-ready parent of `authenticated` and `lingering-detected`). Substates of a phase
 * (`login-required.polling`, the parallel regions of `authenticated`) are details of that phase.
 */
export function lifecycleStateOf(snapshot: Pick<SnapshotFrom<typeof connectionMachine>, 'value'>): LifecycleState {
  return lifecycleStateOfValue(snapshot.value as StateValueShape);
}

/** Parents that are not phases themselves: the phase is the child inside them. */
const PHASE_PARENTS: Readonly<Record<string, string>> = { socket: 'open', ready: 'authenticated' };

export function lifecycleStateOfValue(value: StateValueShape): LifecycleState {
  let current: StateValueShape = value;
  for (;;) {
    const name = typeof current === 'string' ? current : (Object.keys(current)[0] ?? 'idle');
    const fallback = PHASE_PARENTS[name];
    if (fallback === undefined) return name as LifecycleState;
    const inner: StateValueShape | undefined = typeof current === 'string' ? undefined : current[name];
    if (inner === undefined) return fallback as LifecycleState;
    current = inner;
  }
}

/** Whether the data plane is ready (`socket.ready`: `authenticated` or `lingering-detected`). */
export function isDataPlaneReady(snapshot: Pick<SnapshotFrom<typeof connectionMachine>, 'value'>): boolean {
  const value = snapshot.value as StateValueShape;
  return typeof value === 'object' && typeof value['socket'] === 'object' && 'ready' in value['socket'];
}
