/**
 * Every line of the hostile-frame corpus (test/fixtures/protocol/bad-frames.jsonl), through the real socket to an
 * authenticated client: it stays connected, counts each undecodable frame as a protocol error with the line's stable
 * code (metrics and `error` events), the stream goes on, Object.prototype is untouched, and a line's `never_echo`
 * appears in nothing the client emits (logs at debug level, events, errors, metrics).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeJson } from '../security/support/capture.js';
import { eventually } from '../support/harness.js';
import {
  inheritedPollution,
  protocolErrorDelta,
  prototypeFingerprint,
  startHostileSetup,
  type Frame,
  type HostileSetup,
} from './support/hostile-client.js';

interface BadFrameLine {
  readonly id: string;
  readonly why: string;
  readonly raw?: string;
  readonly raw_base64?: string;
  readonly generate?: { readonly repeat: string; readonly times: number; readonly wrap: string };
  readonly expect: {
    readonly outcome: 'error' | 'unknown' | 'decoded';
    readonly code?: string;
    readonly kind?: string;
    readonly facts?: Record<string, unknown>;
    readonly never_echo?: string;
  };
}

const CORPUS = fileURLToPath(new URL('../fixtures/protocol/bad-frames.jsonl', import.meta.url));
const LINES: BadFrameLine[] = readFileSync(CORPUS, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as BadFrameLine);
/** The corpus as shipped; a line added or lost must be noticed, never skipped silently. */
const EXPECTED_LINES = 71;

/** `raw`: a text frame and the same bytes as a binary frame (the gateway sends binary); `raw_base64`, `generate`: bytes. */
function framesOf(line: BadFrameLine): Frame[] {
  if (line.raw !== undefined)
    return [
      { data: line.raw, binary: false },
      { data: Buffer.from(line.raw, 'utf8'), binary: true },
    ];
  if (line.raw_base64 !== undefined) return [{ data: Buffer.from(line.raw_base64, 'base64'), binary: true }];
  if (line.generate !== undefined) {
    const { repeat, times, wrap } = line.generate;
    return [{ data: Buffer.from(wrap.replace('%s', repeat.repeat(times)), 'utf8'), binary: true }];
  }
  throw new Error(`line ${line.id} has neither raw, raw_base64 nor generate`);
}

/** A well-formed `sts` that says the brokerage session is gone: the client must re-check it, not ignore it. */
function saysNotAuthenticated(line: BadFrameLine): boolean {
  return (
    line.expect.outcome === 'decoded' && line.expect.kind === 'sts' && line.expect.facts?.['authenticated'] === false
  );
}

let setup: HostileSetup;
let prototypes: string;

beforeAll(async () => {
  prototypes = prototypeFingerprint();
  setup = await startHostileSetup();
});

afterAll(async () => {
  await setup?.close();
});

describe('the hostile-frame corpus', () => {
  it(`has the ${EXPECTED_LINES} lines this suite was written against, each with a unique id`, () => {
    expect(LINES).toHaveLength(EXPECTED_LINES);
    expect(new Set(LINES.map((line) => line.id)).size).toBe(LINES.length);
  });

  it.each(LINES.map((line) => [line.id, line] as const))(
    '%s: survived through the socket',
    async (_id, line) => {
      const { client, simulator, recorder } = setup;
      const frames = framesOf(line);
      const before = client.metrics();
      const errorsBefore = setup.errors.length;
      const connectionsBefore = simulator.counters.connections;
      const changesBefore = recorder.changes.length;
      const captureBefore = setup.capture.size;

      if (saysNotAuthenticated(line)) {
        // Last key wins: this frame really says "not authenticated". Re-checking the session is the right answer.
        for (const frame of frames) simulator.sendRaw(frame.data, { binary: frame.binary });
        await recorder.waitForState('checking-session', 5_000);
        await recorder.waitForState('authenticated', 10_000);
        await eventually(() => setup.marketDataStatus() === 'active', 'market data active again after the re-check');
        await setup.sendAndSettle([]);
      } else {
        await setup.sendAndSettle(frames);
      }
      const after = client.metrics();

      // Counted, with the line's stable code, in metrics and in `error` events.
      const newErrors = setup.errors.slice(errorsBefore);
      if (line.expect.outcome === 'error') {
        expect(protocolErrorDelta(before, after)).toEqual({ [line.expect.code as string]: frames.length });
        expect(after.protocolErrors - before.protocolErrors).toBe(frames.length);
        expect(newErrors.map((error) => error.code)).toEqual(frames.map(() => line.expect.code));
      } else {
        expect(after.protocolErrors - before.protocolErrors, safeJson(newErrors)).toBe(0);
        expect(
          newErrors.filter((error) =>
            ['empty-frame', 'malformed-json', 'not-an-object', 'frame-too-large', 'invalid-field'].includes(error.code),
          ),
        ).toEqual([]);
      }

      // Still connected: same socket, no reconnect (except the one frame that legitimately says "not authenticated").
      expect(client.state).toBe('authenticated');
      if (!saysNotAuthenticated(line)) {
        expect(recorder.changes.slice(changesBefore)).toEqual([]);
        expect(simulator.counters.connections).toBe(connectionsBefore);
        expect(after.reconnects).toBe(before.reconnects);
      }

      // The stream goes on.
      await setup.expectQuotesFlow();
      expect(setup.marketDataStatus()).toBe('active');

      // Nothing polluted, nothing echoed.
      expect(prototypeFingerprint()).toBe(prototypes);
      expect(inheritedPollution()).toEqual([]);
      if (line.expect.never_echo !== undefined) {
        setup.capture.add('metrics', client.metrics());
        const echoed = setup.capture.lines
          .slice(captureBefore)
          .filter((text) => text.includes(line.expect.never_echo as string));
        expect(echoed, `the client emitted ${line.id}'s never_echo`).toEqual([]);
      }
    },
    30_000,
  );

  it('never let a never_echo string out, over the whole corpus run', () => {
    setup.capture.add('metrics', setup.client.metrics());
    const neverEcho = [
      ...new Set(LINES.flatMap((line) => (line.expect.never_echo === undefined ? [] : [line.expect.never_echo]))),
    ];
    expect(neverEcho.length).toBeGreaterThan(0);
    for (const text of neverEcho) expect(setup.capture.find(text), `captured output containing ${text}`).toEqual([]);
    // The capture saw the run (a capture that saw nothing would prove nothing): the protocol errors were logged.
    expect(setup.capture.find('malformed-json').length).toBeGreaterThan(0);
  });
});
