/**
 * A day (or any span) of a live gateway, played against the real statechart under SimulatedClock, with the event
 * loop of the client modelled the way Node runs it. The gateway never dies: every condemned socket is a defect, every
 * probe a false alarm. Used by test/machines/live-socket.test.ts (a few seeds) and bench/liveness.ts (many seeds).
 *
 * What the gateway does: a heartbeat every `heartbeatMs` ± `jitter`, now and then a long gap (a beat late by 5–20 s),
 * bursts of data frames; it answers every probe (`ech+hb`) and `tic` after a round trip of 1–300 ms, long gap or not.
 *
 * What the client's process does: frames that arrive are read at once — unless the event loop is stalled (a GC pause,
 * a laptop waking: up to `maxStallMs`) or reading is paused under backpressure (after a data frame, for up to the
 * client's `maxReadingPauseMs`). A stall ends the way Node ends one: the timers that expired meanwhile run first (in
 * due order, each seeing the time at the end of the stall), then the poll phase reads every frame that arrived. A
 * pause lets timers run on time and delivers its frames when it ends. Data frames reach the machine as ACTIVITY at most
 * once a second, as the socket actor throttles them.
 */
import { DEFAULT_TIMING, maxReadingPauseMs, type ConnectionInput } from '../../../machines/index.js';
import type { ServerMessage } from '../../../src/protocol/types.js';
import { SUBSCRIPTION_DEFAULTS } from '../../../src/subscriptions/index.js';
import { createHarness, frames, type FakeSocket, type Harness, type HarnessOptions } from './in-memory-adapters.js';

export interface LiveGatewayProfile {
  readonly heartbeatMs: number;
  /** Each gap is heartbeatMs × (1 ± up to jitter), uniformly. */
  readonly jitter: number;
  /** Chance per beat of a long gap: the beat comes 5–20 s late. */
  readonly longGapChance: number;
  /** Mean time between data bursts (5–50 frames, 10–200 ms apart). */
  readonly burstEveryMs: number;
  /** Mean time between event-loop stalls, and the longest stall. */
  readonly stallEveryMs: number;
  readonly maxStallMs: number;
  /** Chance that a stall starts right after the client sends a probe (the adversarial moment: its answer lands mid-stall). */
  readonly stallAfterProbeChance: number;
  /** Chance per data frame that reading pauses (for up to the client's safe pause). */
  readonly pauseChance: number;
  /** The longest backpressure pause; default: what the client allows (maxReadingPauseMs). */
  readonly maxPauseMs?: number;
  readonly maxRttMs: number;
}

export const LIVE_GATEWAY: LiveGatewayProfile = {
  heartbeatMs: 10_000,
  jitter: 0.3,
  longGapChance: 1 / 200,
  burstEveryMs: 3 * 60_000,
  stallEveryMs: 5 * 60_000,
  maxStallMs: 3_000,
  stallAfterProbeChance: 0.2,
  pauseChance: 0.05,
  maxRttMs: 300,
};

export interface SimulationReport {
  readonly seed: number;
  readonly hours: number;
  readonly probes: number;
  readonly falseAlarms: number;
  /** Sockets given up (probe timeout) although the gateway was alive: must be 0. */
  readonly condemnations: number;
  readonly stalls: number;
  readonly pauses: number;
  readonly heartbeats: number;
}

const TIC_REPLY = { kind: 'tic', alive: true } as unknown as ServerMessage;
const ACTIVITY_THROTTLE_MS = 1_000;

type Arrival = { readonly at: number; readonly kind: 'heartbeat' | 'data' | 'echo' | 'tic'; readonly socketId: number };

/** mulberry32: a small seeded generator, so a failing seed replays exactly. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface SimulationOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly input?: ConnectionInput;
  readonly profile?: Partial<LiveGatewayProfile>;
  /** A mutant machine (tests prove the simulation can fail with one). */
  readonly machine?: HarnessOptions['machine'];
}

