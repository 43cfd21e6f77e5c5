/**
 * Generated hostile input through the real socket (fast-check): random bytes, random text, random JSON, protocol-shaped
 * objects full of prototype-pollution keys and session-looking values, huge frames around the size limit, and nesting
 * 10^5 deep. For every batch the client's verdicts must be the codec's (each undecodable frame counted once with its
 * stable code, in metrics and as an `error` event), the socket must stay the same one, the stream must go on, the
 * shared prototypes must stay untouched, and the session value must appear in nothing the client emits.
 *
 * A failing run prints its seed and path; replay it with `fc.assert(…, { seed, path })` and keep it as a case below.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES } from '../../src/protocol/limits.js';
import { FiguresFile } from '../chaos/support/figures.js';
import {
  HOSTILE_SESSION_VALUE,
  inheritedPollution,
  protocolErrorDelta,
  prototypeFingerprint,
  referenceVerdict,
  startHostileSetup,
  type Frame,
  type HostileSetup,
} from './support/hostile-client.js';

let setup: HostileSetup;
let prototypes: string;

beforeAll(async () => {
  prototypes = prototypeFingerprint();
  // fast-check builds its full-unicode tables on first use, synchronously (~1.5 s here): do it before the client runs,
  // or the blocked event loop delays the in-process simulator's heartbeats and the client rightly suspects silence.
  for (const arbitrary of ARBITRARIES) fc.sample(arbitrary as fc.Arbitrary<unknown>, 1);
  setup = await startHostileSetup();
});

afterAll(async () => {
  await setup?.close();
});

/**
 * Frames that are valid and mean something to the lifecycle or to a subscription are not hostile, they are protocol:
 * an `sts` saying "not authenticated" must make the client re-check (bad-frames.test.ts proves it), and an error frame
 * on a topic may fail that subscription. The fuzz keeps to input that must change nothing.
 */
function isHarmless(frame: Frame): boolean {
  const verdict = referenceVerdict(frame);
  if (!verdict.ok) return true;
  const message = verdict.message;
  if (message.kind === 'sts' && message.authenticated === false) return false;
  if (message.kind === 'error' && message.topic !== undefined) return false;
  return true;
}

/** What the fuzz sent, by the codec's verdict: printed at the end so a weak generator shows. */
const tally: Record<string, number> = {};

