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

export async function recordFaultScenario(file: string, record: Record<string, unknown> = {}, clientOptions: Partial<IbkrWsOptions> = {}): Promise<RecordedScenario> {
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
