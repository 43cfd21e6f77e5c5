/**
 * A lifecycle scenario: a connection configuration and a sequence of things that happen to it (server frames on the
 * current socket, events of stale sockets, socket faults, session-check answers, clock steps, user calls). The runner
 * plays it against the real connection machine with in-memory adapters and checks the lifecycle invariants after
 * every step; a violation throws with the step, the command and the states visited, so a shrunk counterexample reads
 * as a story. The property tests generate scenarios; regressions.test.ts replays fixed ones.
 */
import { authorizationRetryFloorMs } from '../../../machines/connection.defaults.js';
import {
  backoffCapMs,
  DEFAULT_TIMING,
  EMPTY_CADENCE,
  LIFECYCLE_STATES,
  silenceTimeoutMs,
  type ConnectionTiming,
  type LifecycleState,
} from '../../../machines/index.js';
import type { SocketCommand, SocketEvent } from '../../../src/protocol/session.js';
import type { ServerMessage } from '../../../src/protocol/types.js';
import {
  authenticated,
  authorizationRefused,
  authorizationRequired,
  authorized,
  createHarness,
  frames,
  loginRequired,
  rejection,
  SESSION_A,
  SESSION_B,
  TEARDOWN,
  unavailable,
  type CheckAnswer,
  type FakeSocket,
  type Harness,
  type HarnessOptions,
} from '../../machines/support/in-memory-adapters.js';

export const FRAME_NAMES = [
  'greeting',
  'sts-authenticated',
  'sts-unauthenticated',
  'sts-competing',
  'sts-neutral',
  'waiting-for-session',
  'heartbeat',
  'echo',
  'error',
] as const;
export type FrameName = (typeof FRAME_NAMES)[number];

export const ANSWER_NAMES = [
  'authenticated-same',
  'authenticated-rotated',
  'login-logged-out',
  'login-not-authenticated',
  'login-competing',
  'unavailable',
  'rejection',
  'authorization-required',
] as const;
export type AnswerName = (typeof ANSWER_NAMES)[number];

export const STALE_EVENT_NAMES = [
  'opened',
  'greeting',
  'sts-unauthenticated',
  'waiting-for-session',
  'heartbeat',
  'echo',
  'activity',
  'closed',
  'errored',
] as const;
export type StaleEventName = (typeof STALE_EVENT_NAMES)[number];

export type LifecycleCommand =
  /** A frame from the server on the current socket (ignored when no socket is alive). */
  | { readonly kind: 'frame'; readonly frame: FrameName }
  /** Data frames on the current socket (the socket actor's throttled ACTIVITY). */
  | { readonly kind: 'activity' }
  | { readonly kind: 'opened' }
  | { readonly kind: 'closed'; readonly code: 1000 | 1006 }
  | { readonly kind: 'errored' }
  /** An event of an older socket, `age` sockets back, still in flight. */
  | { readonly kind: 'stale'; readonly event: StaleEventName; readonly age: number }
  /** The answer to the session check in flight (ignored when none is). */
  | { readonly kind: 'answer'; readonly answer: AnswerName }
  | { readonly kind: 'clock'; readonly ms: number }
  | { readonly kind: 'user'; readonly call: 'START' | 'STOP' | 'RETRY' }
  /** OAuth: the client's renewal timer says the live session token nears its expiry. */
  | { readonly kind: 'token-expiring' }
  /** Time passes while the server beats as the real one does (a heartbeat every 0.4 × the heartbeat timeout). */
  | { readonly kind: 'healthy-time'; readonly beats: number }
  /** Whatever moves a healthy connection forward from here (answer, open, greet, beat, let a wait run out, RETRY). */
  | { readonly kind: 'proceed'; readonly handshake: 'greeting' | 'session-message' };

export interface LifecycleScenario {
  readonly timing?: Partial<ConnectionTiming>;
  readonly maxAttempts?: number;
  readonly autoReauthenticate?: boolean;
  /** The direct OAuth path: answers to `authorize` come from the same answer names (see `answerFor`). */
  readonly oauth?: boolean;
  /** Seed of the jitter source (a small PRNG), so that a scenario replays exactly. */
  readonly jitterSeed: number;
  readonly commands: readonly LifecycleCommand[];
}

