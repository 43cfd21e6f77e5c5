/**
 * In-memory adapters for the connection statechart: a session checker answering from a script (or held open until
 * the test answers), and sockets that record what the machine asks of them and let a test play the server. Time is
 * a SimulatedClock, so every timeout is driven explicitly; promise settlement is flushed with `settle()`.
 *
 * The harness also exposes what the invariants need to see: the clock's pending timeouts, the session checks still
 * in flight, the sockets whose actor is alive, and the order in which a socket received commands and its teardown.
 */
import { SimulatedClock, createActor, fromCallback, fromPromise, type Actor, type InspectionEvent } from 'xstate';
import {
  connectionMachine,
  lifecycleStateOf,
  type ConnectionEmitted,
  type ConnectionInput,
  type LifecycleState,
} from '../../../machines/index.js';
import { Secret } from '../../../src/protocol/secret.js';
import type {
  SessionCheck,
  SessionCheckInput,
  SocketCommand,
  SocketEvent,
  SocketInput,
} from '../../../src/protocol/session.js';
import type { Authorization, AuthorizeInput } from '../../../src/protocol/authorization.js';
import type { ServerMessage } from '../../../src/protocol/types.js';

export const SESSION_A = '0123456789abcdef0123456789abcdef';
export const SESSION_B = 'fedcba9876543210fedcba9876543210';

export const authenticated = (session = SESSION_A, competing = false): SessionCheck => ({
  kind: 'authenticated',
  session: new Secret(session),
  competing,
});
export const loginRequired = (
  reason: 'logged-out' | 'no-session' | 'not-authenticated' | 'competing' = 'logged-out',
): SessionCheck => ({
  kind: 'login-required',
  reason,
  loggedIn: reason !== 'logged-out' && reason !== 'no-session',
  competing: reason === 'competing',
});
export const unavailable = (reason: 'network' | 'server-error' = 'server-error'): SessionCheck => ({
  kind: 'unavailable',
  reason,
  message: `gateway ${reason}`,
});
/** OAuth: what the `authorize` actor answers. */
export const authorized = (): Authorization => ({ kind: 'authorized' });
export const authorizationRefused = (
  problem: 'invalid-consumer' | 'signature' = 'invalid-consumer',
): Authorization => ({
  kind: 'rejected',
  problem,
  message: problem,
});
export const authorizationRequired = (): SessionCheck => ({ kind: 'authorization-required', reason: 'token-refused' });

/** A session check whose promise rejects (the adapter threw): the machine sees `xstate.error.actor.*`. */
export const rejection = (message = 'session check threw'): Error => new Error(message);

/** What a session check resolves with, or rejects with when it is an Error. */
export type CheckAnswer = SessionCheck | Authorization | Error;

/** The input of a session check, or of an OAuth authorization (which the harness holds and answers the same way). */
export type CheckInput =
  SessionCheckInput | (AuthorizeInput & { readonly purpose: 'authorize'; readonly reauthenticate?: undefined });

export const frames = {
  greeting: { kind: 'system-success', username: 'user123' } as ServerMessage,
  stsAuthenticated: { kind: 'sts', authenticated: true } as ServerMessage,
  stsUnauthenticated: { kind: 'sts', authenticated: false } as ServerMessage,
  stsCompeting: { kind: 'sts', authenticated: false, competing: true } as ServerMessage,
  /** An `sts` without `authenticated`: says nothing about the session. */
  stsNeutral: { kind: 'sts', connected: true } as ServerMessage,
  waitingForSession: { kind: 'waiting-for-session' } as ServerMessage,
  heartbeat: { kind: 'heartbeat', hb: 1_772_190_537_535 } as ServerMessage,
  echo: { kind: 'echo' } as ServerMessage,
  topicUnknown: { kind: 'error', error: "Topic unknown '{\"s'", code: 1 } as ServerMessage,
};

/** A teardown marker in a socket's history, so tests can tell what it received before and after it was torn down. */
export const TEARDOWN = { type: 'TEARDOWN' } as const;
export type SocketHistoryEntry = SocketCommand | typeof TEARDOWN;

