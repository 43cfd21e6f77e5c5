/**
 * The connection statechart as a finite model for @xstate/graph: which events to try in each snapshot, how to
 * serialize a snapshot, and how to take one step purely while recording the transition definitions it took.
 *
 * Two things make the machine's own state space infinite: the socket id grows with every socket and the session
 * value is opaque. The model therefore speaks in relative events ("the current socket", "an older socket", "the same
 * session", "a rotated session"), each carrying a `label`, and a step materializes the event against the snapshot it
 * is applied to. Snapshots serialize to their state value and attempt counter: together with relative events those are
 * everything a guard reads (the attempt counter is bounded by a finite `maxAttempts`).
 *
 * `after` transitions and actor completions are explicit events, as the project's testing rule requires: `xstate.after.<delay>.<id>`,
 * `xstate.done.actor.<id>` with an `output`, `xstate.error.actor.<id>` with an `error`.
 */
import {
  __unsafe_getAllOwnEventDescriptors,
  createEmptyActor,
  type AnyStateNode,
  type AnyTransitionDefinition,
  type InspectionEvent,
  type SnapshotFrom,
} from 'xstate';
import { connectionMachine, type ConnectionEvent, type ConnectionInput } from '../../../machines/index.js';
import { Secret } from '../../../src/protocol/secret.js';
import type { SessionCheck } from '../../../src/protocol/session.js';
import type { ServerMessage } from '../../../src/protocol/types.js';
import type { Authorization } from '../../../src/protocol/authorization.js';
import {
  authorizationRefused,
  authorizationRequired,
  authorized,
  frames,
  loginRequired,
  SESSION_A,
  SESSION_B,
  unavailable,
} from './in-memory-adapters.js';

export type ConnectionSnapshot = SnapshotFrom<typeof connectionMachine>;

/** Every timing distinct, so that a replay can tell the SimulatedClock's timeouts apart by their length. */
export const MODEL_TIMING = {
  heartbeatTimeoutMs: 1_001,
  probeTimeoutMs: 1_002,
  openTimeoutMs: 1_003,
  readyTimeoutMs: 1_004,
  ticIntervalMs: 1_005,
  tickleIntervalMs: 1_006,
  loginPollIntervalMs: 1_007,
  marketDataRefreshMs: 1_008,
  stableAfterMs: 1_009,
  backoffInitialMs: 1_010,
  backoffMaxMs: 1_010,
  // No fast phase: every login poll waits loginPollIntervalMs, one delay the replay can tell apart.
  loginPollFastMs: 1_011,
  loginPollFastForMs: 0,
  // Below the backoff, so the refused-token floor never changes the (one) backoff delay the replay fires.
  authorizationRetryMs: 1,
} as const;

/** With `random` at 1 and the cap at its maximum from the first attempt, every backoff delay is this long. */
const BACKOFF_MS = MODEL_TIMING.backoffMaxMs;

export const DELAY_MS: Readonly<Record<string, number>> = {
  // The model's frames carry no read time: the silence is the default, capped by heartbeatTimeoutMs.
  silence: MODEL_TIMING.heartbeatTimeoutMs,
  readBuffered: 1,
  probeTimeout: MODEL_TIMING.probeTimeoutMs,
  openTimeout: MODEL_TIMING.openTimeoutMs,
  readyTimeout: MODEL_TIMING.readyTimeoutMs,
  ticInterval: MODEL_TIMING.ticIntervalMs,
  tickleInterval: MODEL_TIMING.tickleIntervalMs,
  loginPollInterval: MODEL_TIMING.loginPollIntervalMs,
  marketDataRefresh: MODEL_TIMING.marketDataRefreshMs,
  stableAfter: MODEL_TIMING.stableAfterMs,
  backoff: BACKOFF_MS,
};

/** One finite `maxAttempts` keeps the attempt counter (and so the model) bounded and makes `failed` reachable. */
export const MODEL_INPUT: ConnectionInput = { maxAttempts: 1, random: () => 1, timing: MODEL_TIMING };
/** The same machine on the direct OAuth path: `authorizing` and its transitions are reachable only here. */
export const MODEL_INPUT_OAUTH: ConnectionInput = { ...MODEL_INPUT, oauth: true };
export const MODEL_INPUTS: ReadonlyArray<readonly [string, ConnectionInput]> = [
  ['gateway', MODEL_INPUT],
  ['oauth', MODEL_INPUT_OAUTH],
];