/** Sends a batch and checks everything a hostile batch must leave as it was. */
async function survives(frames: readonly Frame[]): Promise<void> {
  for (const frame of frames) {
    const verdict = referenceVerdict(frame);
    const key = verdict.ok ? `decoded:${verdict.message.kind}` : `error:${verdict.error.code}`;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  const { client, simulator, recorder } = setup;
  const before = client.metrics();
  const errorsBefore = setup.errors.length;
  const connectionsBefore = simulator.counters.connections;
  const changesBefore = recorder.changes.length;
  await setup.sendAndSettle(frames);
  const after = client.metrics();

  const expectedCodes = frames.flatMap((frame) => {
    const verdict = referenceVerdict(frame);
    return verdict.ok ? [] : [verdict.error.code];
  });
  const expectedDelta: Record<string, number> = {};
  for (const code of expectedCodes) expectedDelta[code] = (expectedDelta[code] ?? 0) + 1;
  expect(protocolErrorDelta(before, after)).toEqual(expectedDelta);
  expect(after.protocolErrors - before.protocolErrors).toBe(expectedCodes.length);
  expect(setup.errors.slice(errorsBefore).map((error) => error.code)).toEqual(expectedCodes);

  expect(client.state).toBe('authenticated');
  expect(recorder.changes.slice(changesBefore)).toEqual([]);
  expect(simulator.counters.connections).toBe(connectionsBefore);
  expect(after.reconnects).toBe(before.reconnects);
  expect(prototypeFingerprint()).toBe(prototypes);
  expect(inheritedPollution()).toEqual([]);
}

const asText = (text: string): Frame => ({ data: text, binary: false });
const asBytes = (text: string): Frame => ({ data: Buffer.from(text, 'utf8'), binary: true });
const either = (text: string, binary: boolean): Frame => (binary ? asBytes(text) : asText(text));

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const INTERESTING_KEYS = [
  ...POLLUTION_KEYS,
  'topic',
  'args',
  'hb',
  'success',
  'authenticated',
  'competing',
  '31',
  '84',
  'conid',
  'error',
  'code',
  'session',
  'message',
  'result',
  'id',
  'toString',
  'valueOf',
  'hasOwnProperty',
];
const TOPICS = [
  'system',
  'sts',
  'act',
  'tic',
  'smd+265598',
  'smd+1',
  'smd',
  'sor',
  'spl',
  'str',
  'ntf',
  'blt',
  'sbd',
  'ssd+DU1',
  'sld+DU1',
  'smh+265598',
  'error',
  '__proto__',
  'constructor',
];

const key = fc.oneof(fc.constantFrom(...INTERESTING_KEYS), fc.string({ maxLength: 8 }));
const scalarText = fc
  .oneof(
    fc.constantFrom<unknown>(
      HOSTILE_SESSION_VALUE,
      `{"session":"${HOSTILE_SESSION_VALUE}"}`,
      `Topic unknown '{"session":"${HOSTILE_SESSION_VALUE}"}'`,
      true,
      false,
      null,
      0,
      -1,
    ),
    fc.integer(),
    fc.double(),
    fc.string({ maxLength: 24 }),
  )
  .map((value) => JSON.stringify(value) ?? 'null');
/** JSON text built by hand, so that `__proto__` stays a literal key on the wire (an object literal would not keep it). */
const jsonText = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalarText, tie('object'), tie('array')),
  object: fc
    .array(fc.tuple(key, tie('value')), { maxLength: 6 })
    .map((entries) => `{${entries.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`),
  array: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
}));
const protocolShaped = fc
  .tuple(
    fc.option(fc.oneof(fc.constantFrom(...TOPICS), fc.string({ maxLength: 10 }))),
    fc.array(fc.tuple(key, jsonText.value), { maxLength: 8 }),
  )
  .map(([topic, entries]) => {
    const members = entries.map(([name, value]) => `${JSON.stringify(name)}:${value}`);
    if (topic !== null) members.unshift(`"topic":${JSON.stringify(topic)}`);
    return `{${members.join(',')}}`;
  });

const RUNS = { numRuns: 100, endOnFailure: true } as const;

const randomBytes = fc.array(fc.uint8Array({ maxLength: 2_048 }), { minLength: 1, maxLength: 10 });
const randomText = fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 512 }), fc.boolean()), {
  minLength: 1,
  maxLength: 10,
});
const randomJson = fc.array(fc.tuple(fc.json({ maxDepth: 6 }), fc.boolean()), { minLength: 1, maxLength: 10 });
const pollution = fc.array(fc.tuple(protocolShaped, fc.boolean()), { minLength: 1, maxLength: 10 });
const ARBITRARIES = [randomBytes, randomText, randomJson, pollution] as const;

