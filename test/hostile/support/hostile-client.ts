/**
 * An authenticated client with an active market-data subscription, fed hostile frames through its real socket by the
 * simulator (`sendRaw`). A sentinel notice (`ntf` with a unique id) follows every batch: frames on one socket arrive in
 * order, so once the sentinel is delivered every frame before it has been read — no sleeping, no guessing.
 */
import { decodeFrame } from '../../../src/protocol/decode.js';
import type { IbkrWs } from '../../../src/client.js';
import type { IbkrWsError } from '../../../src/errors.js';
import type { MetricsSnapshot } from '../../../src/metrics.js';
import type { GatewaySimulator } from '../../../src/simulator/index.js';
import {
  FAST_TIMING,
  createTestClient,
  eventually,
  recordStates,
  startSimulator,
  type Recorder,
} from '../../support/harness.js';
import { Capture } from '../../security/support/capture.js';

/** Not the corpus's made-up value: `never_echo` must hold without the client knowing the value as its own secret. */
export const HOSTILE_SESSION_VALUE = 'fedcba9876543210fedcba9876543210';

export const PROTOCOL_ERROR_CODES = [
  'empty-frame',
  'malformed-json',
  'not-an-object',
  'frame-too-large',
  'invalid-field',
] as const;

export interface Frame {
  readonly data: string | Buffer;
  readonly binary: boolean;
}

export interface HostileSetup {
  readonly simulator: GatewaySimulator;
  readonly client: IbkrWs;
  readonly recorder: Recorder;
  readonly capture: Capture;
  readonly errors: IbkrWsError[];
  /** Quotes delivered to the market-data handle so far. */
  quotes(): number;
  /** Sends the frames, then a sentinel; resolves once the client has read all of them. */
  sendAndSettle(frames: readonly Frame[]): Promise<void>;
  /** Resolves once new quotes arrive (the stream continues). */
  expectQuotesFlow(): Promise<void>;
  marketDataStatus(): string;
  close(): Promise<void>;
}

export async function startHostileSetup(): Promise<HostileSetup> {
  const simulator = await startSimulator({ sessionValue: HOSTILE_SESSION_VALUE });
  const capture = new Capture();
  // Logs (debug level), events, errors and metrics are captured here; inspector events are test/security's subject.
  // The heartbeat timeout is generous: the simulator shares this process, and parsing a hostile 8 MiB or 10^5-deep frame
  // can hold the event loop long enough to delay its heartbeats. Liveness is the chaos suite's subject, not this one's.
  const client = createTestClient(simulator, {
    logger: capture.logger,
    timing: { ...FAST_TIMING, heartbeatTimeoutMs: 3_000 },
  });
  capture.attach(client);
  const recorder = recordStates(client);
  const errors: IbkrWsError[] = [];
  client.on('error', (error) => errors.push(error));
  await client.start();
  const quotes = client.marketData(265598, ['31', '84', '86']);
  let quoteCount = 0;
  quotes.on('data', () => quoteCount++);
  await quotes.acknowledged;
  const sentinels = new Set<string>();
  const notices = client.raw({ match: (message) => message.kind === 'ntf' });
  notices.on('data', (message) => {
    if (message.kind !== 'ntf') return;
    const first = message.items[0] as { id?: unknown } | undefined;
    if (typeof first?.id === 'string') sentinels.add(first.id);
  });
  let sentinelCount = 0;

  return {
    simulator,
    client,
    recorder,
    capture,
    errors,
    quotes: () => quoteCount,
    marketDataStatus: () => quotes.status,
    async sendAndSettle(frames) {
      const id = `hostile-sentinel-${++sentinelCount}`;
      for (const frame of frames) simulator.sendRaw(frame.data, { binary: frame.binary });
      simulator.sendRaw(JSON.stringify({ topic: 'ntf', args: [{ id }] }), { binary: true });
      await eventually(
        () => sentinels.has(id),
        `the sentinel after ${frames.length} hostile frame(s) (state ${client.state})`,
        10_000,
      );
    },
    async expectQuotesFlow() {
      const before = quoteCount;
      await eventually(
        () => quoteCount > before,
        `quotes flowing (state ${client.state}, market data ${quotes.status})`,
        5_000,
      );
    },
    async close() {
      await client.stop();
      await simulator.close();
    },
  };
}

/** What the codec says of a frame, as the socket delivers it (a Buffer, text or binary). */
export function referenceVerdict(frame: Frame): ReturnType<typeof decodeFrame> {
  return decodeFrame(typeof frame.data === 'string' ? Buffer.from(frame.data, 'utf8') : frame.data);
}

/** Protocol-error counts between two metrics snapshots, by code. */
export function protocolErrorDelta(before: MetricsSnapshot, after: MetricsSnapshot): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [code, count] of Object.entries(after.protocolErrorsByCode)) {
    const grown = count - (before.protocolErrorsByCode[code] ?? 0);
    if (grown !== 0) delta[code] = grown;
  }
  return delta;
}

/** Own properties (names and values) of the shared prototypes a pollution would change. */
export function prototypeFingerprint(): string {
  const describe = (target: object): string[] =>
    Reflect.ownKeys(target).map((key) => {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      const value = descriptor?.value;
      return `${String(key)}:${typeof value === 'function' ? `fn ${value.name}` : typeof value === 'object' ? 'object' : String(value)}:${descriptor?.get ? 'get' : ''}`;
    });
  return JSON.stringify({
    object: describe(Object.prototype),
    array: describe(Array.prototype),
    function: describe(Function.prototype),
  });
}

/** Keys a pollution would make every object inherit. */
export const POLLUTION_PROBES = [
  'authenticated',
  'isPaper',
  'topic',
  'hb',
  'polluted',
  '31',
  'accounts',
  'session',
] as const;

export function inheritedPollution(): string[] {
  const plain: Record<string, unknown> = {};
  return POLLUTION_PROBES.filter((key) => plain[key] !== undefined || key in plain);
}