export interface ScenarioReport {
  readonly states: readonly LifecycleState[];
  readonly sockets: number;
  readonly reconnects: number;
  readonly authenticated: number;
  /** Keep-alives the run exercised: tics sent and keep-alive tickles made. */
  readonly keepAlives: number;
  /** Everything observable from outside, serialized: emitted events, checks, every socket's history, the end. */
  readonly trace: string;
}

const FRAMES: Readonly<Record<FrameName, ServerMessage>> = {
  greeting: frames.greeting,
  'sts-authenticated': frames.stsAuthenticated,
  'sts-unauthenticated': frames.stsUnauthenticated,
  'sts-competing': frames.stsCompeting,
  'sts-neutral': frames.stsNeutral,
  'waiting-for-session': frames.waitingForSession,
  heartbeat: frames.heartbeat,
  echo: frames.echo,
  error: frames.topicUnknown,
};

const SOCKET_PHASES: ReadonlySet<LifecycleState> = new Set([
  'open',
  'awaiting-session',
  'sending-session',
  'authenticated',
  'lingering-detected',
]);
const READY_PHASES: ReadonlySet<LifecycleState> = new Set(['authenticated', 'lingering-detected']);
const CHECKING_PHASES: ReadonlySet<LifecycleState> = new Set([
  'authorizing',
  'checking-session',
  'login-required',
  'authenticated',
]);
const AT_REST: ReadonlySet<LifecycleState> = new Set(['idle', 'failed']);
const KNOWN_COMMANDS: ReadonlySet<SocketCommand['type']> = new Set([
  'SOCKET.SEND_TIC',
  'SOCKET.SEND_PROBE',
  'SOCKET.SEND_SESSION',
  'SOCKET.TERMINATE',
]);
const A_DAY = 24 * 60 * 60 * 1000;

/** mulberry32: a tiny seeded PRNG in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

/** What the invariants remember about each socket, beyond what the fake socket records itself. */
interface SocketFacts {
  /** "waiting for session" frames it delivered while the machine was in awaiting-session on it. */
  asked: number;
  /** It has been the socket of `authenticated` (so keep-alives may flow). */
  ready: boolean;
}

