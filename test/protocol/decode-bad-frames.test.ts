import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeFrame, type DecodeResult } from '../../src/protocol/decode.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import type { ServerMessage, ServerMessageKind } from '../../src/protocol/types.js';

interface BadLine {
  id: string;
  why: string;
  raw?: string;
  raw_base64?: string;
  generate?: { repeat: string; times: number; wrap: string };
  expect: {
    outcome: 'error' | 'unknown' | 'decoded';
    code?: string;
    kind?: ServerMessageKind;
    facts?: Record<string, unknown>;
    never_echo?: string;
  };
}

const corpus = readFileSync(new URL('../fixtures/protocol/bad-frames.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as BadLine);

const HEARTBEAT = '{"topic":"system","hb":1772190537535}';

/** Every form the README says to feed a line in: text and bytes for `raw`, the bytes for the others. */
function inputsOf(line: BadLine): Array<[string, string | Buffer | ArrayBuffer | Uint8Array]> {
  if (line.raw !== undefined)
    return [
      ['text', line.raw],
      ['binary', Buffer.from(line.raw, 'utf8')],
    ];
  if (line.raw_base64 !== undefined) {
    const bytes = Buffer.from(line.raw_base64, 'base64');
    return [
      ['binary', bytes],
      ['ArrayBuffer', bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)],
      ['Uint8Array', new Uint8Array(bytes)],
    ];
  }
  if (line.generate !== undefined) {
    const { repeat, times, wrap } = line.generate;
    const text = wrap.replace('%s', repeat.repeat(times));
    return [
      ['binary', Buffer.from(text, 'utf8')],
      ['text', text],
    ];
  }
  throw new Error(`line ${line.id} has no frame`);
}

const OPTIONAL_KEYS: Partial<Record<ServerMessageKind, readonly string[]>> = {
  'system-success': ['isFT', 'isPaper'],
  act: ['accounts', 'selectedAccount', 'isFT', 'isPaper'],
  sts: [
    'authenticated',
    'competing',
    'connected',
    'established',
    'message',
    'fail',
    'serverName',
    'serverVersion',
    'username',
  ],
  smd: ['updated'],
  error: ['error', 'code', 'topic'],
  unknown: ['topic'],
};

/** The expect keys the bad-frame facts use; the README names two `ntf` facts by what they count and collect. */
function exposed(message: ServerMessage, key: string): unknown {
  if (message.kind === 'ntf' || message.kind === 'blt') {
    if (key === 'args_count') return message.items.length;
    if (key === 'ids') return message.items.map((item) => (item as { id?: unknown }).id ?? null);
  }
  return (message as unknown as Record<string, unknown>)[key];
}

function expectFacts(message: ServerMessage, facts: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(facts)) expect(exposed(message, key), key).toEqual(value);
  for (const key of OPTIONAL_KEYS[message.kind] ?? []) {
    if (!Object.hasOwn(facts, key)) expect(exposed(message, key), `${key} must be absent`).toBeUndefined();
  }
}

/** Everything a careless client could print about a result. */
function printedForms(result: DecodeResult): string[] {
  const forms = [JSON.stringify(result), inspect(result, { depth: null, showHidden: true })];
  if (!result.ok) forms.push(result.error.message, String(result.error), inspect(result.error, { showHidden: true }));
  else forms.push(JSON.stringify(result.message), inspect(result.message, { depth: null }));
  return forms;
}

/** The words an error message may quote: names from our own schema, never text from the wire. */
const SCHEMA_NAMES = new Set([
  'topic',
  'hb',
  'success',
  'isFT',
  'isPaper',
  'args',
  'sts',
  'act',
  'sor',
  'spl',
  'str',
  'ntf',
  'blt',
  'smd',
  'smh',
  'sbd',
  'ssd',
  'sld',
  'system',
  'tic',
  'data',
  'result',
  'error',
  'code',
  'conid',
  'serverId',
  'authenticated',
  'competing',
  'connected',
  'established',
]);

function prototypeState(): string {
  return inspect(Object.getOwnPropertyDescriptors(Object.prototype), { showHidden: true });
}

const prototypeBefore = prototypeState();

describe('decodeFrame on hostile and broken frames', () => {
  it('reads every line of the corpus (71 lines, unique ids)', () => {
    expect(corpus).toHaveLength(71);
    expect(new Set(corpus.map((line) => line.id)).size).toBe(corpus.length);
  });

  describe.each(corpus.map((line) => [line.id, line] as const))('%s', (_id, line) => {
    it.each(inputsOf(line))('gives the expected outcome as a %s frame', (_form, input) => {
      const result = decodeFrame(input);
      const expected = line.expect;
      if (expected.outcome === 'error') {
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error).toBeInstanceOf(ProtocolError);
        expect(result.error.code).toBe(expected.code);
        return;
      }
      expect(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`).toBe(true);
      if (!result.ok) return;
      expect(result.message.kind).toBe(expected.outcome === 'unknown' ? 'unknown' : expected.kind);
      if (expected.facts !== undefined) expectFacts(result.message, expected.facts);
    });

    it.each(inputsOf(line))('never echoes the frame as a %s frame', (_form, input) => {
      const result = decodeFrame(input);
      const secret = line.expect.never_echo;
      if (secret !== undefined) for (const form of printedForms(result)) expect(form).not.toContain(secret);
      if (!result.ok) {
        const quoted = [...result.error.message.matchAll(/'([^']*)'/g)].map((match) => match[1]);
        expect(quoted.filter((name) => !SCHEMA_NAMES.has(name ?? ''))).toEqual([]);
      }
    });

    it('leaves Object.prototype unchanged and the next good frame decodes', () => {
      for (const [, input] of inputsOf(line)) decodeFrame(input);
      expect(prototypeState()).toBe(prototypeBefore);
      const probe: Record<string, unknown> = {};
      for (const key of ['topic', 'hb', 'authenticated', 'isPaper', 'accounts', '31', 'a'])
        expect(probe[key], key).toBeUndefined();
      expect(decodeFrame(HEARTBEAT)).toEqual({ ok: true, message: { kind: 'heartbeat', hb: 1772190537535 } });
    });
  });

  it.each([
    ['64 KiB', 64 * 1024],
    ['just under 4 MiB', 4 * 1024 * 1024 - 1],
  ])('gives the same outcomes with a %s size limit', (_name, maxFrameBytes) => {
    for (const line of corpus) {
      for (const [, input] of inputsOf(line)) {
        const result = decodeFrame(input, { maxFrameBytes });
        const outcome = result.ok ? (result.message.kind === 'unknown' ? 'unknown' : 'decoded') : 'error';
        expect(outcome, line.id).toBe(line.expect.outcome);
        if (!result.ok) expect(result.error.code, line.id).toBe(line.expect.code);
      }
    }
  });
});
