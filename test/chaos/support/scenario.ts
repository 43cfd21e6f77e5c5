/**
 * The client side of a fault scenario: a client with short timings pointed at the proxy, the subscriptions every fault
 * must preserve, and the one definition of "recovered" every chaos test ends with: authenticated, every subscription
 * active, and data flowing again (new data messages counted after the fault was lifted).
 */
import { createIbkrWs, type IbkrWs, type IbkrWsOptions } from '../../../src/client.js';
import type { IbkrWsError } from '../../../src/errors.js';
import type { SubscriptionHandle } from '../../../src/subscriptions/index.js';
import type { GatewaySimulatorOptions } from '../../../src/simulator/index.js';
import { recordStates, type Recorder } from '../../support/harness.js';

/** The upstream simulator's pace in chaos runs: a heartbeat well inside the client's heartbeat timeout, data every 50 ms. */
export const CHAOS_UPSTREAM: GatewaySimulatorOptions = {
  heartbeatIntervalMs: 250,
  greetingDelayMs: 20,
  marketDataIntervalMs: 50,
  pnlIntervalMs: 200,
  // No steady order traffic: `sor` stays quiet unless a test pushes orders (the idle-timeout fault relies on it).
  ordersIntervalMs: 0,
};

/**
 * Client timings for chaos runs (FAST_TIMING's style, a little more generous because every frame crosses nginx and a
 * second process): silence is suspected after 4 upstream heartbeats, the probe gets 2 more.
 */
export const CHAOS_TIMING = {
  heartbeatTimeoutMs: 1_000,
  probeTimeoutMs: 500,
  openTimeoutMs: 2_000,
  readyTimeoutMs: 2_000,
  ticIntervalMs: 1_000,
  tickleIntervalMs: 1_000,
  backoffInitialMs: 50,
  backoffMaxMs: 400,
  loginPollIntervalMs: 200,
} as const;

/** A REST request to a stopped or blackholed gateway gives up after this long (the default 10 s would slow every test). */
export const CHAOS_REQUEST_TIMEOUT_MS = 1_000;

export interface ChaosClient {
  readonly client: IbkrWs;
  readonly recorder: Recorder;
  readonly handles: SubscriptionHandle<unknown>[];
  readonly errors: IbkrWsError[];
}

export type SubscriptionSet = 'market-orders-pnl' | 'orders-only';

/** Creates and starts a client through `gateway`, opens the subscriptions, waits until all are active and data flows. */
export async function connectClient(
  gateway: string,
  ca: string,
  options: { subscriptions?: SubscriptionSet; client?: Partial<IbkrWsOptions> } = {},
): Promise<ChaosClient> {
  const client = createIbkrWs({
    gateway,
    tls: { ca },
    timing: CHAOS_TIMING,
    requestTimeoutMs: CHAOS_REQUEST_TIMEOUT_MS,
    random: () => 1,
    ...options.client,
  });
  const recorder = recordStates(client);
  const errors: IbkrWsError[] = [];
  client.on('error', (error) => errors.push(error));
  await client.start();
  const handles: SubscriptionHandle<unknown>[] =
    (options.subscriptions ?? 'market-orders-pnl') === 'orders-only'
      ? [client.orders()]
      : [client.marketData(265598, ['31', '84', '86']), client.orders(), client.pnl()];
  // Consume everything: a handle nobody reads would fill its buffer and count drops, which is not what we measure.
  for (const handle of handles) handle.on('data', () => {});
  await Promise.all(handles.map((handle) => handle.acknowledged));
  return { client, recorder, handles, errors };
}

export function allActive(handles: readonly SubscriptionHandle<unknown>[]): boolean {
  return handles.every((handle) => handle.status === 'active');
}

export function describeClient(chaos: ChaosClient): string {
  const metrics = chaos.client.metrics();
  return JSON.stringify({
    state: chaos.client.state,
    statuses: chaos.handles.map((handle) => `${handle.key}:${handle.status}`),
    subscriptions: chaos.client.subscriptions().map((row) => `${row.key}:${row.status}`),
    dataMessages: metrics.dataMessages,
    reconnects: metrics.reconnects,
    errors: chaos.errors.slice(-5).map((error) => `${error.code}: ${error.message}`),
    states: chaos.recorder.changes
      .slice(-12)
      .map((change) => `${change.state}${change.reason ? `(${change.reason})` : ''}`),
  });
}

