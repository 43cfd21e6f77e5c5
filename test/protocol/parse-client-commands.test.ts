import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClientCommand } from '../../src/protocol/parse-client-command.js';

interface CommandLine {
  id: string;
  intent: unknown;
  wire: string;
  canonical: boolean;
}

const corpus = readFileSync(new URL('../fixtures/protocol/client-commands.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CommandLine);

describe('parseClientCommand', () => {
  it('reads every line of the client command corpus (43 lines)', () => {
    expect(corpus).toHaveLength(43);
  });

  it.each(corpus.map((line) => [line.id, line] as const))('parses %s to its intent', (_id, line) => {
    expect(parseClientCommand(line.wire)).toStrictEqual(line.intent);
  });

  it.each([
    ['xyz+{}', 'xyz'],
    ['smdx', 'smd'],
    ['smd+AAPL+{"fields":["31"]}', 'smd'],
    ['smd+265598+{"fields":[31]}', 'smd'],
    ['smd+265598+{"fields":', 'smd'],
    ['smd+0+{}', 'smd'],
    ['str+{"days":8}', 'str'],
    ['tic+', 'tic'],
    ['{"session":"0123456789abcdef0123456789abcdef","x":1}', '{"s'],
    ['{"sess', '{"s'],
    ['', ''],
    ['SMD+265598+{}', 'SMD'],
  ])('answers topic-unknown for %j', (wire, code3) => {
    expect(parseClientCommand(wire)).toStrictEqual({ error: 'topic-unknown', code3 });
  });

  it('keeps the key order of history parameters', () => {
    const command = parseClientCommand('smh+8314+{"period":"1d","bar":"1h"}');
    expect(command).toMatchObject({ op: 'subscribe', topic: 'smh', conid: 8314 });
    expect(Object.keys((command as { params: object }).params)).toEqual(['period', 'bar']);
  });

  it('accepts a single status string as an order filter', () => {
    expect(parseClientCommand('sor+{"filters":"Filled"}')).toStrictEqual({
      op: 'subscribe',
      topic: 'sor',
      filters: ['Filled'],
    });
  });

  it('reads an unsubscribe of a market-data stream on an exchange', () => {
    expect(parseClientCommand('umd+265598@ISLAND+{}')).toStrictEqual({
      op: 'unsubscribe',
      topic: 'smd',
      conid: 265598,
      exchange: 'ISLAND',
    });
  });
});