export class FakeSocket {
  readonly commands: SocketCommand[] = [];
  /** Commands and the teardown, in the order they happened. */
  readonly history: SocketHistoryEntry[] = [];
  torn = false;
  constructor(
    readonly socketId: number,
    readonly session: Secret,
    private readonly sendBack: (event: SocketEvent) => void,
    /** When set, frames carry their read time (`at`) as the real socket actor stamps them. */
    private readonly now?: () => number,
  ) {}
  opened(): void {
    this.sendBack({ type: 'SOCKET.OPENED', socketId: this.socketId });
  }
  message(message: ServerMessage): void {
    this.sendBack({ type: 'SOCKET.MESSAGE', socketId: this.socketId, message, ...this.stamp() });
  }
  activity(): void {
    this.sendBack({ type: 'SOCKET.ACTIVITY', socketId: this.socketId, ...this.stamp() });
  }
  private stamp(): { at?: number } {
    return this.now === undefined ? {} : { at: this.now() };
  }
  closed(code = 1000): void {
    this.sendBack({ type: 'SOCKET.CLOSED', socketId: this.socketId, code, reason: '' });
  }
  errored(code = 'socket-error'): void {
    this.sendBack({ type: 'SOCKET.ERROR', socketId: this.socketId, error: { code, message: code } });
  }
  /** Any socket event of this socket, as the real socket actor would send it back. */
  deliver(event: SocketEvent): void {
    if (event.socketId !== this.socketId)
      throw new Error(`socket ${this.socketId} cannot deliver an event of socket ${event.socketId}`);
    this.sendBack(event);
  }
  get terminated(): boolean {
    return this.commands.some((command) => command.type === 'SOCKET.TERMINATE');
  }
  count(type: SocketCommand['type']): number {
    return this.commands.filter((command) => command.type === type).length;
  }
  /** Called by the socket actor; public only for the harness. */
  receive(command: SocketCommand): void {
    this.commands.push(command);
    this.history.push(command);
  }
  /** Called when the socket actor stops; public only for the harness. */
  tearDown(): void {
    this.torn = true;
    this.history.push(TEARDOWN);
  }
}

/** One session check the machine started. In manual mode it stays pending until the test answers it. */
export interface PendingCheck {
  readonly input: CheckInput;
  readonly startedAt: number;
  settled: boolean;
  /** The machine stopped the check's actor (its state was left) before it settled. */
  cancelled: boolean;
  settle(answer: CheckAnswer): void;
}

/** A timeout the SimulatedClock holds: `dueAt` is when it fires. */
export interface ScheduledTimeout {
  readonly id: number;
  readonly timeout: number;
  readonly dueAt: number;
}

export interface HarnessOptions {
  /** Answers when `answers` is empty (auto mode). */
  fallback?: CheckAnswer;
  /** Hold every session check until `answerCheck()`: lets a test observe (or property-test) the in-flight check. */
  manualChecks?: boolean;
  /** XState inspection events of the actor (the model test records the transitions taken). */
  inspect?: (event: InspectionEvent) => void;
  /** Implementations to swap on top of the in-memory ones (a mutant guard, say, to prove a test can fail). */
  provide?: Parameters<typeof inMemoryConnectionMachine.provide>[0];
  /** A mutant of the machine (test/machines/support/mutants.ts), given the same in-memory actors. */
  machine?: typeof connectionMachine;
  /** Stamp frames with the simulated read time, so the liveness watch learns the cadence (the model test does not). */
  stampFrames?: boolean;
}