export async function simulateLiveGateway(options: SimulationOptions): Promise<SimulationReport> {
  const { seed, durationMs, input = {} } = options;
  const profile: LiveGatewayProfile = { ...LIVE_GATEWAY, ...options.profile };
  const random = seeded(seed);
  // Whole milliseconds: SimulatedClock compares `now - start >= timeout`, which fractions can defeat.
  const uniform = (low: number, high: number): number => Math.round(low + (high - low) * random());
  const exponential = (mean: number): number => Math.round(-mean * Math.log(1 - random()));
  const harness: Harness = createHarness(
    { random, ...input },
    { stampFrames: true, ...(options.machine === undefined ? {} : { machine: options.machine }) },
  );
  const timing = { ...DEFAULT_TIMING, ...input.timing };
  const maxPauseMs = profile.maxPauseMs ?? maxReadingPauseMs(timing, SUBSCRIPTION_DEFAULTS.maxPauseMs);
  const clock = harness.clock;
  const arrivals: Arrival[] = [];
  const answered = new Map<FakeSocket, { probes: number; tics: number }>();
  const opened = new Set<FakeSocket>();
  let nextBeatAt = 0;
  let nextBurstAt = exponential(profile.burstEveryMs);
  let nextStallAt = exponential(profile.stallEveryMs);
  let pausedUntil = 0;
  let lastActivityAt = Number.NEGATIVE_INFINITY;
  let stalls = 0;
  let pauses = 0;
  let heartbeats = 0;

  const arrive = (arrival: Arrival): void => {
    let index = arrivals.length;
    while (index > 0 && arrivals[index - 1]!.at > arrival.at) index--;
    arrivals.splice(index, 0, arrival);
  };
  const current = (): FakeSocket | undefined => harness.liveSockets().at(-1);

  /** The gateway's side: greet new sockets, answer probes and tics, schedule heartbeats and bursts up to `until`. */
  const gateway = async (until: number): Promise<void> => {
    const socket = current();
    if (socket === undefined) return;
    if (!opened.has(socket)) {
      opened.add(socket);
      socket.opened();
      socket.message(frames.greeting);
      await harness.settle();
      nextBeatAt = clock.now() + uniform(0, profile.heartbeatMs);
    }
    const seen = answered.get(socket) ?? { probes: 0, tics: 0 };
    for (; seen.probes < socket.count('SOCKET.SEND_PROBE'); seen.probes++) {
      arrive({ at: clock.now() + uniform(1, profile.maxRttMs), kind: 'echo', socketId: socket.socketId });
      if (random() < profile.stallAfterProbeChance) nextStallAt = Math.min(nextStallAt, clock.now());
    }
    for (; seen.tics < socket.count('SOCKET.SEND_TIC'); seen.tics++)
      arrive({ at: clock.now() + uniform(1, profile.maxRttMs), kind: 'tic', socketId: socket.socketId });
    answered.set(socket, seen);
    while (nextBeatAt <= until) {
      arrive({ at: nextBeatAt, kind: 'heartbeat', socketId: socket.socketId });
      const late = random() < profile.longGapChance ? uniform(5_000, 20_000) : 0;
      nextBeatAt += Math.round(profile.heartbeatMs * (1 - profile.jitter + 2 * profile.jitter * random())) + late;
    }
    while (nextBurstAt <= until) {
      let at = nextBurstAt;
      const count = Math.floor(uniform(5, 50));
      for (let frame = 0; frame < count; frame++)
        arrive({ at: (at += uniform(10, 200)), kind: 'data', socketId: socket.socketId });
      nextBurstAt += exponential(profile.burstEveryMs);
    }
  };

  /** The poll phase: read every frame that has arrived by now, unless reading is paused. */
  const read = async (): Promise<void> => {
    while (arrivals.length > 0 && arrivals[0]!.at <= clock.now() && pausedUntil <= clock.now()) {
      const arrival = arrivals.shift()!;
      const socket = current();
      if (socket === undefined || socket.socketId !== arrival.socketId) continue;
      if (arrival.kind === 'heartbeat') {
        heartbeats++;
        socket.message(frames.heartbeat);
      } else if (arrival.kind === 'echo') socket.message(frames.echo);
      else if (arrival.kind === 'tic') socket.message(TIC_REPLY);
      else {
        if (clock.now() - lastActivityAt >= ACTIVITY_THROTTLE_MS) {
          lastActivityAt = clock.now();
          socket.activity();
        }
        if (random() < profile.pauseChance) {
          pausedUntil = clock.now() + uniform(0, maxPauseMs);
          pauses++;
        }
      }
      await harness.settle();
    }
  };

  /** Moves the clock to `at`: the timers due by then run first, in order. */
  const runTimersUntil = async (at: number): Promise<void> => {
    // Also at the same time: a 0 ms timer set outside a flush (after a promise) is due now.
    clock.set(Math.max(at, clock.now()));
    await harness.settle();
  };

  await harness.connect();
  opened.add(harness.current());
  nextBeatAt = clock.now() + uniform(0, profile.heartbeatMs);
  let spins = 0;
  let lastNow = -1;
  while (clock.now() < durationMs) {
    if (clock.now() === lastNow) {
      if (++spins > 1000)
        throw new Error(
          `simulation stuck at ${clock.now()}: timers ${JSON.stringify(harness.timeouts())}, arrivals ${arrivals.length}, paused until ${pausedUntil}, state ${harness.state()}`,
        );
    } else spins = 0;
    lastNow = clock.now();
    await gateway(clock.now() + profile.heartbeatMs);
    const timerDue = Math.min(...harness.timeouts().map((timeout) => timeout.dueAt), Number.POSITIVE_INFINITY);
    const readable = arrivals.length === 0 ? Number.POSITIVE_INFINITY : Math.max(arrivals[0]!.at, pausedUntil);
    const next = Math.min(timerDue, readable, nextStallAt, clock.now() + profile.heartbeatMs, durationMs);
    if (next === nextStallAt) {
      // Nothing runs during the stall; at its end, expired timers first, then the poll phase.
      stalls++;
      await runTimersUntil(Math.max(nextStallAt, clock.now()) + uniform(0, profile.maxStallMs));
      nextStallAt = clock.now() + exponential(profile.stallEveryMs);
      await gateway(clock.now());
      await read();
      continue;
    }
    await runTimersUntil(next);
    await gateway(clock.now());
    await read();
  }
  const sockets = harness.sockets;
  const report: SimulationReport = {
    seed,
    hours: durationMs / 3_600_000,
    probes: sockets.reduce((sum, socket) => sum + socket.count('SOCKET.SEND_PROBE'), 0),
    falseAlarms: harness.emitted.filter((event) => event.type === 'false-alarm').length,
    condemnations: harness.emitted.filter((event) => event.type === 'reconnect' && event.reason === 'probe-timeout')
      .length,
    stalls,
    pauses,
    heartbeats,
  };
  harness.actor.stop();
  return report;
}
