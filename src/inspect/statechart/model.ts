/**
 * The statechart as plain data, read from the machine definition itself (`machine.root`): every state node with its
 * kind, initial child, invoked actors and entry actions, and every transition with its trigger (event, delay,
 * `always`, actor done/error), guard and targets. The diagram generators draw only this model, so nothing about the
 * lifecycle is ever written down twice.
 */
import { createActor, type AnyStateMachine } from 'xstate';

export type ChartNodeType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export type ChartTrigger =
  | { readonly kind: 'event'; readonly event: string }
  | { readonly kind: 'after'; readonly delay: string; readonly defaultMs: number | undefined }
  | { readonly kind: 'always' }
  | { readonly kind: 'done' | 'error'; readonly actor: string };

export interface ChartTransition {
  /** Path of the state node that declares it ('' for the machine itself). */
  readonly source: string;
  /** Paths of the targets; empty for a targetless transition. */
  readonly targets: readonly string[];
  readonly trigger: ChartTrigger;
  readonly guard: string | undefined;
  /** The named actions (the implementation's own: `sendTic`, `refreshMarketData`…); xstate built-ins are left out. */
  readonly actions: readonly string[];
  /** Re-enters its own state (a self-loop that restarts timers). */
  readonly reenter: boolean;
}

export interface ChartNode {
  readonly key: string;
  /** Dot-joined path from the machine ('' for the machine, `socket.ready.authenticated` for a nested state). */
  readonly path: string;
  /** The xstate node id (`connection.socket.open`, or a custom id such as `authenticated`). */
  readonly id: string;
  readonly type: ChartNodeType;
  /** Path of the initial child of a compound state. */
  readonly initial: string | undefined;
  readonly invoke: readonly string[];
  readonly entry: readonly string[];
  readonly children: readonly ChartNode[];
  readonly transitions: readonly ChartTransition[];
}

export interface ChartModel {
  readonly id: string;
  readonly root: ChartNode;
}

/** The minimal view of an xstate v5 StateNode this module reads (its public, documented properties). */
interface StateNodeLike {
  readonly key: string;
  readonly id: string;
  readonly path: readonly string[];
  readonly type: ChartNodeType;
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly initial?: { readonly target: readonly StateNodeLike[] };
  readonly invoke: ReadonlyArray<{ readonly id: string; readonly src: unknown }>;
  readonly entry: readonly unknown[];
  readonly transitions: ReadonlyMap<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[];
}

interface TransitionLike {
  readonly eventType: string;
  readonly target?: readonly StateNodeLike[];
  readonly guard?: unknown;
  readonly actions: readonly unknown[];
  readonly reenter: boolean;
  readonly delay?: string | number;
}

/** Reads the model of `machine`. Delays are resolved against the machine's initial context to show their defaults. */
export function readChartModel(machine: AnyStateMachine): ChartModel {
  const delays = resolveDefaultDelays(machine);
  const root = machine.root as unknown as StateNodeLike;
  return { id: root.id, root: readNode(root, delays) };
}

function readNode(node: StateNodeLike, delays: ReadonlyMap<string, number>): ChartNode {
  const invokes = new Map(
    node.invoke.map((invoke) => [invoke.id, typeof invoke.src === 'string' ? invoke.src : invoke.id]),
  );
  const transitions: ChartTransition[] = [];
  for (const [eventType, list] of node.transitions) {
    for (const transition of list) transitions.push(readTransition(node, eventType, transition, invokes, delays));
  }
  for (const transition of node.always ?? []) transitions.push(readTransition(node, '', transition, invokes, delays));
  return {
    key: node.key,
    path: node.path.join('.'),
    id: node.id,
    type: node.type,
    initial: node.type === 'compound' ? node.initial?.target[0]?.path.join('.') : undefined,
    invoke: [...invokes.values()],
    entry: namedActions(node.entry),
    children: Object.values(node.states).map((child) => readNode(child, delays)),
    transitions,
  };
}

function readTransition(
  node: StateNodeLike,
  eventType: string,
  transition: TransitionLike,
  invokes: ReadonlyMap<string, string>,
  delays: ReadonlyMap<string, number>,
): ChartTransition {
  return {
    source: node.path.join('.'),
    targets: (transition.target ?? []).map((target) => target.path.join('.')),
    trigger: triggerOf(eventType, transition, invokes, delays),
    guard: guardName(transition.guard),
    actions: namedActions(transition.actions),
    reenter: transition.reenter,
  };
}

const DONE_PREFIX = 'xstate.done.actor.';
const ERROR_PREFIX = 'xstate.error.actor.';

function triggerOf(
  eventType: string,
  transition: TransitionLike,
  invokes: ReadonlyMap<string, string>,
  delays: ReadonlyMap<string, number>,
): ChartTrigger {
  if (eventType === '') return { kind: 'always' };
  if (transition.delay !== undefined) {
    const delay = String(transition.delay);
    return {
      kind: 'after',
      delay,
      defaultMs: typeof transition.delay === 'number' ? transition.delay : delays.get(delay),
    };
  }
  if (eventType.startsWith(DONE_PREFIX))
    return {
      kind: 'done',
      actor: invokes.get(eventType.slice(DONE_PREFIX.length)) ?? eventType.slice(DONE_PREFIX.length),
    };
  if (eventType.startsWith(ERROR_PREFIX))
    return {
      kind: 'error',
      actor: invokes.get(eventType.slice(ERROR_PREFIX.length)) ?? eventType.slice(ERROR_PREFIX.length),
    };
  return { kind: 'event', event: eventType };
}

function guardName(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  if (typeof guard === 'function') return guard.name || 'guard';
  return 'guard';
}

/** Implementation-named actions only: `xstate.assign`, `xstate.raise` (the after-timers) and friends are plumbing. */
function namedActions(actions: readonly unknown[]): string[] {
  const names: string[] = [];
  for (const action of actions) {
    const name = typeof action === 'string' ? action : (action as { type?: unknown } | null)?.type;
    if (typeof name === 'string' && !name.startsWith('xstate.')) names.push(name);
  }
  return names;
}

/**
 * The default value of each named delay: the delay functions read the context, so they are evaluated against the
 * initial context of an actor that is created but never started (no timer, no side effect). A delay that is only
 * known at run time (the jittered backoff is 0 before the first attempt) is left without a default.
 */
function resolveDefaultDelays(machine: AnyStateMachine): Map<string, number> {
  const resolved = new Map<string, number>();
  const delays = (machine.implementations.delays ?? {}) as Record<string, unknown>;
  let context: unknown;
  try {
    context = createActor(machine, { input: {} }).getSnapshot().context;
  } catch {
    return resolved;
  }
  for (const [name, delay] of Object.entries(delays)) {
    const value =
      typeof delay === 'function'
        ? safely(() => (delay as (args: { context: unknown }) => unknown)({ context }))
        : delay;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) resolved.set(name, value);
  }
  return resolved;
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Every node of the model, depth first, the machine first. */
export function allNodes(node: ChartNode): ChartNode[] {
  return [node, ...node.children.flatMap(allNodes)];
}

/** Every transition of the model, in definition order. */
export function allTransitions(node: ChartNode): ChartTransition[] {
  return allNodes(node).flatMap((each) => each.transitions);
}
