/**
 * The client's market-data path without the network, against the bare parse, in one process:
 *
 *   node --expose-gc --import tsx bench/micro/pipeline.ts [streams]
 *
 * - time per frame (best of 5 rounds of 1 M frames): `toString` + `JSON.parse` (what the bare reader of the throughput
 *   benchmark does), `decodeFrame`, `decodeFrame` + the quote accumulator;
 * - bytes allocated per frame for the same three, read from the heap with a young generation too large to be collected
 *   during the count (run with `--max-semi-space-size=256 --min-semi-space-size=256` for that figure);
 * - the whole path after the socket — decode, hub, accumulate, buffer, a `for await` consumer per stream — in µs per
 *   frame (and bytes, with the flags above), with `streams` streams (default 1,000) fed round-robin, 500 frames per
 *   event-loop turn.
 *
 * Frames are shaped like the simulator's deltas (docs/BENCHMARKS.md quotes the figures). Not part of `npm run bench`:
 * it measures parts, not the product; the throughput benchmark measures the product.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { decodeFrame } from '../../src/protocol/decode.js';
import { QuoteAccumulator } from '../../src/subscriptions/quote.js';
import { createFacade, SubscriptionHub } from '../../src/subscriptions/index.js';
import type { MarketDataMessage } from '../../src/protocol/types.js';

const streams = Number(process.argv[2] ?? 1_000);
const FRAMES = 2_000;

function deltaFrame(index: number): Buffer {
  const conid = 100_001 + (index % streams);
  const serverId = `q${index % streams}`;
  const frame: Record<string, unknown> = {
    server_id: serverId,
    conid,
    _updated: 1_764_071_234_567 + index,
    '6119': serverId,
  };
  frame['31'] = (168 + (index % 50) / 100).toFixed(2);
  if (index % 2 === 1) frame['84'] = (168 + (index % 30) / 100).toFixed(2);
  if (index % 3 !== 0) frame['86'] = (169 + (index % 20) / 100).toFixed(2);
  frame['topic'] = `smd+${conid}`;
  return Buffer.from(JSON.stringify(frame));
}

const frames = Array.from({ length: FRAMES }, (_, index) => deltaFrame(index));
const accumulators = Array.from(
  { length: streams },
  (_, index) => new QuoteAccumulator(`smd+${100_001 + index}`, 100_001 + index, undefined),
);

function decodeAndApply(index: number): unknown {
  const result = decodeFrame(frames[index] as Buffer);
  return result.ok && (accumulators[index % streams] as QuoteAccumulator).apply(result.message as MarketDataMessage, 0);
}

const contenders: Array<[string, (index: number) => unknown]> = [
  ['toString + JSON.parse', (index) => JSON.parse((frames[index] as Buffer).toString())],
  ['decodeFrame', (index) => decodeFrame(frames[index] as Buffer)],
  ['decodeFrame + accumulate', decodeAndApply],
];

function nanosPerFrame(run: (index: number) => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const count = 1_000_000;
    const startedAt = process.hrtime.bigint();
    for (let index = 0; index < count; index++) run(index % FRAMES);
    best = Math.min(best, Number(process.hrtime.bigint() - startedAt) / count);
  }
  return best;
}

/** A young generation this large is not collected while 50,000 frames are counted (about 50 MB at most). */
const youngGenerationHoldsTheCount =
  (getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0) >= 200 * 1024 * 1024;

function bytesPerFrame(run: (index: number) => unknown): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined || !youngGenerationHoldsTheCount) return Number.NaN;
  for (let index = 0; index < 20_000; index++) run(index % FRAMES);
  gc();
  const before = process.memoryUsage().heapUsed;
  const count = 50_000;
  for (let index = 0; index < count; index++) run(index % FRAMES);
  return (process.memoryUsage().heapUsed - before) / count;
}

if (!youngGenerationHoldsTheCount)
  console.log('(bytes per frame: run with --max-semi-space-size=256 --min-semi-space-size=256)');
for (const [name, run] of contenders) {
  const nanos = nanosPerFrame(run);
  const bytes = bytesPerFrame(run);
  console.log(
    `${name.padEnd(26)} ${nanos.toFixed(0).padStart(6)} ns/frame ${Number.isNaN(bytes) ? '' : `${bytes.toFixed(0).padStart(6)} B/frame`}`,
  );
}

// The whole path after the socket: a hub on a socket that is always ready, one `for await` consumer per stream.
const hub = new SubscriptionHub({
  options: { marketDataLines: streams + 10 },
  send: () => true,
  pauseReading: () => undefined,
  countDrop: () => undefined,
  reportError: () => undefined,
});
hub.onReady(1);
const facade = createFacade(hub);
let delivered = 0;
for (let index = 0; index < streams; index++) {
  const handle = facade.marketData(100_001 + index, ['31', '84', '86']);
  void (async () => {
    for await (const item of handle) if (item.kind === 'quote') delivered++;
  })();
}
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
async function feed(turns: number): Promise<void> {
  let next = 0;
  for (let round = 0; round < turns; round++) {
    for (let frame = 0; frame < 500; frame++) {
      const result = decodeFrame(frames[next++ % FRAMES] as Buffer);
      if (result.ok) hub.onMessage(result.message);
    }
    await turn();
  }
}
await feed(200);
const startedAt = performance.now();
const deliveredBefore = delivered;
await feed(400);
const micros = ((performance.now() - startedAt) * 1000) / 200_000;
const deliveredInWindow = delivered - deliveredBefore;
let wholeBytes = '';
const gc = (globalThis as { gc?: () => void }).gc;
if (gc !== undefined && youngGenerationHoldsTheCount) {
  gc();
  const before = process.memoryUsage().heapUsed;
  await feed(100);
  wholeBytes = `, ${((process.memoryUsage().heapUsed - before) / 50_000).toFixed(0)} B/frame`;
}
console.log(
  `whole path, ${streams} streams: ${micros.toFixed(2)} µs/frame${wholeBytes} (${deliveredInWindow} of 200000 quotes delivered)`,
);
hub.stop();
