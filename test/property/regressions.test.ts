/**
 * Fixed lifecycle scenarios, replayed with the same invariants as the property tests. A counterexample fast-check
 * finds goes here as it was printed (its commands, seed and options), named for what it broke. None has been found
 * against the current machine; the scenarios below are hand-picked for the corners where lifecycle bugs usually live.
 */
import { describe, expect, test } from 'vitest';
import { runScenario, type LifecycleCommand, type LifecycleScenario } from './support/lifecycle-scenario.js';

const START: LifecycleCommand = { kind: 'user', call: 'START' };
const STOP: LifecycleCommand = { kind: 'user', call: 'STOP' };
const RETRY: LifecycleCommand = { kind: 'user', call: 'RETRY' };
const answer = (value: Extract<LifecycleCommand, { kind: 'answer' }>['answer']): LifecycleCommand => ({
  kind: 'answer',
  answer: value,
});
const frame = (value: Extract<LifecycleCommand, { kind: 'frame' }>['frame']): LifecycleCommand => ({
  kind: 'frame',
  frame: value,
});
const stale = (event: Extract<LifecycleCommand, { kind: 'stale' }>['event'], age = 1): LifecycleCommand => ({
  kind: 'stale',
  event,
  age,
});
const clock = (ms: number): LifecycleCommand => ({ kind: 'clock', ms });
const OPENED: LifecycleCommand = { kind: 'opened' };
/** START → tickle answered → socket opened → greeting: authenticated on the cookie path. */
const CONNECT: LifecycleCommand[] = [START, answer('authenticated-same'), OPENED, frame('greeting')];

interface Regression {
  readonly name: string;
  readonly scenario: LifecycleScenario;
  /** The lifecycle states the run must pass through, in order (others may come between). */
  readonly passesThrough: readonly string[];
  readonly sockets?: number;
}