export interface Harness {
  readonly actor: Actor<typeof connectionMachine>;
  readonly clock: SimulatedClock;
  readonly sockets: FakeSocket[];
  readonly checks: CheckInput[];
  /** Simulated time at which each check in `checks` started. */
  readonly checkTimes: number[];
  readonly emitted: ConnectionEmitted[];
  readonly states: LifecycleState[];
  /** Answers for the next session checks, in order; when empty, `fallback` answers (auto mode only). */
  readonly answers: CheckAnswer[];
  fallback: CheckAnswer;
  /** What an `authorize` answers in auto mode when `answers` is empty (OAuth machines). */
  authorizeFallback: CheckAnswer;
  readonly notifications: { authenticated: number; refreshes: number; lost: string[] };
  /** Sockets whose actor is alive right now (started and not torn down). */
  liveSockets(): FakeSocket[];
  current(): FakeSocket;
  state(): LifecycleState;
  /** Session checks started and neither settled nor cancelled. */
  pendingChecks(): PendingCheck[];
  /** The session value of the latest check that answered `authenticated` (what the gateway holds now). */
  latestSession(): Secret | undefined;
  /** Whether an OAuth `authorize` answered `authorized` (and was not cancelled) so far. */
  emittedAuthorizations(): boolean;
  /** Settle the one check in flight (manual mode). */
  answerCheck(answer: CheckAnswer): Promise<void>;
  /** What the SimulatedClock still has scheduled. */
  timeouts(): ScheduledTimeout[];
  /** Fire the one scheduled timeout of exactly `ms`, out of time order (the model test uses it to take one `after`). */
  fireTimeout(ms: number): Promise<void>;
  advance(ms: number): Promise<void>;
  /** Advance in steps of at most `stepMs`, so that recurring timers fire at their own pace. */
  advanceInSteps(ms: number, stepMs: number, each?: () => void): Promise<void>;
  settle(): Promise<void>;
  /** START, answer the tickle, open the socket, greet: ends in `authenticated`. */
  connect(): Promise<FakeSocket>;
}

type ClockInternals = { timeouts: Map<number, { start: number; timeout: number; fn: () => void }> };

/** What the in-memory actors of one harness write to. */
interface HarnessWiring {
  startCheck(input: CheckInput, signal: AbortSignal): Promise<SessionCheck | Authorization>;
  openSocket(input: SocketInput, sendBack: (event: SocketEvent) => void): FakeSocket;
  readonly notifications: { authenticated: number; refreshes: number; lost: string[] };
}

/**
 * The machine with in-memory actors, provided once: `provide` rebuilds the whole state-node tree, which would cost
 * more than a property-test sequence itself. Each actor finds its harness through the actor system it runs in.
 */
const wiringBySystem = new WeakMap<object, HarnessWiring>();
const wiringOf = (system: object): HarnessWiring => {
  const wiring = wiringBySystem.get(system);
  if (!wiring) throw new Error('in-memory adapters: actor system without a harness');
  return wiring;
};

export const IN_MEMORY_IMPLEMENTATIONS = {
  actors: {
    checkSession: fromPromise<SessionCheck, SessionCheckInput>(
      ({ input, signal, system }) => wiringOf(system).startCheck(input, signal) as Promise<SessionCheck>,
    ),
    authorize: fromPromise<Authorization, AuthorizeInput>(
      ({ input, signal, system }) =>
        wiringOf(system).startCheck({ ...input, purpose: 'authorize' }, signal) as Promise<Authorization>,
    ),
    socket: fromCallback<SocketCommand, SocketInput, SocketEvent>(({ input, sendBack, receive, system }) => {
      const socket = wiringOf(system).openSocket(input, sendBack);
      receive((command) => socket.receive(command));
      return () => socket.tearDown();
    }),
  },
  actions: {
    dataPlaneReady: ({ system }) => {
      wiringOf(system).notifications.authenticated++;
    },
    dataPlaneLost: ({ system }, { reason }) => {
      wiringOf(system).notifications.lost.push(reason);
    },
    refreshMarketData: ({ system }) => {
      wiringOf(system).notifications.refreshes++;
    },
  },
} satisfies Parameters<typeof connectionMachine.provide>[0];

export const inMemoryConnectionMachine = connectionMachine.provide(IN_MEMORY_IMPLEMENTATIONS);

