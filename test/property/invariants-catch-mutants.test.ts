/**
 * The property tests are only as good as their invariants: each mutant here breaks one rule of the machine (through
 * `provide`, the machine file untouched), and the same generators and invariants must catch it. A fixed seed keeps
 * this deterministic; each check stops at the first counterexample.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { sendTo } from 'xstate';
import { DEFAULT_TIMING } from '../../machines/index.js';
import { isWaitingForSession } from '../../machines/message-guards.js';
import type { HarnessOptions } from '../machines/support/in-memory-adapters.js';
import { lifecycleScenario } from './support/lifecycle-arbitraries.js';
import { runScenario } from './support/lifecycle-scenario.js';

type Mutant = NonNullable<HarnessOptions['provide']>;

const scenarios = lifecycleScenario({
  timing: DEFAULT_TIMING,
  maxAttempts: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  minCommands: 10,
  maxCommands: 40,
});
/** The same on the direct OAuth path, where `authorizing` and the refused-token floor live. */
const oauthScenarios = lifecycleScenario({
  timing: DEFAULT_TIMING,
  maxAttempts: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  minCommands: 10,
  maxCommands: 40,
  oauth: true,
});
const CHECK = { seed: 20_260_227, numRuns: 3_000 } as const;

async function caught(mutant: Mutant, generator = scenarios): Promise<string | undefined> {
  const result = await fc.check(
    fc.asyncProperty(generator, async (scenario) => void (await runScenario(scenario, { provide: mutant }))),
    CHECK,
  );
  return result.failed ? String((result.errorInstance as Error).message).split('\n')[0] : undefined;
}

describe('the lifecycle invariants catch a broken machine', () => {
  test.each<[string, Mutant, RegExp]>([
    [
      'a session message sent on a heartbeat, unasked',
      {
        guards: {
          isWaitingForSession: ({ event }) =>
            event.type === 'SOCKET.MESSAGE' &&
            (isWaitingForSession(event.message) || event.message.kind === 'heartbeat'),
        },
      },
      /session messages, asked 0 times/,
    ],
    [
      'a keep-alive that sends the session message instead of tic',
      { actions: { sendTic: sendTo('socket', { type: 'SOCKET.SEND_SESSION' }) } },
      /session messages/,
    ],
    [
      'a probe sent before the socket is ready',
      { actions: { dataPlaneReady: sendTo('socket', { type: 'SOCKET.SEND_PROBE' }) } },
      /before it was ready/,
    ],
    [
      'a backoff timer that is not the announced delay',
      { delays: { backoff: () => 123_456 } },
      /reconnect without its/,
    ],
    ['attempts never exhausted', { guards: { attemptsExhausted: () => false } }, /past maxAttempts/],
    ['a rotated session ignored by the keep-alive', { guards: { sessionRotated: () => false } }, /rotated-out session/],
  ])(
    '%s',
    async (_, mutant, message) => {
      expect(await caught(mutant)).toMatch(message);
    },
    60_000,
  );

  test.each<[string, Mutant, RegExp]>([
    ['a gateway-mode machine that authorizes', { guards: { isOAuth: () => true } }, /gateway-mode run authorized/],
  ])(
    '%s',
    async (_, mutant, message) => {
      expect(await caught(mutant)).toMatch(message);
    },
    60_000,
  );

  test.each<[string, Mutant, RegExp]>([
    [
      'an OAuth machine that skips the token at start',
      { guards: { isOAuth: () => false } },
      /socket opened before any live session token/,
    ],
  ])(
    'on the OAuth path: %s',
    async (_, mutant, message) => {
      expect(await caught(mutant, oauthScenarios)).toMatch(message);
    },
    60_000,
  );

  test('events of stale sockets accepted as current: the with/without-stale differential differs', async () => {
    const mutant: Mutant = { guards: { fromCurrentSocket: () => true } };
    const result = await fc.check(
      fc.asyncProperty(scenarios, async (scenario) => {
        const noisy = await runScenario(scenario, { provide: mutant });
        const clean = await runScenario(
          { ...scenario, commands: scenario.commands.filter((command) => command.kind !== 'stale') },
          { provide: mutant },
        );
        return noisy.trace === clean.trace;
      }),
      CHECK,
    );
    expect(result.failed).toBe(true);
  }, 60_000);
});
