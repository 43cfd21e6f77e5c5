/**
 * Shared integration harness: a simulator on an ephemeral loopback port with fast timings, and a client pinned to its
 * certificate with timings short enough for tests yet generous enough to stay deterministic on 2 loaded cores.
 */
import { startGatewaySimulator, type GatewaySimulator } from '../../src/simulator/index.js';
import type { GatewaySimulatorOptions } from '../../src/simulator/index.js';
import { createIbkrWs, type IbkrWs, type IbkrWsOptions, type StateChange } from '../../src/client.js';
import type { LifecycleState } from '../../machines/index.js';

/** Fast but not racy: the heartbeat timeout is 4 simulator heartbeats, the probe 2. */
export const FAST_TIMING = {
  heartbeatTimeoutMs: 800,
  probeTimeoutMs: 400,
  openTimeoutMs: 2_000,
  readyTimeoutMs: 2_000,
  ticIntervalMs: 1_000,
  tickleIntervalMs: 500,
  backoffInitialMs: 50,
  backoffMaxMs: 200,
  loginPollIntervalMs: 100,
} as const;

/** What startSimulator() and createTestClient() made since the last stopWhatWasStarted(). */
const startedSimulators: GatewaySimulator[] = [];
const startedClients: IbkrWs[] = [];

export async function startSimulator(options: Partial<GatewaySimulatorOptions> = {}): Promise<GatewaySimulator> {
  const simulator = await startGatewaySimulator({
    port: 0,
    heartbeatIntervalMs: 200,
    greetingDelayMs: 20,
    marketDataIntervalMs: 50,
    ...options,
  });
  startedSimulators.push(simulator);
  return simulator;
}

/**
 * Stops every client and then closes every simulator the harness made (both are idempotent): `afterEach(stopWhatWasStarted)`
 * in place of a per-file afterEach over the test's own variables.
 */
export async function stopWhatWasStarted(): Promise<void> {
  for (const client of startedClients.splice(0).reverse()) await client.stop();
  for (const simulator of startedSimulators.splice(0).reverse()) await simulator.close();
}

export interface Recorder {
  readonly states: LifecycleState[];
  readonly changes: StateChange[];
  waitForState(state: LifecycleState, timeoutMs?: number): Promise<StateChange>;
}

export function recordStates(client: IbkrWs): Recorder {
  const changes: StateChange[] = [];
  const waiters = new Set<{ state: LifecycleState; resolve: (change: StateChange) => void }>();
  client.on('state', (change) => {
    changes.push(change);
    for (const waiter of [...waiters]) {
      if (waiter.state === change.state) {
        waiters.delete(waiter);
        waiter.resolve(change);
      }
    }
  });
  return {
    get states() {
      return changes.map((change) => change.state);
    },
    changes,
    waitForState(state, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const waiter = {
          state,
          resolve: (change: StateChange) => {
            clearTimeout(timer);
            resolve(change);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `state ${state} not reached within ${timeoutMs} ms; states so far: ${changes.map((c) => c.state).join(' → ')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}

export function createTestClient(simulator: GatewaySimulator, options: Partial<IbkrWsOptions> = {}): IbkrWs {
  const client = createIbkrWs({
    gateway: simulator.url,
    tls: { ca: simulator.ca },
    timing: FAST_TIMING,
    random: () => 1,
    ...options,
  });
  startedClients.push(client);
  return client;
}

/** Resolves once `predicate` holds, polling every 10 ms; rejects with `what` after `timeoutMs`. */
export async function eventually(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