export async function runScenario(
  scenario: LifecycleScenario,
  options: Pick<HarnessOptions, 'provide'> = {},
): Promise<ScenarioReport> {
  const timing: ConnectionTiming = { ...DEFAULT_TIMING, ...scenario.timing };
  const maxAttempts = scenario.maxAttempts ?? Number.POSITIVE_INFINITY;
  const harness = createHarness(
    {
      timing: scenario.timing ?? {},
      maxAttempts,
      autoReauthenticate: scenario.autoReauthenticate ?? true,
      random: seededRandom(scenario.jitterSeed),
      oauth: scenario.oauth ?? false,
    },
    { ...options, manualChecks: true },
  );
  const facts = new Map<FakeSocket, SocketFacts>();
  const factsOf = (socket: FakeSocket): SocketFacts => {
    let known = facts.get(socket);
    if (!known) facts.set(socket, (known = { asked: 0, ready: false }));
    return known;
  };
  let reconnectsSeen = 0;
  let step = 0;
  let command: LifecycleCommand | undefined;

  const fail = (message: string): never => {
    const where = command ? `step ${step} (${JSON.stringify(command)})` : 'after the last step';
    throw new InvariantViolation(`${message}\n  at ${where}\n  states: ${harness.states.join(' → ')}`);
  };

  const check = (readyBefore: ReadonlySet<FakeSocket>): void => {
    const snapshot = harness.actor.getSnapshot();
    const state = harness.state();
    if (!(LIFECYCLE_STATES as readonly string[]).includes(state)) fail(`unknown lifecycle state ${state}`);
    if (snapshot.status === 'error') fail(`the machine errored: ${String(snapshot.error)}`);

    // The two modes: a gateway never authorizes; on the OAuth path no socket opens before a token was obtained.
    if (!scenario.oauth && (state === 'authorizing' || harness.checks.some((made) => made.purpose === 'authorize')))
      fail('a gateway-mode run authorized');
    if (scenario.oauth && harness.sockets.length > 0 && !harness.emittedAuthorizations())
      fail('a socket opened before any live session token');

    // At most one socket, and exactly the one the state owns.
    const live = harness.liveSockets();
    if (live.length > 1)
      fail(`${live.length} sockets alive at once: ${live.map((socket) => socket.socketId).join(', ')}`);
    if (SOCKET_PHASES.has(state)) {
      if (live.length !== 1 || live[0]!.socketId !== snapshot.context.socketId)
        fail(`${state} without its socket ${snapshot.context.socketId} alive`);
    } else if (live.length !== 0) fail(`socket ${live[0]!.socketId} alive in ${state}`);

    // No socket lives on with a session value the gateway has since replaced.
    const latest = harness.latestSession();
    for (const socket of live)
      if (latest && !socket.session.equals(latest))
        fail(`socket ${socket.socketId} lives on with a rotated-out session value`);

    // One session check at a time, and only where a state is waiting for it.
    const inFlight = harness.pendingChecks();
    if (inFlight.length > 1) fail(`${inFlight.length} session checks in flight`);
    if (inFlight.length === 1 && !CHECKING_PHASES.has(state)) fail(`a session check in flight in ${state}`);

    // Commands: nothing but the asked-for session message before ready, never after teardown, never unknown.
    for (const socket of harness.sockets) {
      const known = factsOf(socket);
      const teardown = socket.history.indexOf(TEARDOWN);
      if (teardown !== -1 && teardown !== socket.history.length - 1)
        fail(`socket ${socket.socketId} got a command after its teardown`);
      for (const sent of socket.commands)
        if (!KNOWN_COMMANDS.has(sent.type)) fail(`socket ${socket.socketId} got ${sent.type}`);
      if (!readyBefore.has(socket) && socket.commands.some((sent) => sent.type !== 'SOCKET.SEND_SESSION')) {
        fail(
          `socket ${socket.socketId} got ${socket.commands.map((sent) => sent.type).join(', ')} before it was ready`,
        );
      }
      const sessions = socket.count('SOCKET.SEND_SESSION');
      if (sessions > Math.min(1, known.asked))
        fail(`socket ${socket.socketId} sent ${sessions} session messages, asked ${known.asked} times`);
      if (socket.count('SOCKET.TERMINATE') > (known.ready ? 1 : 0))
        fail(`socket ${socket.socketId} terminated ${socket.count('SOCKET.TERMINATE')} times`);
    }

    // Backoff: every delay within [0, cap(attempt)], attempts within maxAttempts, the wait really scheduled.
    const reconnects = harness.emitted.filter((event) => event.type === 'reconnect');
    for (const event of reconnects.slice(reconnectsSeen)) {
      // After a refused token the wait is at least the authorization floor, which may exceed the jitter cap.
      const cap = Math.max(
        backoffCapMs(timing, event.attempt),
        scenario.oauth ? authorizationRetryFloorMs(timing, event.attempt) : 0,
      );
      if (!Number.isInteger(event.delayMs) || event.delayMs < 0 || event.delayMs > cap)
        fail(`backoff ${event.delayMs} ms out of [0, ${cap}] at attempt ${event.attempt}`);
      if (event.attempt < 1 || event.attempt > maxAttempts)
        fail(`reconnect attempt ${event.attempt} with maxAttempts ${maxAttempts}`);
    }
    reconnectsSeen = reconnects.length;
    if (state === 'reconnect' && snapshot.context.attempt > maxAttempts)
      fail(`waiting to reconnect at attempt ${snapshot.context.attempt} past maxAttempts ${maxAttempts}`);
    if (state === 'failed' && snapshot.context.attempt !== maxAttempts + 1)
      fail(`failed after ${snapshot.context.attempt - 1} attempts, maxAttempts ${maxAttempts}`);
    if (state === 'reconnect') {
      const { attempt, backoffDelayMs } = snapshot.context;
      const floor = snapshot.context.authorization === 'refused' ? authorizationRetryFloorMs(timing, attempt) : 0;
      if (backoffDelayMs > Math.max(floor, backoffCapMs(timing, attempt)))
        fail(`backoff ${backoffDelayMs} ms above the cap of attempt ${attempt}`);
      if (backoffDelayMs < floor) fail(`backoff ${backoffDelayMs} ms below the refused-token floor ${floor} ms`);
      if (!harness.timeouts().some((timeout) => timeout.timeout === backoffDelayMs))
        fail(`reconnect without its ${backoffDelayMs} ms timer`);
    }

    // Never stuck: a state that is not at rest has a timer or a check in flight; a state at rest has neither.
    const running = harness.timeouts().length + inFlight.length;
    if (snapshot.status === 'active' && !AT_REST.has(state) && running === 0)
      fail(`stuck in ${JSON.stringify(snapshot.value)}: no timer, no check in flight`);
    if (snapshot.status === 'active' && AT_REST.has(state) && running + live.length !== 0)
      fail(`${state} with something still running`);

    if (
      harness.emitted.filter((event) => event.type === 'authenticated').length !== harness.notifications.authenticated
    ) {
      fail('`authenticated` emitted and the subscription layer told a different number of times');
    }

    for (const socket of live) if (READY_PHASES.has(state)) factsOf(socket).ready = true;
  };

  const expectStoppedAndQuiet = async (): Promise<void> => {
    const snapshot = harness.actor.getSnapshot();
    if (snapshot.value !== 'stopped' || snapshot.status !== 'done')
      fail(`STOP ended in ${JSON.stringify(snapshot.value)} (${snapshot.status})`);
    if (harness.liveSockets().length !== 0) fail('a socket outlived STOP');
    if (harness.timeouts().length !== 0) fail(`${harness.timeouts().length} timers outlived STOP`);
    if (harness.pendingChecks().length !== 0) fail('a session check outlived STOP');
    if (Object.keys(snapshot.children).length !== 0) fail('a child actor outlived STOP');
    const before = JSON.stringify([
      harness.emitted.length,
      harness.checks.length,
      harness.sockets.map((socket) => socket.history.length),
    ]);
    await harness.advance(A_DAY);
    const after = JSON.stringify([
      harness.emitted.length,
      harness.checks.length,
      harness.sockets.map((socket) => socket.history.length),
    ]);
    if (before !== after) fail('something happened after STOP');
  };

  // Well inside the silence threshold (the unlearnt default, or the ceiling when it is lower: these frames carry no
  // read time, so nothing is learnt).
  const healthyBeatMs = Math.floor(
    Math.min(timing.heartbeatTimeoutMs * 0.4, silenceTimeoutMs(EMPTY_CADENCE, timing.heartbeatTimeoutMs, true) * 0.8),
  );
  const readySockets = () => new Set([...facts].filter(([, known]) => known.ready).map(([socket]) => socket));
  for (command of scenario.commands) {
    step++;
    if (command.kind === 'healthy-time') {
      // Each beat is a step of its own: the invariants hold between beats too.
      for (let beat = 0; beat < command.beats; beat++) {
        const readyBefore = readySockets();
        harness.liveSockets()[0]?.message(frames.heartbeat);
        await harness.advance(healthyBeatMs);
        check(readyBefore);
      }
      continue;
    }
    const readyBefore = readySockets();
    await perform(harness, command, factsOf);
    check(readyBefore);
    if (command.kind === 'user' && command.call === 'STOP') {
      await expectStoppedAndQuiet();
      return report(harness);
    }
  }
  command = undefined;
  harness.actor.send({ type: 'STOP' });
  await harness.settle();
  await expectStoppedAndQuiet();
  return report(harness);
}