const REGRESSIONS: readonly Regression[] = [
  {
    name: 'a stale socket closing during lingering neither condemns nor rescues the current socket',
    scenario: {
      jitterSeed: 1,
      // Silence past the threshold (11.5 s), stale frames, then the probe timeout (3 s) and the 1 ms read of the socket.
      commands: [
        ...CONNECT,
        { kind: 'closed', code: 1006 },
        clock(30_000),
        answer('authenticated-same'),
        OPENED,
        frame('greeting'),
        clock(25_000),
        stale('closed'),
        stale('echo'),
        stale('activity'),
        clock(3_000),
        clock(1),
      ],
    },
    passesThrough: ['authenticated', 'reconnect', 'authenticated', 'lingering-detected', 'reconnect'],
    sockets: 2,
  },
  {
    name: 'a rotated session on the keep-alive tickle replaces the socket, and stale frames of the old one change nothing',
    scenario: {
      jitterSeed: 2,
      // Seven beats of 9.2 s reach the keep-alive tickle at 60 s.
      commands: [
        ...CONNECT,
        { kind: 'healthy-time', beats: 7 },
        answer('authenticated-rotated'),
        stale('greeting'),
        stale('waiting-for-session'),
        clock(1_000),
        answer('authenticated-same'),
        OPENED,
        frame('waiting-for-session'),
        frame('greeting'),
      ],
    },
    passesThrough: [
      'authenticated',
      'reconnect',
      'checking-session',
      'open',
      'awaiting-session',
      'sending-session',
      'authenticated',
    ],
    sockets: 2,
  },
  {
    name: '"waiting for session" twice is answered once; an error frame then drops the socket',
    scenario: {
      jitterSeed: 3,
      commands: [
        START,
        answer('authenticated-same'),
        OPENED,
        frame('waiting-for-session'),
        frame('waiting-for-session'),
        frame('heartbeat'),
        frame('error'),
        clock(400),
        answer('authenticated-same'),
        OPENED,
        frame('greeting'),
      ],
    },
    passesThrough: ['sending-session', 'reconnect', 'checking-session', 'open', 'awaiting-session', 'authenticated'],
  },
  {
    name: 'a keep-alive tickle in flight when the socket goes silent is cancelled, and its late answer is never taken',
    scenario: {
      jitterSeed: 4,
      commands: [
        ...CONNECT,
        { kind: 'healthy-time', beats: 6 },
        clock(25_000),
        answer('login-logged-out'),
        frame('echo'),
        clock(60_000),
      ],
    },
    passesThrough: ['authenticated', 'lingering-detected', 'authenticated', 'lingering-detected'],
  },
  {
    // With maxAttempts 1, the close after a stable period may reconnect once more only because the counter was reset.
    name: 'a stable connection forgets its attempts; the next failures end in failed, and RETRY starts over',
    scenario: {
      jitterSeed: 5,
      maxAttempts: 1,
      timing: { heartbeatTimeoutMs: 2_500, stableAfterMs: 6_000, backoffInitialMs: 25, backoffMaxMs: 400 },
      commands: [
        START,
        answer('unavailable'),
        clock(25),
        answer('authenticated-same'),
        OPENED,
        frame('greeting'),
        { kind: 'healthy-time', beats: 7 },
        { kind: 'closed', code: 1000 },
        clock(25),
        answer('unavailable'),
        RETRY,
        answer('authenticated-same'),
      ],
    },
    passesThrough: [
      'reconnect',
      'checking-session',
      'authenticated',
      'reconnect',
      'checking-session',
      'failed',
      'checking-session',
      'open',
    ],
  },
  {
    name: 'one clock step beyond every timeout while authenticated ends in lingering, not in a skipped probe',
    scenario: { jitterSeed: 6, commands: [...CONNECT, clock(24 * 60 * 60 * 1000)] },
    passesThrough: ['authenticated', 'lingering-detected'],
  },
  {
    name: 'login required, a competing session, then a login: polling never reauthenticates over the competitor',
    scenario: {
      jitterSeed: 7,
      commands: [
        START,
        answer('login-competing'),
        clock(5_000),
        answer('login-not-authenticated'),
        clock(5_000),
        answer('unavailable'),
        clock(5_000),
        answer('authenticated-same'),
        OPENED,
        frame('sts-authenticated'),
      ],
    },
    passesThrough: ['login-required', 'open', 'awaiting-session', 'authenticated'],
  },
  {
    name: 'STOP while lingering with a stale socket in flight leaves nothing running',
    scenario: {
      jitterSeed: 8,
      commands: [
        ...CONNECT,
        frame('sts-unauthenticated'),
        answer('authenticated-same'),
        OPENED,
        frame('greeting'),
        clock(25_000),
        stale('closed'),
        STOP,
      ],
    },
    passesThrough: ['authenticated', 'checking-session', 'authenticated', 'lingering-detected', 'stopped'],
  },
  {
    name: 'a session check that throws while the socket is healthy does not condemn it',
    scenario: {
      jitterSeed: 9,
      commands: [
        ...CONNECT,
        { kind: 'healthy-time', beats: 7 },
        answer('rejection'),
        { kind: 'healthy-time', beats: 7 },
        answer('unavailable'),
        { kind: 'healthy-time', beats: 2 },
      ],
    },
    passesThrough: ['authenticated', 'stopped'],
    sockets: 1,
  },
];

/** `expected` appears in `states` in order, possibly with other states between. */
function inOrder(states: readonly string[], expected: readonly string[]): boolean {
  let index = 0;
  for (const state of states) if (state === expected[index]) index++;
  return index === expected.length;
}

describe('lifecycle regressions', () => {
  test.each(REGRESSIONS)('$name', async ({ scenario, passesThrough, sockets }) => {
    const report = await runScenario(scenario);
    expect(inOrder(report.states, passesThrough), `states: ${report.states.join(' → ')}`).toBe(true);
    expect(report.states.at(-1)).toBe('stopped');
    if (sockets !== undefined) expect(report.sockets).toBe(sockets);
  });
});
