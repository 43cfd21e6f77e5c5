/**
 * Model-based test: @xstate/graph explores the statechart with explicit events (timeouts and actor completions
 * included), the paths it yields reach every state node and take every transition definition, and each path replayed
 * against the real actor (in-memory adapters, SimulatedClock) reaches the same state, so the model is honest.
 */
import { getAdjacencyMap, getShortestPaths, type TraversalOptions } from '@xstate/graph';
import { describe, expect, test } from 'vitest';
import type { ActorLogic, InspectionEvent } from 'xstate';
import { connectionMachine, type ConnectionInput } from '../../machines/index.js';
import type { SocketEvent } from '../../src/protocol/session.js';
import {
  activeNodeIds,
  allStateNodes,
  allTransitions,
  createModelStepper,
  DELAY_MS,
  describeTransition,
  materialize,
  MODEL_INPUTS,
  modelEvents,
  serializeModelEvent,
  serializeModelSnapshot,
  transitionKey,
  type ConnectionSnapshot,
  type ModelEvent,
} from './support/connection-model.js';
import { createHarness, type Harness } from './support/in-memory-adapters.js';

type LabeledEvent = { readonly type: string; readonly label: string };
interface ModelPath {
  readonly name: string;
  /** The machine input of the mode the path belongs to (gateway or OAuth). */
  readonly input: ConnectionInput;
  readonly events: readonly LabeledEvent[];
  /** Serialized snapshot the graph says the path ends in. */
  readonly expected: string;
}

const steppers = new Map(MODEL_INPUTS.map(([, input]) => [input, createModelStepper(input)]));
const stepperOf = (input: ConnectionInput) => steppers.get(input)!;
/** The machine seen as the logic the traversal walks: snapshots in, model events (labelled) in. */
const modelLogic = connectionMachine as unknown as ActorLogic<ConnectionSnapshot, ModelEvent, ConnectionInput>;

/**
 * Shortest paths to every model state, and for every edge of the graph, the shortest path to its source plus it: in
 * each mode, since `authorizing` exists only on the OAuth path and the gateway path must still be covered on its own.
 */
function generatePaths(): ModelPath[] {
  return MODEL_INPUTS.flatMap(([mode, input]) => generateModePaths(mode, input));
}

function generateModePaths(mode: string, input: ConnectionInput): ModelPath[] {
  const stepper = stepperOf(input);
  const traversal: TraversalOptions<ConnectionSnapshot, ModelEvent, ConnectionInput> = {
    events: modelEvents,
    serializeState: serializeModelSnapshot,
    serializeEvent: serializeModelEvent,
    fromState: stepper.initial(),
    input,
  };
  const adjacency = getAdjacencyMap(modelLogic, traversal);
  const shortest = getShortestPaths(modelLogic, traversal);
  const toState = new Map<string, LabeledEvent[]>();
  for (const path of shortest) {
    // The first step of every path is the `xstate.init` that starts the machine.
    const events = path.steps.map((step) => step.event).filter((event) => (event.type as string) !== 'xstate.init');
    toState.set(
      serializeModelSnapshot(path.state),
      events.map(({ type, label }) => ({ type, label })),
    );
  }
  const paths: ModelPath[] = [...toState].map(([state, events]) => ({
    name: `${mode}: reach ${state}`,
    input,
    events,
    expected: state,
  }));
  for (const [source, { transitions }] of Object.entries(adjacency)) {
    const prefix = toState.get(source);
    if (!prefix) throw new Error(`no path reaches ${source}`);
    for (const { event, state } of Object.values(transitions) as Array<{
      event: ModelEvent;
      state: ConnectionSnapshot;
    }>) {
      const { type, label } = event;
      paths.push({
        name: `${mode}: from ${source} take ${type}|${label}`,
        input,
        events: [...prefix, { type, label }],
        expected: serializeModelSnapshot(state),
      });
    }
  }
  return paths;
}

interface Walk {
  readonly snapshots: ConnectionSnapshot[];
  readonly taken: Set<string>;
  readonly nodes: Set<string>;
}

/** Walks a path through the pure model, materializing each relative event against the snapshot it meets. */
function walk(path: ModelPath): Walk {
  const stepper = stepperOf(path.input);
  let snapshot = stepper.initial();
  const snapshots: ConnectionSnapshot[] = [];
  const taken = new Set<string>();
  const nodes = new Set<string>(activeNodeIds(snapshot));
  for (const labeled of path.events) {
    const result = stepper.step(snapshot, materialize(labeled, snapshot));
    snapshot = result.snapshot;
    snapshots.push(snapshot);
    for (const transition of result.taken) taken.add(transitionKey(transition));
    for (const id of result.entered) nodes.add(id);
  }
  return { snapshots, taken, nodes };
}

