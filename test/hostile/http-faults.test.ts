/**
 * Hostile HTTP from the gateway: 401, 429 and 5xx tickles (the simulator's failNextTickles), and through a misbehaving
 * HTTPS front: non-JSON bodies, broken JSON, answers slower than requestTimeoutMs, bodies larger than maxResponseBytes,
 * bodies that never end. The client never crashes, reports what it can as typed errors (codes from src/errors.ts),
 * retries with its exponential backoff, and recovers as soon as the gateway behaves.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backoffCapMs } from '../../machines/connection.defaults.js';
import { createIbkrWs, type IbkrWs } from '../../src/client.js';
import { ERROR_CODES, type IbkrWsError } from '../../src/errors.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import {
  FAST_TIMING,
  createTestClient,
  eventually,
  recordStates,
  startSimulator,
  type Recorder,
} from '../support/harness.js';
import { Capture } from '../security/support/capture.js';
import { FaultFront, type TickleFault } from './support/fault-front.js';
import { FiguresFile } from '../chaos/support/figures.js';

const REQUEST_TIMEOUT_MS = 300;
const MAX_RESPONSE_BYTES = 64 * 1024;

interface Running {
  readonly simulator: GatewaySimulator;
  readonly client: IbkrWs;
  readonly recorder: Recorder;
  readonly errors: IbkrWsError[];
  readonly reconnects: Array<{ attempt: number; delayMs: number; reason: string }>;
  readonly capture: Capture;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const figures = new FiguresFile('http-fault-figures');
afterAll(() => figures.write());

async function prepare(options: { front?: boolean } = {}): Promise<Running & { front: FaultFront | undefined }> {
  const simulator = await startSimulator();
  cleanups.push(() => simulator.close());
  let front: FaultFront | undefined;
  if (options.front) {
    front = await FaultFront.start(simulator);
    cleanups.push(() => (front as FaultFront).close());
  }
  const capture = new Capture();
  const common = { requestTimeoutMs: REQUEST_TIMEOUT_MS, maxResponseBytes: MAX_RESPONSE_BYTES, logger: capture.logger };
  const client =
    front === undefined
      ? createTestClient(simulator, common)
      : createIbkrWs({
          gateway: front.url,
          tls: { ca: front.certificate.cert },
          timing: FAST_TIMING,
          random: () => 1,
          ...common,
        });
  cleanups.push(() => client.stop());
  capture.attach(client);
  const recorder = recordStates(client);
  const errors: IbkrWsError[] = [];
  client.on('error', (error) => errors.push(error));
  const reconnects: Array<{ attempt: number; delayMs: number; reason: string }> = [];
  client.on('reconnect', ({ attempt, delayMs, reason }) => reconnects.push({ attempt, delayMs, reason }));
  return { simulator, client, recorder, errors, reconnects, capture, front };
}

/** Authenticated with market data flowing: the gateway works again and so does everything on top of it. */
async function expectRecovered(running: Running): Promise<void> {
  const { client } = running;
  await eventually(() => client.state === 'authenticated', `authenticated (state ${client.state})`, 10_000);
  const quotes = client.marketData(265598, ['31', '84', '86']);
  await quotes.acknowledged;
  const before = client.metrics().dataMessages;
  await eventually(() => client.metrics().dataMessages > before, 'market data flowing');
  expect(client.fatalError).toBeUndefined();
  expect(running.recorder.states).not.toContain('failed');
  for (const error of running.errors) expect(ERROR_CODES).toContain(error.code);
}

/** Full jitter with random = 1 picks the cap: attempt n waits min(max, initial × 2^(n−1)). */
function expectBackoff(reconnects: ReadonlyArray<{ attempt: number; delayMs: number }>): void {
  reconnects.forEach((reconnect, index) => {
    expect(reconnect.attempt).toBe(index + 1);
    expect(reconnect.delayMs).toBe(backoffCapMs(FAST_TIMING, reconnect.attempt));
  });
}

