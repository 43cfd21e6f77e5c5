/**
 * Property-based lifecycle tests: random sequences of server frames, stale-socket events, socket faults, session-check
 * answers, clock steps and user calls, against the real connection machine with in-memory adapters under a
 * SimulatedClock. The invariants (lifecycle-scenario.ts) are checked after every step: at most one socket, nothing but
 * the asked-for session message before ready, backoff within bounds, never stuck, STOP leaves nothing running.
 *
 * fast-check prints the seed, path and shrunk counterexample of a failure: replay it with
 * `FC_SEED=<seed> FC_PATH=<path> npx vitest run test/property`, then keep its commands in regressions.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DEFAULT_TIMING, type ConnectionTiming } from '../../machines/index.js';
import { lifecycleScenario } from './support/lifecycle-arbitraries.js';
import { runScenario, type LifecycleScenario, type ScenarioReport } from './support/lifecycle-scenario.js';

/** The defaults scaled down ×10, keeping their ratios, with a backoff that reaches its cap in a few attempts. */
const SHORT_TIMING: ConnectionTiming = {
  heartbeatTimeoutMs: 2_500,
  probeTimeoutMs: 500,
  openTimeoutMs: 1_000,
  readyTimeoutMs: 1_000,
  ticIntervalMs: 5_500,
  tickleIntervalMs: 6_000,
  backoffInitialMs: 25,
  backoffMaxMs: 400,
  loginPollIntervalMs: 500,
  // The fast phase of the login poll, scaled down too: the sequences poll fast, then slow.
  loginPollFastMs: 100,
  loginPollFastForMs: 1_000,
  marketDataRefreshMs: 54_000,
  stableAfterMs: 6_000,
  authorizationRetryMs: 500,
};

/** How many runs reached each state and exercised the keep-alives: printed, so a weak generator shows. */
class Tally {
  runs = 0;
  keepAliveRuns = 0;
  readonly byState = new Map<string, number>();
  add(report: ScenarioReport): void {
    this.runs++;
    if (report.keepAlives > 0) this.keepAliveRuns++;
    for (const state of new Set(report.states)) this.byState.set(state, (this.byState.get(state) ?? 0) + 1);
  }
  visited(): string[] {
    return [...this.byState.keys()];
  }
  print(title: string): void {
    const share = (count: number) => `${Math.round((count / this.runs) * 100)}%`;
    const states = [...this.byState].sort(([, a], [, b]) => b - a).map(([state, count]) => `${state} ${share(count)}`);
    console.log(
      `${title}: ${this.runs} sequences; runs reaching each state: ${states.join(', ')}; with a keep-alive tic or tickle: ${share(this.keepAliveRuns)}`,
    );
  }
}

const RUNS = { defaults: 5_000, shortFinite: 4_000, staleDifferential: 1_000, oauth: 2_000 } as const;
const TIMEOUT_MS = 120_000;
/** Replays one printed failure instead of a fresh random batch. */
const REPLAY = process.env['FC_SEED']
  ? { seed: Number(process.env['FC_SEED']), path: process.env['FC_PATH'], endOnFailure: true }
  : {};

describe('lifecycle invariants under random sequences', () => {
  test(
    `hold with the default timing and a machine that never gives up (${RUNS.defaults} sequences)`,
    async () => {
      const tally = new Tally();
      await fc.assert(
        fc.asyncProperty(
          lifecycleScenario({
            timing: DEFAULT_TIMING,
            maxAttempts: fc.constant(undefined),
            minCommands: 10,
            maxCommands: 40,
          }),
          async (scenario) => {
            tally.add(await runScenario(scenario));
          },
        ),
        { numRuns: RUNS.defaults, ...REPLAY },
      );
      tally.print('default timing');
      // The generator must actually reach the deep states, or the invariants are checked on shallow runs only.
      expect(tally.visited().sort()).toEqual(
        [
          'authenticated',
          'awaiting-session',
          'checking-session',
          'idle',
          'lingering-detected',
          'login-required',
          'open',
          'reconnect',
          'sending-session',
          'stopped',
        ].sort(),
      );
    },
    TIMEOUT_MS,
  );

  test(
    `hold with short timings and a finite maxAttempts, through failed and RETRY (${RUNS.shortFinite} sequences)`,
    async () => {
      const tally = new Tally();
      await fc.assert(
        fc.asyncProperty(
          lifecycleScenario({
            timing: SHORT_TIMING,
            maxAttempts: fc.integer({ min: 0, max: 3 }),
            minCommands: 10,
            maxCommands: 40,
          }),
          async (scenario) => {
            tally.add(await runScenario(scenario));
          },
        ),
        { numRuns: RUNS.shortFinite, ...REPLAY },
      );
      tally.print('short timing, finite maxAttempts');
      expect(tally.visited()).toContain('failed');
      expect(tally.visited()).toContain('lingering-detected');
      expect(tally.keepAliveRuns).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  test(
    `hold on the direct OAuth path too, through refused tokens, renewals and failed (${RUNS.oauth} sequences)`,
    async () => {
      const tally = new Tally();
      await fc.assert(
        fc.asyncProperty(
          lifecycleScenario({
            timing: SHORT_TIMING,
            maxAttempts: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
            minCommands: 10,
            maxCommands: 40,
            oauth: true,
          }),
          async (scenario) => {
            tally.add(await runScenario(scenario));
          },
        ),
        { numRuns: RUNS.oauth, ...REPLAY },
      );
      tally.print('OAuth path');
      expect(tally.visited()).toContain('authorizing');
      expect(tally.visited()).toContain('authenticated');
      expect(tally.visited()).toContain('failed');
    },
    TIMEOUT_MS,
  );

  test(
    `events of stale sockets change nothing observable: a run with them equals the run without them (${RUNS.staleDifferential} pairs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          lifecycleScenario({
            timing: SHORT_TIMING,
            maxAttempts: fc.constant(undefined),
            minCommands: 10,
            maxCommands: 40,
          }),
          async (scenario) => {
            const withoutStale: LifecycleScenario = {
              ...scenario,
              commands: scenario.commands.filter((command) => command.kind !== 'stale'),
            };
            const [noisy, clean] = [await runScenario(scenario), await runScenario(withoutStale)];
            expect(noisy.trace).toBe(clean.trace);
          },
        ),
        { numRuns: RUNS.staleDifferential, ...REPLAY },
      );
    },
    TIMEOUT_MS,
  );
});