function report(harness: Harness): ScenarioReport {
  return {
    states: harness.states,
    sockets: harness.sockets.length,
    reconnects: harness.emitted.filter((event) => event.type === 'reconnect').length,
    authenticated: harness.notifications.authenticated,
    keepAlives:
      harness.sockets.reduce((sum, socket) => sum + socket.count('SOCKET.SEND_TIC'), 0) +
      harness.checks.filter((check) => check.purpose === 'keep-alive').length,
    trace: JSON.stringify({
      emitted: harness.emitted,
      checks: harness.checks.map((check, index) => ({ ...check, at: harness.checkTimes[index] })),
      sockets: harness.sockets.map((socket) => ({ id: socket.socketId, history: socket.history })),
      notifications: harness.notifications,
      states: harness.states,
    }),
  };
}

async function perform(
  harness: Harness,
  command: LifecycleCommand,
  factsOf: (socket: FakeSocket) => SocketFacts,
): Promise<void> {
  const current = harness.liveSockets()[0];
  switch (command.kind) {
    case 'frame':
      if (!current) return;
      if (command.frame === 'waiting-for-session' && harness.state() === 'awaiting-session') factsOf(current).asked++;
      current.message(FRAMES[command.frame]);
      break;
    case 'activity':
      current?.activity();
      break;
    case 'opened':
      current?.opened();
      break;
    case 'closed':
      current?.closed(command.code);
      break;
    case 'errored':
      current?.errored('ECONNRESET');
      break;
    case 'stale': {
      // Older than the live socket, or than the last socket when none is alive (it is stale too).
      const newest = current ? current.socketId - 1 : harness.actor.getSnapshot().context.socketId;
      harness.actor.send(staleEvent(command.event, newest - (command.age - 1)));
      break;
    }
    case 'answer':
      if (harness.pendingChecks().length === 1) await harness.answerCheck(answerFor(command.answer, harness));
      return;
    case 'clock':
      await harness.advance(command.ms);
      return;
    case 'user':
      harness.actor.send({ type: command.call });
      break;
    case 'token-expiring':
      harness.actor.send({ type: 'AUTHORIZATION.EXPIRING' });
      break;
    case 'proceed':
      return proceed(harness, current, command.handshake, factsOf);
    case 'healthy-time':
      throw new Error('healthy-time is played beat by beat by runScenario');
  }
  await harness.settle();
}