describe('tickles answered with an HTTP error status (simulator failNextTickles)', () => {
  it('401 while authenticated: the client re-checks, waits in login-required while it persists, and recovers', async () => {
    const running = await prepare();
    await running.client.start();
    const loginRequired: string[] = [];
    running.client.on('login-required', ({ reason }) => loginRequired.push(reason));
    const injectedAt = Date.now();
    running.simulator.failNextTickles(3, 401);
    await running.recorder.waitForState('checking-session');
    await running.recorder.waitForState('login-required');
    const back = await running.recorder.waitForState('authenticated');
    figures.record('tickle-401-x3-while-authenticated', {
      injectedToAuthenticatedMs: back.at - injectedAt,
      path: running.recorder.states.slice(-4),
    });
    expect(loginRequired).toContain('logged-out');
    expect(running.simulator.counters.failedTickles).toBe(3);
    await expectRecovered(running);
  });

  it('429 at connect: each rate-limited attempt backs off exponentially, then the client connects', async () => {
    const running = await prepare();
    running.simulator.failNextTickles(4, 429);
    const startedAt = Date.now();
    await running.client.start();
    figures.record('tickle-429-x4-at-connect', {
      startToAuthenticatedMs: Date.now() - startedAt,
      delaysMs: running.reconnects.map((reconnect) => reconnect.delayMs),
    });
    expect(running.reconnects.map((reconnect) => reconnect.reason)).toEqual(Array(4).fill('gateway-rate-limited'));
    expect(running.client.metrics().errorsByCode['rate-limited']).toBe(4);
    expectBackoff(running.reconnects);
    expect(running.simulator.counters.connections, 'no socket before the tickle succeeds').toBe(1);
    await expectRecovered(running);
  });

  it.each([500, 502, 503])(
    '%i at connect: retried with backoff as "gateway-server-error", then connected',
    async (status) => {
      const running = await prepare();
      running.simulator.failNextTickles(3, status);
      const startedAt = Date.now();
      await running.client.start();
      figures.record(`tickle-${status}-x3-at-connect`, {
        startToAuthenticatedMs: Date.now() - startedAt,
        delaysMs: running.reconnects.map((reconnect) => reconnect.delayMs),
      });
      expect(running.reconnects.map((reconnect) => reconnect.reason)).toEqual(Array(3).fill('gateway-server-error'));
      expect(running.client.metrics().errorsByCode['gateway-unavailable']).toBe(3);
      expectBackoff(running.reconnects);
      await expectRecovered(running);
    },
  );

  it('503 keep-alive tickles while authenticated do not condemn a socket that still delivers', async () => {
    const running = await prepare();
    await running.client.start();
    const changes = running.recorder.changes.length;
    const failedBefore = running.simulator.counters.failedTickles;
    running.simulator.failNextTickles(3, 503);
    await eventually(
      () => running.simulator.counters.failedTickles === failedBefore + 3,
      'three keep-alive tickles answered 503',
      10_000,
    );
    expect(running.recorder.changes.slice(changes)).toEqual([]);
    expect(running.client.metrics().reconnects).toBe(0);
    await expectRecovered(running);
  });
});

describe('tickles served badly by a misbehaving HTTPS front', () => {
  const cases: Array<{ name: string; fault: TickleFault; reason: string; errorCode?: string }> = [
    {
      name: 'an HTML page instead of JSON',
      fault: { kind: 'non-json' },
      reason: 'gateway-bad-response',
      errorCode: 'gateway-bad-response',
    },
    {
      name: 'JSON that does not parse',
      fault: { kind: 'broken-json' },
      reason: 'gateway-bad-response',
      errorCode: 'gateway-bad-response',
    },
    {
      name: `an answer slower than requestTimeoutMs (${REQUEST_TIMEOUT_MS} ms)`,
      fault: { kind: 'slow', delayMs: 3 * REQUEST_TIMEOUT_MS },
      reason: 'gateway-timeout',
      errorCode: 'timeout',
    },
    {
      name: `a body over maxResponseBytes (${MAX_RESPONSE_BYTES} bytes)`,
      fault: { kind: 'oversized', bytes: 2 * 1024 * 1024 },
      reason: 'gateway-bad-response',
      errorCode: 'gateway-bad-response',
    },
    {
      name: 'a body that never ends',
      fault: { kind: 'drip', everyMs: 50 },
      reason: 'gateway-timeout',
      errorCode: 'timeout',
    },
    {
      name: 'a 502 from the front itself',
      fault: { kind: 'status', status: 502 },
      reason: 'gateway-server-error',
      errorCode: 'gateway-unavailable',
    },
  ];

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))(
    '%s: typed, retried with backoff, recovered',
    async (_name, testCase) => {
      const running = await prepare({ front: true });
      const front = running.front as FaultFront;
      const attempts = 3;
      front.failTickles(testCase.fault, attempts);
      const startedAt = Date.now();
      await running.client.start();
      figures.record(`tickle-${testCase.fault.kind}-x${attempts}-at-connect`, {
        startToAuthenticatedMs: Date.now() - startedAt,
        reason: testCase.reason,
        errorCodes: running.errors.map((error) => error.code),
        delaysMs: running.reconnects.map((reconnect) => reconnect.delayMs),
      });
      expect(front.served[testCase.fault.kind]).toBe(attempts);
      expect(running.reconnects.map((reconnect) => reconnect.reason)).toEqual(Array(attempts).fill(testCase.reason));
      expectBackoff(running.reconnects);
      if (testCase.errorCode !== undefined) {
        expect(running.errors.map((error) => error.code)).toEqual(Array(attempts).fill(testCase.errorCode));
        expect(running.client.metrics().errorsByCode[testCase.errorCode]).toBe(attempts);
      }
      await expectRecovered(running);
    },
  );

  it('keeps retrying through a long run of bad answers (backoff capped), and recovers when the front behaves', async () => {
    const running = await prepare({ front: true });
    const front = running.front as FaultFront;
    front.failTickles({ kind: 'non-json' }, 1_000);
    void running.client.start().catch(() => undefined);
    await eventually(() => running.reconnects.length >= 6, 'six failed attempts', 15_000);
    expect(running.client.state).not.toBe('authenticated');
    expectBackoff(running.reconnects);
    expect(Math.max(...running.reconnects.map((reconnect) => reconnect.delayMs))).toBe(FAST_TIMING.backoffMaxMs);
    front.failTickles({ kind: 'non-json' }, 0);
    await expectRecovered(running);
  });
});
