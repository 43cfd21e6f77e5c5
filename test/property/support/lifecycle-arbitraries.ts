/**
 * fast-check arbitraries for lifecycle scenarios. Weighted so that random sequences get deep: answers that let the
 * connection proceed and the frames of a healthy handshake are common, faults less so, STOP rare (it ends a run).
 */
import fc from 'fast-check';
import type { ConnectionTiming } from '../../../machines/index.js';
import {
  STALE_EVENT_NAMES,
  type AnswerName,
  type FrameName,
  type LifecycleCommand,
  type LifecycleScenario,
} from './lifecycle-scenario.js';

const weighted = <T>(entries: ReadonlyArray<readonly [T, number]>): fc.Arbitrary<T> =>
  fc.oneof(...entries.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })));

const frame = weighted<FrameName>([
  ['greeting', 5],
  ['waiting-for-session', 4],
  ['heartbeat', 5],
  ['sts-authenticated', 2],
  ['echo', 2],
  ['sts-unauthenticated', 1],
  ['sts-competing', 1],
  ['sts-neutral', 1],
  ['error', 1],
]);

const answer = weighted<AnswerName>([
  ['authenticated-same', 10],
  ['authenticated-rotated', 2],
  ['login-logged-out', 1],
  ['login-not-authenticated', 2],
  ['login-competing', 1],
  ['unavailable', 2],
  ['rejection', 2],
  ['authorization-required', 1],
]);

/** Clock steps relative to the timing: a fraction of the shortest timeout up to past the longest. */
export function clockStep(timing: ConnectionTiming): fc.Arbitrary<number> {
  const shortest = Math.min(timing.backoffInitialMs, timing.probeTimeoutMs, timing.loginPollIntervalMs);
  const heartbeat = timing.heartbeatTimeoutMs;
  const longest = Math.max(...Object.values(timing)) * 1.2;
  return fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: shortest }), weight: 6 },
    { arbitrary: fc.integer({ min: shortest, max: heartbeat * 1.2 }), weight: 6 },
    { arbitrary: fc.integer({ min: heartbeat, max: Math.ceil(longest) }), weight: 2 },
  );
}

export function lifecycleCommand(timing: ConnectionTiming): fc.Arbitrary<LifecycleCommand> {
  return fc.oneof(
    {
      arbitrary: fc
        .constantFrom('greeting', 'session-message')
        .map((handshake) => ({ kind: 'proceed', handshake }) as const),
      weight: 25,
    },
    { arbitrary: answer.map((value) => ({ kind: 'answer', answer: value }) as const), weight: 20 },
    { arbitrary: frame.map((value) => ({ kind: 'frame', frame: value }) as const), weight: 22 },
    { arbitrary: fc.constant({ kind: 'opened' } as const), weight: 8 },
    { arbitrary: fc.constant({ kind: 'activity' } as const), weight: 3 },
    { arbitrary: fc.constantFrom(1000, 1006).map((code) => ({ kind: 'closed', code }) as const), weight: 3 },
    { arbitrary: fc.constant({ kind: 'errored' } as const), weight: 2 },
    {
      arbitrary: fc
        .record({ event: fc.constantFrom(...STALE_EVENT_NAMES), age: fc.integer({ min: 1, max: 3 }) })
        .map((stale) => ({ kind: 'stale', ...stale }) as const),
      weight: 5,
    },
    { arbitrary: clockStep(timing).map((ms) => ({ kind: 'clock', ms }) as const), weight: 20 },
    {
      arbitrary: fc.integer({ min: 1, max: 12 }).map((beats) => ({ kind: 'healthy-time', beats }) as const),
      weight: 10,
    },
    { arbitrary: fc.constant({ kind: 'token-expiring' } as const), weight: 2 },
    {
      arbitrary: weighted<'START' | 'RETRY' | 'STOP'>([
        ['START', 2],
        ['RETRY', 2],
        ['STOP', 1],
      ]).map((call) => ({ kind: 'user', call }) as const),
      weight: 3,
    },
  );
}

export interface ScenarioShape {
  readonly timing: ConnectionTiming;
  readonly maxAttempts: fc.Arbitrary<number | undefined>;
  readonly minCommands: number;
  readonly maxCommands: number;
  /** The direct OAuth path (`authorizing` reachable). Default: gateway mode. */
  readonly oauth?: boolean;
}

/** A scenario: always START first (an idle machine proves little), then `minCommands` to `maxCommands` random commands (lengths spread
 * evenly: fast-check's default size would keep most sequences short). */
export function lifecycleScenario({
  timing,
  maxAttempts,
  minCommands,
  maxCommands,
  oauth = false,
}: ScenarioShape): fc.Arbitrary<LifecycleScenario> {
  return fc.record({
    oauth: fc.constant(oauth),
    timing: fc.constant(timing),
    maxAttempts,
    autoReauthenticate: fc.boolean(),
    jitterSeed: fc.integer({ min: 0, max: 0x7fff_ffff }),
    commands: fc
      .array(lifecycleCommand(timing), { minLength: minCommands, maxLength: maxCommands, size: 'max' })
      .map((commands): LifecycleCommand[] => [{ kind: 'user', call: 'START' }, ...commands]),
  });
}
