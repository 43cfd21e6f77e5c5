import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFrame, type DecodeResult } from '../../src/protocol/decode.js';
import type { ServerMessage, ServerMessageKind } from '../../src/protocol/types.js';

interface FrameLine {
  id: string;
  source: string;
  raw: string;
  kind: ServerMessageKind;
  expect: Record<string, unknown>;
}

const corpus = readFileSync(new URL('../fixtures/protocol/server-frames.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as FrameLine);

const ALL_KINDS: readonly ServerMessageKind[] = [
  'system-success',
  'heartbeat',
  'act',
  'sts',
  'waiting-for-session',
  'tic',
  'echo',
  'smd',
  'smh',
  'smh-unsubscribed',
  'sbd',
  'sor',
  'spl',
  'str',
  'ssd',
  'sld',
  'unsubscribed',
  'ntf',
  'blt',
  'error',
  'unknown',
];

/** The keys the README's expect table allows per kind; the optional ones must read `undefined` when not listed. */
const REQUIRED_KEYS: Record<ServerMessageKind, readonly string[]> = {
  'system-success': ['username'],
  heartbeat: ['hb'],
  act: [],
  sts: [],
  'waiting-for-session': [],
  tic: ['alive', 'id', 'lastAccessed'],
  echo: [],
  smd: ['conid', 'fields'],
  smh: ['conid', 'serverId', 'bars'],
  'smh-unsubscribed': ['serverId'],
  sbd: ['rows'],
  sor: ['orders', 'orderIds', 'statuses'],
  spl: ['keys', 'rowType', 'dpl', 'upl'],
  str: ['trades', 'executionIds'],
  ssd: ['acct', 'entries', 'keys'],
  sld: ['acct', 'entries', 'keys'],
  unsubscribed: ['target'],
  ntf: ['args_count', 'ids'],
  blt: ['args_count', 'ids'],
  error: [],
  unknown: [],
};
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
  smh: ['symbol'],
  sbd: ['acct', 'conid', 'exchange'],
  error: ['error', 'code', 'topic'],
  unknown: ['topic'],
};

/** What the decoder exposes under an expect key (the README names some facts by what they count or collect). */
function exposed(message: ServerMessage, key: string): unknown {
  const field = (entry: unknown, name: string): unknown =>
    typeof entry === 'object' && entry !== null && Object.hasOwn(entry, name)
      ? (entry as Record<string, unknown>)[name]
      : null;
  switch (message.kind) {
    case 'smh':
      if (key === 'bars') return message.bars.length;
      break;
    case 'sbd':
      if (key === 'rows') return message.rows.length;
      break;
    case 'sor':
      if (key === 'orders') return message.orders.length;
      if (key === 'orderIds') return message.orders.map((order) => field(order, 'orderId'));
      if (key === 'statuses') return message.orders.map((order) => field(order, 'status'));
      break;
    case 'spl': {
      const keys = Object.keys(message.rows);
      if (key === 'keys') return keys;
      const first = keys[0] === undefined ? undefined : message.rows[keys[0]];
      return field(first, key);
    }
    case 'str':
      if (key === 'trades') return message.trades.length;
      if (key === 'executionIds') return message.trades.map((trade) => field(trade, 'execution_id'));
      break;
    case 'ssd':
    case 'sld':
      if (key === 'entries') return message.entries.length;
      if (key === 'keys') return message.entries.map((entry) => field(entry, 'key'));
      break;
    case 'ntf':
    case 'blt':
      if (key === 'args_count') return message.items.length;
      if (key === 'ids') return message.items.map((item) => field(item, 'id'));
      break;
    default:
      break;
  }
  return (message as unknown as Record<string, unknown>)[key];
}

/** Every listed fact deep-equals what the decoder exposes; every unlisted optional fact is absent. */
function expectFacts(message: ServerMessage, facts: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(facts)) expect(exposed(message, key), key).toEqual(value);
  for (const key of OPTIONAL_KEYS[message.kind] ?? []) {
    if (!Object.hasOwn(facts, key)) expect(exposed(message, key), `${key} must be absent`).toBeUndefined();
  }
}

/** A comparable copy of a result: the smd message's lazily built `fields` included. */
function snapshot(result: DecodeResult): unknown {
  return JSON.parse(JSON.stringify(result)) as unknown;
}

function decodedMessage(result: DecodeResult): ServerMessage {
  if (!result.ok) throw new Error(`expected a message, got ${result.error.code}: ${result.error.message}`);
  return result.message;
}

describe('decodeFrame on the server frame corpus', () => {
  it('reads every line of the corpus (84 lines, unique ids)', () => {
    expect(corpus).toHaveLength(84);
    expect(new Set(corpus.map((line) => line.id)).size).toBe(corpus.length);
  });

  it('covers every kind of server message', () => {
    expect(new Set(corpus.map((line) => line.kind))).toEqual(new Set(ALL_KINDS));
  });

  it('lists only facts the README defines for each kind', () => {
    for (const line of corpus) {
      const allowed = [...REQUIRED_KEYS[line.kind], ...(OPTIONAL_KEYS[line.kind] ?? [])];
      expect(
        Object.keys(line.expect).filter((key) => !allowed.includes(key)),
        line.id,
      ).toEqual([]);
      expect(
        REQUIRED_KEYS[line.kind].filter((key) => !Object.hasOwn(line.expect, key)),
        line.id,
      ).toEqual([]);
    }
  });

  it.each(corpus.map((line) => [line.id, line] as const))('decodes %s to its kind and facts', (_id, line) => {
    const message = decodedMessage(decodeFrame(line.raw));
    expect(message.kind).toBe(line.kind);
    expectFacts(message, line.expect);
  });

  it.each(corpus.map((line) => [line.id, line] as const))('decodes %s the same from a binary frame', (_id, line) => {
    const fromText = decodeFrame(line.raw);
    const fromBytes = decodeFrame(Buffer.from(line.raw, 'utf8'));
    expect(fromBytes.ok).toBe(true);
    expectFacts(decodedMessage(fromBytes), line.expect);
    expect(snapshot(fromBytes)).toEqual(snapshot(fromText));
  });

  it.each(corpus.map((line) => [line.id, line] as const))(
    'decodes %s the same from fragments, an ArrayBuffer and a Uint8Array view',
    (_id, line) => {
      const bytes = Buffer.from(line.raw, 'utf8');
      const middle = Math.floor(bytes.length / 2);
      const padded = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')]);
      const expected = snapshot(decodeFrame(line.raw));
      expect(snapshot(decodeFrame([bytes.subarray(0, middle), bytes.subarray(middle)]))).toEqual(expected);
      expect(snapshot(decodeFrame(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)))).toEqual(
        expected,
      );
      expect(snapshot(decodeFrame(new Uint8Array(padded.buffer, padded.byteOffset + 2, bytes.length)))).toEqual(
        expected,
      );
    },
  );
});