const SOCKET_FRAMES: ReadonlyArray<readonly [string, ServerMessage]> = [
  ['greeting', frames.greeting],
  ['sts-authenticated', frames.stsAuthenticated],
  ['sts-unauthenticated', frames.stsUnauthenticated],
  ['waiting-for-session', frames.waitingForSession],
  ['error-frame', frames.topicUnknown],
  ['heartbeat', frames.heartbeat],
];

const CHECK_OUTPUTS: ReadonlyArray<readonly [string, (session: Secret | undefined) => SessionCheck]> = [
  [
    'authenticated-same',
    (session) => ({ kind: 'authenticated', session: session ?? new Secret(SESSION_A), competing: false }),
  ],
  ['authenticated-rotated', (session) => ({ kind: 'authenticated', session: rotated(session), competing: false })],
  ['login-required-not-authenticated', () => loginRequired('not-authenticated')],
  ['login-required-competing', () => loginRequired('competing')],
  ['unavailable', () => unavailable()],
  ['authorization-required', () => authorizationRequired()],
];

/** What the OAuth `authorize` actor can answer. */
const AUTHORIZE_OUTPUTS: ReadonlyArray<readonly [string, () => Authorization]> = [
  ['authorized', () => authorized()],
  ['refused', () => authorizationRefused()],
  ['unavailable', () => ({ kind: 'unavailable', reason: 'network', message: 'down' })],
];
const AUTHORIZE_DONE = 'xstate.done.actor.authorize';

function rotated(session: Secret | undefined): Secret {
  return new Secret(session?.equals(new Secret(SESSION_A)) ? SESSION_B : SESSION_A);
}

/** A model event: a concrete event for the snapshot it was made from, plus the label that says what it means. */
export type ModelEvent = ConnectionEvent & { readonly label: string };

/** The events worth trying in `snapshot`: only those some active state node listens to. */
export function modelEvents(snapshot: ConnectionSnapshot): ModelEvent[] {
  if (snapshot.status !== 'active') return [];
  const descriptors = __unsafe_getAllOwnEventDescriptors(snapshot) as string[];
  return descriptors.flatMap((type) => labelsFor(type).map((label) => materialize({ type, label }, snapshot)));
}

function labelsFor(type: string): string[] {
  if (type === 'SOCKET.MESSAGE')
    return [...SOCKET_FRAMES.map(([label]) => `current:${label}`), 'stale:greeting', 'stale:sts-unauthenticated'];
  if (type === 'SOCKET.CLOSED') return ['current:1006', 'stale:1006'];
  if (type.startsWith('SOCKET.')) return ['current', 'stale'];
  if (type === AUTHORIZE_DONE) return AUTHORIZE_OUTPUTS.map(([label]) => label);
  if (type.startsWith('xstate.done.actor.')) return CHECK_OUTPUTS.map(([label]) => label);
  if (type === 'FATAL') return ['tls-certificate'];
  return ['-'];
}

/** Makes the concrete event that `label` means in `snapshot` (the model's and the real actor's alike). */
export function materialize(
  event: { readonly type: string; readonly label: string },
  snapshot: Pick<ConnectionSnapshot, 'context'>,
): ModelEvent {
  const { type, label } = event;
  const { socketId: current, session } = snapshot.context;
  const socketId = label.startsWith('stale') ? current - 1 : current;
  const detail = label.split(':')[1];
  switch (type) {
    case 'SOCKET.OPENED':
    case 'SOCKET.ACTIVITY':
      return { type, socketId, label };
    case 'SOCKET.MESSAGE':
      return { type, socketId, message: SOCKET_FRAMES.find(([name]) => name === detail)![1], label };
    case 'SOCKET.CLOSED':
      return { type, socketId, code: Number(detail), reason: '', label };
    case 'SOCKET.ERROR':
      return { type, socketId, error: { code: 'ECONNRESET', message: 'reset' }, label };
    default:
      break;
  }
  if (type === AUTHORIZE_DONE) {
    return { type, output: AUTHORIZE_OUTPUTS.find(([name]) => name === label)![1](), label } as unknown as ModelEvent;
  }
  if (type.startsWith('xstate.done.actor.')) {
    const output = CHECK_OUTPUTS.find(([name]) => name === label)![1](session);
    return { type, output, label } as unknown as ModelEvent;
  }
  if (type.startsWith('xstate.error.actor.'))
    return { type, error: new Error('session check threw'), label } as unknown as ModelEvent;
  if (type === 'FATAL') return { type, code: label, label };
  return { type, label } as ModelEvent;
}