/** Makes the real actor live the event the model took: a frame from a socket, an answer, a timer running out. */
async function replayEvent(harness: Harness, labeled: LabeledEvent): Promise<void> {
  const event = materialize(labeled, harness.actor.getSnapshot());
  const { type } = event;
  if (type.startsWith('xstate.after.')) return harness.fireTimeout(DELAY_MS[type.split('.')[2]!]!);
  if (type.startsWith('xstate.done.actor.')) return harness.answerCheck((event as unknown as { output: never }).output);
  if (type.startsWith('xstate.error.actor.')) return harness.answerCheck((event as unknown as { error: Error }).error);
  if (type.startsWith('SOCKET.') && labeled.label.startsWith('current')) {
    const socketEvent = event as unknown as SocketEvent;
    const socket = harness.liveSockets().find((candidate) => candidate.socketId === socketEvent.socketId);
    if (!socket)
      throw new Error(`the model sends ${labeled.label} ${type} but socket ${socketEvent.socketId} is not alive`);
    socket.deliver(socketEvent);
  } else {
    // START, STOP, RETRY, and events of an older socket (already in flight when it was torn down).
    const { label: _label, ...plain } = event;
    harness.actor.send(plain as never);
  }
  await harness.settle();
}

const observed = (snapshot: ConnectionSnapshot) => ({
  value: snapshot.value,
  attempt: snapshot.context.attempt,
  status: snapshot.status,
});
const percent = (covered: number, total: number) => `${covered}/${total} (${Math.floor((covered / total) * 100)}%)`;

describe('model-based coverage of the connection statechart', () => {
  const paths = generatePaths();
  const stateIds = allStateNodes().map((node) => node.id);
  const transitionKeys = new Map(
    allTransitions().map((transition) => [transitionKey(transition), describeTransition(transition)]),
  );

  test('the generated paths reach every state node and take every transition definition', () => {
    const nodes = new Set<string>();
    const taken = new Set<string>();
    for (const path of paths) {
      const result = walk(path);
      expect(serializeModelSnapshot(result.snapshots.at(-1) ?? stepperOf(path.input).initial()), path.name).toBe(
        path.expected,
      );
      result.nodes.forEach((id) => nodes.add(id));
      // The gateway path never authorizes: not one of its snapshots is in `authorizing`.
      if (path.input.oauth !== true) {
        expect(
          result.snapshots.some((snapshot) => snapshot.matches('authorizing')),
          path.name,
        ).toBe(false);
        expect(
          [...result.nodes].some((id) => id.endsWith('.renewing')),
          path.name,
        ).toBe(false);
      }
      result.taken.forEach((key) => taken.add(key));
    }
    const coveredStates = stateIds.filter((id) => nodes.has(id));
    const coveredTransitions = [...transitionKeys.keys()].filter((key) => taken.has(key));
    console.log(
      `connection machine model: ${paths.length} paths; states ${percent(coveredStates.length, stateIds.length)}, ` +
        `transitions ${percent(coveredTransitions.length, transitionKeys.size)}`,
    );
    expect(stateIds.filter((id) => !nodes.has(id))).toEqual([]);
    expect([...transitionKeys].filter(([key]) => !taken.has(key)).map(([, text]) => text)).toEqual([]);
    expect([...taken].filter((key) => !transitionKeys.has(key))).toEqual([]);
  });

  test('every path replayed against the real actor reaches the same states, and the actor takes every transition too', async () => {
    const taken = new Set<string>();
    const entered = new Set<string>();
    const record = (event: InspectionEvent) => {
      if (event.type !== '@xstate.microstep') return;
      for (const id of activeNodeIds((event as unknown as { snapshot: ConnectionSnapshot }).snapshot)) entered.add(id);
      for (const transition of (event as unknown as { _transitions: Parameters<typeof transitionKey>[0][] })
        ._transitions ?? [])
        taken.add(transitionKey(transition));
    };
    for (const path of paths) {
      const model = walk(path);
      const harness = createHarness(path.input, { manualChecks: true, inspect: record });
      for (const [index, labeled] of path.events.entries()) {
        await replayEvent(harness, labeled);
        expect(
          observed(harness.actor.getSnapshot()),
          `${path.name}, step ${index + 1} (${labeled.type}|${labeled.label})`,
        ).toEqual(observed(model.snapshots[index]!));
        expect(harness.liveSockets().length, path.name).toBeLessThanOrEqual(1);
      }
      if (harness.actor.getSnapshot().status === 'active') harness.actor.stop();
    }
    const missing = [...transitionKeys].filter(([key]) => !taken.has(key)).map(([, text]) => text);
    const unvisited = stateIds.filter((id) => !entered.has(id));
    console.log(
      `connection machine replay on the real actor: ${paths.length} paths; states ${percent(stateIds.length - unvisited.length, stateIds.length)}, ` +
        `transitions ${percent(transitionKeys.size - missing.length, transitionKeys.size)}`,
    );
    expect(unvisited).toEqual([]);
    expect(missing).toEqual([]);
    // Both modes replay every path; the OAuth one doubles the state space, so give it room on a loaded machine.
  }, 120_000);
});
