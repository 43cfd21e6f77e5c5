import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/protocol/encode.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { parseClientCommand } from '../../src/protocol/parse-client-command.js';
import type { ClientCommand } from '../../src/protocol/types.js';

interface CommandLine {
  id: string;
  intent: ClientCommand;
  wire: string;
  source: string;
  canonical: boolean;
}

const corpus = readFileSync(new URL('../fixtures/protocol/client-commands.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CommandLine);
const canonical = corpus.filter((line) => line.canonical);
const alternatives = corpus.filter((line) => !line.canonical);

describe('encodeCommand', () => {
  it('reads every line of the client command corpus (43 lines: 34 canonical, 9 alternatives)', () => {
    expect(corpus).toHaveLength(43);
    expect(canonical).toHaveLength(34);
    expect(alternatives).toHaveLength(9);
  });

  it('finds exactly one canonical line per intent', () => {
    const intents = canonical.map((line) => JSON.stringify(line.intent));
    expect(new Set(intents).size).toBe(canonical.length);
    for (const line of alternatives) expect(intents, line.id).toContain(JSON.stringify(line.intent));
  });

  it.each(canonical.map((line) => [line.id, line] as const))('encodes %s byte for byte', (_id, line) => {
    expect(encodeCommand(line.intent)).toBe(line.wire);
  });

  it.each(canonical.map((line) => [line.id, line] as const))(
    'round-trips %s through the simulator parser',
    (_id, line) => {
      expect(parseClientCommand(encodeCommand(line.intent))).toStrictEqual(line.intent);
    },
  );

  it.each(alternatives.map((line) => [line.id, line] as const))(
    'never sends the alternative spelling %s',
    (_id, line) => {
      const encoded = encodeCommand(line.intent);
      expect(encoded).not.toBe(line.wire);
      expect(encoded).toBe(
        canonical.find((other) => JSON.stringify(other.intent) === JSON.stringify(line.intent))?.wire,
      );
    },
  );

  it('writes JSON arguments in the key order of the intent', () => {
    expect(encodeCommand({ op: 'subscribe', topic: 'str', days: 3, realtimeUpdatesOnly: false })).toBe(
      'str+{"days":3,"realtimeUpdatesOnly":false}',
    );
    expect(encodeCommand({ op: 'subscribe', topic: 'ssd', acct: 'DU1', fields: ['a'], keys: ['b'] })).toBe(
      'ssd+DU1+{"fields":["a"],"keys":["b"]}',
    );
  });

  it('unsubscribes a market-data stream on one exchange with its conid@EXCHANGE', () => {
    expect(encodeCommand({ op: 'unsubscribe', topic: 'smd', conid: 265598, exchange: 'ISLAND' })).toBe(
      'umd+265598@ISLAND+{}',
    );
  });

  it.each<[string, ClientCommand, string]>([
    ['a conid that is not a positive integer', { op: 'subscribe', topic: 'smd', conid: 0, fields: ['31'] }, 'conid'],
    ['a fractional conid', { op: 'unsubscribe', topic: 'smd', conid: 1.5 }, 'conid'],
    ['an account id that would forge a part', { op: 'subscribe', topic: 'sbd', acct: 'DU1+265598', conid: 1 }, 'acct'],
    [
      'an exchange with a separator',
      { op: 'subscribe', topic: 'smd', conid: 1, exchange: 'ISLAND+{}', fields: [] },
      'exchange',
    ],
    ['a server id with a separator', { op: 'unsubscribe', topic: 'smh', serverId: '1+2' }, 'serverId'],
    [
      'fields that are not strings',
      { op: 'subscribe', topic: 'smd', conid: 1, fields: [31] as unknown as string[] },
      'fields',
    ],
    ['a trades window outside 1 to 7 days', { op: 'subscribe', topic: 'str', days: 8 }, 'days'],
    ['an empty session', { op: 'session', session: '' }, 'session'],
  ])('refuses %s, naming the field but not its value', (_why, command, field) => {
    let thrown: unknown;
    try {
      encodeCommand(command);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolError);
    expect((thrown as ProtocolError).code).toBe('invalid-field');
    expect((thrown as ProtocolError).message).toContain(`'${field}'`);
    expect((thrown as ProtocolError).message).not.toMatch(/DU1\+|ISLAND\+|1\+2/);
  });

  it('round-trips any valid intent through the simulator parser', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
    const conid = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
    const strings = fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 });
    const exchange = fc.option(word, { nil: undefined });
    const intent: fc.Arbitrary<ClientCommand> = fc.oneof(
      fc.record(
        { op: fc.constant('subscribe' as const), topic: fc.constant('smd' as const), conid, exchange, fields: strings },
        { requiredKeys: ['op', 'topic', 'conid', 'fields'] },
      ),
      fc.record(
        { op: fc.constant('unsubscribe' as const), topic: fc.constant('smd' as const), conid, exchange },
        { requiredKeys: ['op', 'topic', 'conid'] },
      ),
      fc.record({
        op: fc.constant('subscribe' as const),
        topic: fc.constant('smh' as const),
        conid,
        params: fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string(), fc.boolean(), fc.integer())),
      }),
      fc.record({ op: fc.constant('unsubscribe' as const), topic: fc.constant('smh' as const), serverId: word }),
      fc.record(
        { op: fc.constant('subscribe' as const), topic: fc.constant('sbd' as const), acct: word, conid, exchange },
        { requiredKeys: ['op', 'topic', 'acct', 'conid'] },
      ),
      fc.record(
        { op: fc.constant('subscribe' as const), topic: fc.constant('sor' as const), filters: strings },
        { requiredKeys: ['op', 'topic'] },
      ),
      fc.record(
        {
          op: fc.constant('subscribe' as const),
          topic: fc.constant('str' as const),
          realtimeUpdatesOnly: fc.boolean(),
          days: fc.integer({ min: 1, max: 7 }),
        },
        { requiredKeys: ['op', 'topic'] },
      ),
      fc.record(
        {
          op: fc.constant('subscribe' as const),
          topic: fc.constantFrom('ssd' as const, 'sld' as const),
          acct: word,
          keys: strings,
          fields: strings,
        },
        { requiredKeys: ['op', 'topic', 'acct'] },
      ),
      fc.record({
        op: fc.constant('unsubscribe' as const),
        topic: fc.constantFrom('sbd' as const, 'ssd' as const, 'sld' as const),
        acct: word,
      }),
      fc.record({ op: fc.constant('session' as const), session: fc.string({ minLength: 1 }) }),
    );
    fc.assert(
      fc.property(intent, (command) => {
        const withoutUndefined = JSON.parse(JSON.stringify(command)) as unknown;
        expect(parseClientCommand(encodeCommand(command))).toStrictEqual(withoutUndefined);
      }),
    );
  });
});
