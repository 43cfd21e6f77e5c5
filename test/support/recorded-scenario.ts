/**
 * One run of the client against the simulator with a flight recorder on, through the faults the replay must
 * reproduce: a lingering gateway, a close 1000 and a logout followed by a new login. Shared by the recorder and
 * replay tests so both speak of the same record.
 */
import { readFileSync } from 'node:fs';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import type { LifecycleState } from '../../machines/index.js';
import type { IbkrWsOptions } from '../../src/client.js';
import { createTestClient, recordStates, startSimulator } from './harness.js';

export interface RecordedScenario {
  readonly simulator: GatewaySimulator;
  readonly states: readonly LifecycleState[];
  readonly text: string;
  /** The session values the simulator handed out: none may appear in the record. */
  readonly secrets: readonly string[];
}

export async function recordFaultScenario(
  file: string,
  record: Record<string, unknown> = {},
  clientOptions: Partial<IbkrWsOptions> = {},
): Promise<RecordedScenario> {
  const simulator = await startSimulator();
  const secrets = [simulator.sessionValue];
  const client = createTestClient(simulator, { record: { file, ...record }, ...clientOptions });
  const states = recordStates(client);
  await client.start();
  const quotes = client.marketData(265598, ['31', '84', '86']);
  await quotes.acknowledged;
  // Between faults the gateway speaks for a while: heartbeats and data are part of what a record shows.
  const speak = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 500));
  await speak();

  simulator.linger();
  await states.waitForState('lingering-detected');
  await states.waitForState('reconnect');
  await states.waitForState('authenticated');
  await speak();

  simulator.closeSockets(1000);
  await states.waitForState('reconnect');
  await states.waitForState('authenticated');
  await speak();

  secrets.push(simulator.rotateSession());
  simulator.logout();
  await states.waitForState('login-required');
  await new Promise((resolve) => setTimeout(resolve, 300));
  simulator.login();
  await states.waitForState('authenticated');
  await speak();
  await client.stop();
  return { simulator, states: states.states, text: readFileSync(file, 'utf8'), secrets };
}

/** One step of a scenario: act on the simulator, then let the client settle. */
export type ScenarioStep = (simulator: GatewaySimulator) => void | Promise<void>;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the client through `steps` with a recorder on; after each step the client must settle back to authenticated. */
export async function recordSteps(
  file: string,
  steps: readonly ScenarioStep[],
  simulatorOptions: Parameters<typeof startSimulator>[0] = {},
  recordOptions: Record<string, unknown> = {},
): Promise<{ states: readonly LifecycleState[]; text: string; secrets: readonly string[] }> {
  const simulator = await startSimulator(simulatorOptions);
  const secrets = [simulator.sessionValue];
  const client = createTestClient(simulator, { record: { file, ...recordOptions } });
  const states = recordStates(client);
  await client.start();
  const quotes = client.marketData(265598, ['31']);
  await quotes.acknowledged;
  await pause(400);
  for (const step of steps) {
    await step(simulator);
    secrets.push(simulator.sessionValue);
    await settled(states);
  }
  await client.stop();
  return { states: states.states, text: readFileSync(file, 'utf8'), secrets };
}

/** Authenticated, with no transition for 600 ms (a fault that changes nothing settles at once). */
async function settled(states: { readonly changes: readonly { state: LifecycleState; at: number }[] }): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const last = states.changes.at(-1);
    if (last !== undefined && last.state === 'authenticated' && Date.now() - last.at >= 600) return;
    if (Date.now() > deadline)
      throw new Error(`the client did not settle: ${states.changes.map((change) => change.state).join(' → ')}`);
    await pause(20);
  }
}

export { pause };