/**
 * Resolves the epoch ms at which the client was first seen recovered: authenticated, every handle active, and more data
 * messages than `dataBaseline`. Polls every 10 ms (the precision of the recovery figures).
 */
export async function waitRecovered(
  chaos: ChaosClient,
  dataBaseline: number,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { client, handles } = chaos;
    if (client.state === 'authenticated' && allActive(handles) && client.metrics().dataMessages > dataBaseline)
      return Date.now();
    if (Date.now() > deadline)
      throw new Error(`${what}: not recovered within ${timeoutMs} ms: ${describeClient(chaos)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves once `predicate` holds (polled every 10 ms); the error says what the client looked like. */
export async function waitUntil(
  chaos: ChaosClient,
  predicate: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${describeClient(chaos)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now();
}

/** The reasons recorded on entering `reconnect` since index `from` of the recorder's changes. */
export function reconnectReasons(recorder: Recorder, from = 0): string[] {
  return recorder.changes
    .slice(from)
    .filter((change) => change.state === 'reconnect')
    .map((change) => change.reason ?? 'unknown');
}

/**
 * "Silence with TCP open" faults (a stopped upstream behind the proxy, a blackholed path): the client must notice the
 * silence, probe, replace the socket, keep failing while the fault lasts, and recover once it is lifted.
 */
export interface SilenceFaultResult {
  /** Fault injected → `lingering-detected`. */
  readonly detectionMs: number;
  /** Fault injected → the socket condemned (`reconnect` after the probe timed out). */
  readonly replacedMs: number;
  /** Reconnect attempts that failed while the fault lasted. */
  readonly failedAttempts: number;
  /** How long the fault lasted. */
  readonly faultMs: number;
  /** Fault lifted → recovered (authenticated, all subscriptions active, new data). */
  readonly recoveryMs: number;
  /** Fault injected → recovered. */
  readonly outageMs: number;
  readonly lingeringDetections: number;
  readonly reasonLeavingLingering: string | undefined;
  readonly reconnectReasons: string[];
  readonly authenticatedDuringFault: boolean;
  readonly finalState: string;
  readonly statuses: string[];
  readonly dataMessagesAfter: number;
  readonly dataBaseline: number;
}

export async function runSilenceFault(
  chaos: ChaosClient,
  fault: { inject(): Promise<void> | void; lift(): Promise<void> | void; attempts?: number },
): Promise<SilenceFaultResult> {
  const { client, recorder } = chaos;
  const firstChange = recorder.changes.length;
  const reconnectsBefore = client.metrics().reconnects;
  const lingeringSoon = recorder.waitForState('lingering-detected', 10_000);
  const injectedAt = Date.now();
  await fault.inject();
  const lingering = await lingeringSoon;
  const condemned = await recorder.waitForState('reconnect', 10_000);
  // New attempts must fail while the fault lasts: the gateway cannot answer.
  const attempts = fault.attempts ?? 2;
  await waitUntil(
    chaos,
    () => client.metrics().reconnects >= reconnectsBefore + 1 + attempts,
    `${attempts} failed attempts during the fault`,
    15_000,
  );
  const authenticatedDuringFault = recorder.changes
    .slice(firstChange)
    .some((change) => change.state === 'authenticated');
  const failedAttempts = client.metrics().reconnects - reconnectsBefore - 1;
  const dataBaseline = client.metrics().dataMessages;
  const liftedAt = Date.now();
  await fault.lift();
  const recoveredAt = await waitRecovered(chaos, dataBaseline, 15_000, 'after the fault was lifted');
  const metrics = client.metrics();
  return {
    detectionMs: lingering.at - injectedAt,
    replacedMs: condemned.at - injectedAt,
    failedAttempts,
    faultMs: liftedAt - injectedAt,
    recoveryMs: recoveredAt - liftedAt,
    outageMs: recoveredAt - injectedAt,
    lingeringDetections: metrics.lingeringDetections,
    reasonLeavingLingering: condemned.reason,
    reconnectReasons: reconnectReasons(recorder, firstChange),
    authenticatedDuringFault,
    finalState: client.state,
    statuses: chaos.handles.map((handle) => handle.status),
    dataMessagesAfter: metrics.dataMessages,
    dataBaseline,
  };
}