export function serializeModelEvent(event: ModelEvent): string {
  return `${event.type}|${event.label}`;
}

/** State value, attempt counter and the OAuth token's standing: with relative events, all that a guard can tell apart. */
export function serializeModelSnapshot(snapshot: ConnectionSnapshot): string {
  const { attempt, authorization } = snapshot.context;
  return JSON.stringify({ value: snapshot.value, attempt, authorization, status: snapshot.status });
}

/** Every state node under the root, in document order (the root itself is the machine, not a state). */
export function allStateNodes(node: AnyStateNode = connectionMachine.root): AnyStateNode[] {
  return Object.values(node.states as Record<string, AnyStateNode>).flatMap((child) => [
    child,
    ...allStateNodes(child),
  ]);
}

/** Every transition definition of the machine: `on`, `after`, `onDone`, `onError` (in `transitions`) and `always`. */
export function allTransitions(): AnyTransitionDefinition[] {
  return [connectionMachine.root, ...allStateNodes()].flatMap((node) => [
    ...[...node.transitions.values()].flat(),
    ...(node.always ?? []),
  ]);
}

/** Ids of the state nodes active in a snapshot (the root included). */
export function activeNodeIds(snapshot: ConnectionSnapshot): string[] {
  return (snapshot as unknown as { _nodes: AnyStateNode[] })._nodes.map((node) => node.id);
}

/** A key that names a transition definition the same way in `connectionMachine` and in any `.provide(...)` of it. */
export function transitionKey(transition: AnyTransitionDefinition): string {
  const source = transition.source as AnyStateNode;
  const siblings: AnyTransitionDefinition[] = transition.eventType
    ? (source.transitions.get(transition.eventType) ?? [])
    : (source.always ?? []);
  const index = siblings.findIndex((candidate) => candidate === transition);
  return `${source.id}|${transition.eventType || 'always'}|${index}`;
}

export function describeTransition(transition: AnyTransitionDefinition): string {
  const targets = (transition.target ?? []).map((target: AnyStateNode) => `#${target.id}`).join(',') || '(none)';
  const guard = transition.guard
    ? ` [${typeof transition.guard === 'string' ? transition.guard : ((transition.guard as { type?: string }).type ?? 'inline')}]`
    : '';
  return `#${transition.source.id} --${transition.eventType || 'always'}${guard}--> ${targets}`;
}

/**
 * A pure step of the model that also reports the transition definitions taken (the `@xstate.microstep` inspection
 * events carry them), including the eventless ones that follow the event within the same macrostep.
 */
export function createModelStepper(input: ConnectionInput = MODEL_INPUT) {
  const empty = createEmptyActor();
  let taken: AnyTransitionDefinition[] = [];
  let entered = new Set<string>();
  const system = {
    ...empty.system,
    _sendInspectionEvent: (event: InspectionEvent) => {
      if (event.type !== '@xstate.microstep') return;
      const microstep = event as unknown as { _transitions?: AnyTransitionDefinition[]; snapshot: ConnectionSnapshot };
      taken.push(...(microstep._transitions ?? []));
      for (const id of activeNodeIds(microstep.snapshot)) entered.add(id);
    },
  };
  const scope = {
    self: empty,
    logger: () => {},
    id: '',
    sessionId: 'model',
    defer: () => {},
    system,
    stopChild: () => {},
    emit: () => {},
    actionExecutor: () => {},
  } as unknown as Parameters<typeof connectionMachine.transition>[2];

  return {
    initial(): ConnectionSnapshot {
      return connectionMachine.getInitialSnapshot(scope, input);
    },
    /** One macrostep; `entered` holds the state nodes active after any of its microsteps (transient ones too). */
    step(
      snapshot: ConnectionSnapshot,
      event: ModelEvent,
    ): { snapshot: ConnectionSnapshot; taken: AnyTransitionDefinition[]; entered: Set<string> } {
      taken = [];
      entered = new Set();
      const next = connectionMachine.transition(snapshot, event, scope);
      return { snapshot: next, taken, entered };
    },
  };
}