export function createHarness(input: ConnectionInput = {}, options: HarnessOptions = {}): Harness {
  const clock = new SimulatedClock();
  const clockInternals = clock as unknown as ClockInternals;
  const sockets: FakeSocket[] = [];
  const checks: CheckInput[] = [];
  const checkTimes: number[] = [];
  const pending: PendingCheck[] = [];
  const emitted: ConnectionEmitted[] = [];
  const states: LifecycleState[] = [];
  const answers: CheckAnswer[] = [];
  const notifications = { authenticated: 0, refreshes: 0, lost: [] as string[] };
  const manual = options.manualChecks ?? false;
  let latestSession: Secret | undefined;
  let authorizedOnce = false;

  const wiring: HarnessWiring = {
    notifications,
    startCheck: (checkInput, signal) => {
      checks.push(checkInput);
      checkTimes.push(clock.now());
      return new Promise<SessionCheck | Authorization>((resolve, reject) => {
        const check: PendingCheck = {
          input: checkInput,
          startedAt: clock.now(),
          settled: false,
          cancelled: false,
          settle: (answer) => {
            check.settled = true;
            if (!check.cancelled && !(answer instanceof Error) && answer.kind === 'authenticated')
              latestSession = answer.session;
            if (!check.cancelled && !(answer instanceof Error) && answer.kind === 'authorized') authorizedOnce = true;
            if (answer instanceof Error) reject(answer);
            else resolve(answer);
          },
        };
        signal.addEventListener('abort', () => {
          check.cancelled = true;
        });
        pending.push(check);
        if (!manual)
          check.settle(
            answers.shift() ?? (checkInput.purpose === 'authorize' ? harness.authorizeFallback : harness.fallback),
          );
      });
    },
    openSocket: (socketInput, sendBack) => {
      const socket = new FakeSocket(
        socketInput.socketId,
        socketInput.session,
        sendBack,
        options.stampFrames ? () => clock.now() : undefined,
      );
      sockets.push(socket);
      return socket;
    },
  };

  const base = options.machine ? options.machine.provide(IN_MEMORY_IMPLEMENTATIONS) : inMemoryConnectionMachine;
  const machine = options.provide ? base.provide(options.provide) : base;
  const actor = createActor(machine, {
    clock,
    input: { random: () => 1, ...input },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  wiringBySystem.set(actor.system, wiring);
  actor.on('*', (event) => emitted.push(event as ConnectionEmitted));
  actor.subscribe({
    next: (snapshot) => {
      const state = lifecycleStateOf(snapshot);
      if (states.at(-1) !== state) states.push(state);
    },
    // The machine has no unhandled errors; if one happens, the test sees it in the snapshot's status.
    error: () => {},
  });
  actor.start();

  // A resolved check reaches the machine after a few promise jobs (async function, `.then`, relay): flush plenty.
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 12; i++) await Promise.resolve();
  };

  const harness: Harness = {
    actor,
    clock,
    sockets,
    checks,
    checkTimes,
    emitted,
    states,
    answers,
    fallback: options.fallback ?? authenticated(),
    authorizeFallback: authorized(),
    notifications,
    liveSockets: () => sockets.filter((socket) => !socket.torn),
    current: () => {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was opened');
      return socket;
    },
    state: () => lifecycleStateOf(actor.getSnapshot()),
    pendingChecks: () => pending.filter((check) => !check.settled && !check.cancelled),
    latestSession: () => latestSession,
    emittedAuthorizations: () => authorizedOnce,
    answerCheck: async (answer) => {
      const inFlight = harness.pendingChecks();
      if (inFlight.length !== 1)
        throw new Error(`expected exactly one session check in flight, found ${inFlight.length}`);
      inFlight[0]!.settle(answer);
      await settle();
    },
    timeouts: () =>
      [...clockInternals.timeouts].map(([id, entry]) => ({
        id,
        timeout: entry.timeout,
        dueAt: entry.start + entry.timeout,
      })),
    fireTimeout: async (ms) => {
      const matching = [...clockInternals.timeouts].filter(([, entry]) => entry.timeout === ms);
      if (matching.length !== 1)
        throw new Error(`expected exactly one scheduled timeout of ${ms} ms, found ${matching.length}`);
      const [id, entry] = matching[0]!;
      clockInternals.timeouts.delete(id);
      entry.fn();
      await settle();
    },
    advance: async (ms) => {
      clock.increment(ms);
      await settle();
    },
    advanceInSteps: async (ms, stepMs, each) => {
      for (let elapsed = 0; elapsed < ms;) {
        const step = Math.min(stepMs, ms - elapsed);
        clock.increment(step);
        elapsed += step;
        await settle();
        each?.();
        await settle();
      }
    },
    settle,
    connect: async () => {
      actor.send({ type: 'START' });
      await settle();
      if (manual && harness.pendingChecks()[0]?.input.purpose === 'authorize')
        await harness.answerCheck(answers.shift() ?? harness.authorizeFallback);
      if (manual) await harness.answerCheck(answers.shift() ?? harness.fallback);
      const socket = harness.current();
      socket.opened();
      socket.message(frames.greeting);
      await settle();
      return socket;
    },
  };
  return harness;
}