/** The healthy next step for the state the machine is in: keeps random sequences from wandering in the shallows. */
async function proceed(
  harness: Harness,
  current: FakeSocket | undefined,
  handshake: 'greeting' | 'session-message',
  factsOf: (socket: FakeSocket) => SocketFacts,
): Promise<void> {
  if (harness.pendingChecks().length === 1) return harness.answerCheck(answerFor('authenticated-same', harness));
  const { context } = harness.actor.getSnapshot();
  switch (harness.state()) {
    case 'idle':
      harness.actor.send({ type: 'START' });
      break;
    case 'failed':
      harness.actor.send({ type: 'RETRY' });
      break;
    case 'login-required':
      return harness.advance(context.timing.loginPollIntervalMs);
    case 'reconnect':
      return harness.advance(context.backoffDelayMs);
    case 'open':
      current?.opened();
      break;
    case 'awaiting-session':
      if (handshake === 'session-message' && current) factsOf(current).asked++;
      current?.message(handshake === 'greeting' ? frames.greeting : frames.waitingForSession);
      break;
    case 'sending-session':
      current?.message(frames.greeting);
      break;
    case 'authenticated':
      current?.message(frames.heartbeat);
      break;
    case 'lingering-detected':
      current?.message(frames.echo);
      break;
    default:
      return;
  }
  await harness.settle();
}

function staleEvent(name: StaleEventName, socketId: number): SocketEvent {
  switch (name) {
    case 'opened':
      return { type: 'SOCKET.OPENED', socketId };
    case 'activity':
      return { type: 'SOCKET.ACTIVITY', socketId };
    case 'closed':
      return { type: 'SOCKET.CLOSED', socketId, code: 1006, reason: '' };
    case 'errored':
      return { type: 'SOCKET.ERROR', socketId, error: { code: 'ECONNRESET', message: 'reset' } };
    default:
      return { type: 'SOCKET.MESSAGE', socketId, message: FRAMES[name] };
  }
}

function answerFor(name: AnswerName, harness: Harness): CheckAnswer {
  if (harness.pendingChecks()[0]?.input.purpose === 'authorize') return authorizeAnswerFor(name);
  const session = harness.actor.getSnapshot().context.session;
  const same = session?.reveal() ?? SESSION_A;
  switch (name) {
    case 'authenticated-same':
      return authenticated(same);
    case 'authenticated-rotated':
      return authenticated(same === SESSION_A ? SESSION_B : SESSION_A);
    case 'login-logged-out':
      return loginRequired('logged-out');
    case 'login-not-authenticated':
      return loginRequired('not-authenticated');
    case 'login-competing':
      return loginRequired('competing');
    case 'unavailable':
      return unavailable();
    case 'rejection':
      return rejection();
    case 'authorization-required':
      return authorizationRequired();
  }
}

/** The same answer names, read as what an OAuth `authorize` says: proceed, refuse, be unreachable, throw. */
function authorizeAnswerFor(name: AnswerName): CheckAnswer {
  switch (name) {
    case 'authenticated-same':
    case 'authenticated-rotated':
      return authorized();
    case 'login-logged-out':
    case 'login-competing':
      return authorizationRefused('invalid-consumer');
    case 'login-not-authenticated':
    case 'authorization-required':
      return authorizationRefused('signature');
    case 'unavailable':
      return { kind: 'unavailable', reason: 'network', message: 'down' };
    case 'rejection':
      return rejection();
  }
}