describe('generated hostile frames through the socket', () => {
  it('random bytes as binary frames', async () => {
    await fc.assert(
      fc.asyncProperty(randomBytes, async (chunks) => {
        const frames = chunks.map((bytes): Frame => ({ data: Buffer.from(bytes), binary: true }));
        fc.pre(frames.every(isHarmless));
        await survives(frames);
      }),
      RUNS,
    );
    await setup.expectQuotesFlow();
  }, 60_000);

  it('random text (any code unit, lone surrogates included) as text and binary frames', async () => {
    await fc.assert(
      fc.asyncProperty(randomText, async (items) => {
        const frames = items.map(([text, binary]) => either(text, binary));
        fc.pre(frames.every(isHarmless));
        await survives(frames);
      }),
      RUNS,
    );
    await setup.expectQuotesFlow();
  }, 60_000);

  it('random JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(randomJson, async (items) => {
        const frames = items.map(([text, binary]) => either(text, binary));
        fc.pre(frames.every(isHarmless));
        await survives(frames);
      }),
      RUNS,
    );
    await setup.expectQuotesFlow();
  }, 60_000);

  it('protocol-shaped objects with prototype-pollution keys (__proto__, constructor, prototype) at any depth', async () => {
    await fc.assert(
      fc.asyncProperty(pollution, async (items) => {
        const frames = items.map(([text, binary]) => either(text, binary));
        fc.pre(frames.every(isHarmless));
        await survives(frames);
      }),
      { ...RUNS, numRuns: 200 },
    );
    await setup.expectQuotesFlow();
  }, 60_000);

  it('frames around the size limit: at it, one byte over, and 8 MiB', async () => {
    const padded = (bytes: number, conid = 1): string => {
      const shell = `{"topic":"smd+${conid}","31":""}`;
      return `{"topic":"smd+${conid}","31":"${'a'.repeat(bytes - Buffer.byteLength(shell))}"}`;
    };
    const atLimit = asBytes(padded(DEFAULT_MAX_FRAME_BYTES));
    const overLimit = asBytes(padded(DEFAULT_MAX_FRAME_BYTES + 1));
    const huge = asBytes(padded(8 * 1024 * 1024));
    expect(referenceVerdict(atLimit).ok).toBe(true);
    expect(referenceVerdict(overLimit)).toMatchObject({ ok: false, error: { code: 'frame-too-large' } });
    await survives([atLimit, overLimit, huge, asText(padded(DEFAULT_MAX_FRAME_BYTES + 1, 265598))]);
    await setup.expectQuotesFlow();
  }, 30_000);

  it('nesting 10^5 deep: arrays, objects, inside a market-data field and inside sts args; 10^6 is refused by size', async () => {
    const depth = 100_000;
    const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const inField = `{"topic":"smd+265598","conid":265598,"31":${objects}}`;
    const inStatus = `{"topic":"sts","args":{"x":${objects}}}`;
    const pollutedDeep = `${'{"__proto__":'.repeat(depth)}{"polluted":true}${'}'.repeat(depth)}`;
    const tooDeep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    expect(referenceVerdict(asText(arrays))).toMatchObject({ ok: false, error: { code: 'not-an-object' } });
    expect(referenceVerdict(asText(inField))).toMatchObject({ ok: false, error: { code: 'invalid-field' } });
    expect(referenceVerdict(asText(tooDeep))).toMatchObject({ ok: false, error: { code: 'frame-too-large' } });
    await survives([arrays, objects, inField, inStatus, pollutedDeep, tooDeep].map(asBytes));
    await survives([arrays, objects, pollutedDeep].map(asText));
    await setup.expectQuotesFlow();
  }, 30_000);

  it('let the session value out nowhere: logs, events, errors, metrics', () => {
    const total = Object.values(tally).reduce((sum, count) => sum + count, 0);
    const figures = new FiguresFile('fuzz-figures');
    figures.record('generated-hostile-frames', {
      frames: total,
      byVerdict: tally,
      protocolErrorsByCode: setup.client.metrics().protocolErrorsByCode,
    });
    figures.write();
    setup.capture.add('metrics', setup.client.metrics());
    expect(setup.capture.find(HOSTILE_SESSION_VALUE)).toEqual([]);
    expect(setup.capture.size).toBeGreaterThan(0);
  });
});

describe('a frame beyond maxPayloadBytes', () => {
  it('is refused by ws with close 1009 (a limit, documented), reported, and the client recovers on a new socket', async () => {
    const { client, simulator, recorder } = setup;
    const errorsBefore = setup.errors.length;
    const connectionsBefore = simulator.counters.connections;
    simulator.sendRaw(Buffer.alloc(16 * 1024 * 1024 + 1, 0x61), { binary: true });
    const lost = await recorder.waitForState('reconnect', 10_000);
    await recorder.waitForState('authenticated', 10_000);
    await setup.expectQuotesFlow();
    expect(lost.reason).toMatch(/1009|socket-error/);
    expect(setup.errors.slice(errorsBefore).map((error) => error.code)).toContain('socket-error');
    expect(simulator.counters.connections).toBe(connectionsBefore + 1);
    expect(client.state).toBe('authenticated');
  }, 30_000);
});
