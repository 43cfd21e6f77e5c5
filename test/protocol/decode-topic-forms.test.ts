import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/protocol/decode.js';

/** The kind, or the error code: what a frame decodes to. */
function outcome(text: string): string {
  const result = decodeFrame(text);
  return result.ok ? result.message.kind : result.error.code;
}

function decoded(text: string): Record<string, unknown> {
  const result = decodeFrame(text);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.message as unknown as Record<string, unknown>;
}

describe('topic forms the decoder accepts (docs/PROTOCOL-NOTES.md)', () => {
  it.each([
    ['sbd', '{"topic":"sbd","data":[]}', { acct: undefined, conid: undefined, exchange: undefined }],
    [
      'sbd+<acct>+<conid>',
      '{"topic":"sbd+DU12345+265598","data":[]}',
      { acct: 'DU12345', conid: 265598, exchange: undefined },
    ],
    [
      'sbd+<acct>+<conid>+<exch>',
      '{"topic":"sbd+DU12345+265598+ARCA","data":[]}',
      { acct: 'DU12345', conid: 265598, exchange: 'ARCA' },
    ],
  ])('reads the price ladder topic %s', (_form, text, parts) => {
    expect(decoded(text)).toMatchObject({ kind: 'sbd', rows: [] });
    for (const [key, value] of Object.entries(parts)) expect(decoded(text)[key], key).toBe(value);
  });

  it.each([
    ['sbd+<acct> alone', '{"topic":"sbd+DU12345","data":[]}'],
    ['sbd with a symbol for a conid', '{"topic":"sbd+DU12345+AAPL","data":[]}'],
    ['sbd with an empty part', '{"topic":"sbd++265598","data":[]}'],
    ['sbd with five parts', '{"topic":"sbd+DU1+1+ARCA+X","data":[]}'],
    ['ssd without an account', '{"topic":"ssd","result":[]}'],
    ['sld with two parts', '{"topic":"sld+DU1+X","result":[]}'],
    ['smh without a conid', '{"topic":"smh","serverId":"1","data":[]}'],
    ['an exact topic with a part', '{"topic":"sts+1","args":{}}'],
    ['system with a part', '{"topic":"system+1","hb":1}'],
  ])('refuses %s as invalid-field', (_form, text) => {
    expect(outcome(text)).toBe('invalid-field');
  });

  it.each([
    ['sbd without data', '{"topic":"sbd"}'],
    ['smh without serverId', '{"topic":"smh+1","data":[]}'],
    ['smh with an object serverId', '{"topic":"smh+1","serverId":{},"data":[]}'],
    ['smh without data', '{"topic":"smh+1","serverId":"1"}'],
    ['act without args', '{"topic":"act"}'],
    ['spl with array args', '{"topic":"spl","args":[]}'],
    ['str with object args', '{"topic":"str","args":{}}'],
    ['ssd with object result', '{"topic":"ssd+DU1","result":{}}'],
    ['act with a string isPaper', '{"topic":"act","args":{"isPaper":"true"}}'],
    ['system-success with a string isFT', '{"topic":"system","success":"u","isFT":"false"}'],
    ['hb negative', '{"topic":"system","hb":-1}'],
    ['hb fractional', '{"topic":"system","hb":1.5}'],
    ['error code as text', '{"error":"x","code":"1"}'],
    ['sts with array args', '{"topic":"sts","args":[]}'],
  ])('refuses %s as invalid-field', (_form, text) => {
    expect(outcome(text)).toBe('invalid-field');
  });

  it('exposes informative values only when they have their type', () => {
    expect(decoded('{"topic":"tic","alive":"yes","id":7,"lastAccessed":"now"}')).toEqual({ kind: 'tic' });
    expect(decoded('{"topic":"sts","args":{"message":7,"fail":null}}')).toEqual({ kind: 'sts' });
    expect(decoded('{"topic":"smh+1","serverId":"9","symbol":5,"data":[]}')['symbol']).toBeUndefined();
  });

  it('reads the topic code before the first + only, case-sensitively', () => {
    expect(outcome('{"topic":"smdx+1"}')).toBe('unknown');
    expect(outcome('{"topic":"Sts","args":{"authenticated":true}}')).toBe('unknown');
    expect(outcome('{"topic":"error+x"}')).toBe('unknown');
  });

  it('reads an error key before the topic, whatever the topic', () => {
    expect(decoded('{"topic":"system","hb":1,"error":"x"}')).toEqual({ kind: 'error', error: 'x', topic: 'system' });
  });
});

describe('secret-looking text in frames the client may log', () => {
  const session = '0123456789abcdef0123456789abcdef';

  it('redacts a quoted session value in an error text', () => {
    const message = decoded(`{"error":"Topic unknown '{\\"session\\":\\"${session}\\"}'","code":1}`);
    expect(message['error']).toBe(`Topic unknown '{"session":"[redacted]"}'`);
  });

  it('redacts a bare 32-hex run in an error text, an unknown topic and unknown raw text', () => {
    expect(decoded(`{"error":"bad ${session}"}`)['error']).toBe('bad [redacted]');
    expect(decoded(`{"topic":"xyz+${session}"}`)).toEqual({
      kind: 'unknown',
      topic: 'xyz+[redacted]',
      raw: '{"topic":"xyz+[redacted]"}',
    });
  });

  it('keeps error texts without secrets exactly as sent', () => {
    expect(decoded(`{"error":"Topic unknown '{\\"s'","code":1}`)['error']).toBe(`Topic unknown '{"s'`);
  });
});
