/**
 * The market-data scanner is a shortcut past JSON.parse: it may refuse any frame (the general path then decides), but
 * every frame it accepts must give exactly the message the general path gives — the same topic, conid, `updated`
 * and fields, down to -0 and the last of duplicate keys. Checked on the whole fixture corpus and on generated frames
 * built to hit the JSON corners (whitespace, escapes, number forms, literals, nesting, duplicates, errors).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyFrame } from '../../src/protocol/classify.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { MarketDataFrame } from '../../src/protocol/market-data-message.js';
import { scanMarketData } from '../../src/protocol/scan-market-data.js';
import type { JsonObject } from '../../src/protocol/types.js';

type Reference = { outcome: 'message'; message: unknown } | { outcome: 'error'; code: string };

/** The general path alone: JSON.parse, then classify. */
function generalPath(text: string): Reference {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { outcome: 'error', code: 'malformed-json' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { outcome: 'error', code: 'not-an-object' };
  try {
    const message = classifyFrame(value as JsonObject, text);
    return { outcome: 'message', message: message instanceof MarketDataFrame ? message.toJSON() : message };
  } catch (error) {
    if (error instanceof ProtocolError) return { outcome: 'error', code: error.code };
    throw error;
  }
}

/** Accepted frames must match the general path exactly; refused ones are its business. Returns whether accepted. */
function expectAgreement(text: string): boolean {
  const scanned = scanMarketData(text);
  if (scanned === undefined) return false;
  const reference = generalPath(text);
  expect(reference.outcome, `the general path refuses what the scanner accepted: ${text.slice(0, 200)}`).toBe(
    'message',
  );
  expect(scanned.toJSON()).toEqual((reference as { message: unknown }).message);
  // Not only equal as records: each key and value in the parallel arrays, with Object.is for -0.
  const fields = scanned.fields;
  scanned.fieldKeys.forEach((key) =>
    expect(Object.is(scanned.fieldValues[scanned.fieldKeys.lastIndexOf(key)], fields[key])).toBe(true),
  );
  return true;
}

function corpusTexts(name: string): string[] {
  return readFileSync(new URL(`../fixtures/protocol/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { raw?: string; raw_base64?: string })
    .map(
      (line) =>
        line.raw ?? (line.raw_base64 === undefined ? undefined : Buffer.from(line.raw_base64, 'base64').toString()),
    )
    .filter((text): text is string => text !== undefined);
}

describe('the market-data scanner', () => {
  it('agrees with the general path on every frame of the corpus, and reads every plain smd frame of it', () => {
    const texts = [...corpusTexts('server-frames.jsonl'), ...corpusTexts('bad-frames.jsonl')];
    let accepted = 0;
    for (const text of texts) if (expectAgreement(text)) accepted++;
    // The shortcut must actually be taken: every smd frame of the real-gateway corpus is plain.
    const plainMarketData = corpusTexts('server-frames.jsonl').filter((text) => {
      const reference = generalPath(text);
      return reference.outcome === 'message' && (reference.message as { kind: string }).kind === 'smd';
    });
    expect(plainMarketData.length).toBeGreaterThan(5);
    for (const text of plainMarketData) expect(scanMarketData(text), text).toBeInstanceOf(MarketDataFrame);
    expect(accepted).toBeGreaterThanOrEqual(plainMarketData.length);
  });

  it.each([
    ['an escape in a key', '{"topic":"smd+1","3\\u0031":"1"}'],
    ['an escape in a value', '{"topic":"smd+1","31":"1\\"2"}'],
    ['an escaped topic key', '{"top\\u0069c":"smd+1","31":"1"}'],
    ['a raw control character', '{"topic":"smd+1","31":"1\t2"}'],
    ['a nested value', '{"topic":"smd+1","x":{"31":"9"},"31":"1"}'],
    ['an error key', '{"topic":"smd+1","error":"x","31":"1"}'],
    ['a null field', '{"topic":"smd+1","31":null}'],
    ['a non-finite field', '{"topic":"smd+1","31":1e400}'],
    ['a conid that differs', '{"topic":"smd+1","conid":2,"31":"1"}'],
    ['a conid as text', '{"topic":"smd+1","conid":"1","31":"1"}'],
    ['a non-string topic', '{"topic":1,"31":"1"}'],
    ['another topic', '{"topic":"sbd","31":"1"}'],
    ['a bad conid in the topic', '{"topic":"smd+01x","31":"1"}'],
    ['a trailing comma', '{"topic":"smd+1","31":"1",}'],
    ['text after the object', '{"topic":"smd+1","31":"1"}x'],
    ['a second object', '{"topic":"smd+1"}{}'],
    ['a leading zero', '{"topic":"smd+1","31":01}'],
    ['a plus sign', '{"topic":"smd+1","31":+1}'],
    ['a bare fraction', '{"topic":"smd+1","31":1.}'],
    ['a bare exponent', '{"topic":"smd+1","31":1e}'],
    ['a non-JSON space', '{"topic":"smd+1",\u00a0"31":"1"}'],
    ['a cut frame', '{"topic":"smd+1","31":"1'],
    ['an empty object', '{}'],
    ['an array', '[{"topic":"smd+1"}]'],
  ])('refuses %s, leaving it to the general path', (_why, text) => {
    expect(scanMarketData(text)).toBeUndefined();
  });

  it.each([
    ['JSON whitespace everywhere', ' \r\n\t{ "31" :\t"1" ,\n"topic"\r: "smd+7" } \n', { '31': '1' }],
    ['duplicate keys, the last wins', '{"31":"1","topic":"smd+8","31":"2","conid":3,"conid":8}', { '31': '2' }],
    ['literals in keys nobody reads', '{"topic":"smd+9","isFT":true,"x":false,"y":null,"31":"1"}', { '31': '1' }],
    [
      'every number form',
      '{"topic":"smd+1","1":-0,"2":1.5e3,"3":2E-2,"4":-12,"5":1234567890123456789,"6":0.1}',
      { '1': -0, '2': 1500, '3': 0.02, '4': -12, '5': 1234567890123456789, '6': 0.1 },
    ],
    ['non-ASCII text', '{"topic":"smd+1","55":"Ünïcødé €"}', { '55': 'Ünïcødé €' }],
    ['a lone surrogate', '{"topic":"smd+1","55":"\ud800"}', { '55': '\ud800' }],
  ])('reads %s exactly as JSON.parse does', (_why, text, fields) => {
    expect(expectAgreement(text)).toBe(true);
    expect(scanMarketData(text)?.fields).toEqual(fields);
  });

  it('agrees with the general path on generated frames', () => {
    const key = fc.oneof(
      fc.nat({ max: 99_999 }).map(String),
      fc.nat({ max: 99 }).map((id) => `${id}_raw`),
      fc.constantFrom(
        'topic',
        'conid',
        '_updated',
        'error',
        'conidEx',
        'server_id',
        '__proto__',
        '031',
        '_raw',
        '6509',
        'topic ',
        'Topic',
        '1a',
        '31_ra',
        '7_raw_',
        '12e',
        '5_RAW',
        '0',
        '00',
        '1234567',
        '999999',
      ),
    );
    const keyText = fc.oneof(
      { weight: 30, arbitrary: key.map((text) => JSON.stringify(text)) },
      { weight: 1, arbitrary: fc.constantFrom('"3\\u0031"', '"top\\u0069c"', '"a\\nb"') },
    );
    const number = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
      fc.integer().map(String),
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
      fc.constantFrom('-0', '0', '1e400', '-1E309', '1.5e+10', '2E-5', '0.5', '1'.repeat(20)),
      fc.constantFrom('01', '+1', '.5', '1.', '1e', '-', '1e+'),
    );
    const value = fc.oneof(
      { weight: 12, arbitrary: fc.string().map((text) => JSON.stringify(text)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('"smd+1"', '"smd+42"', '"smd+42@ARCA"', '"smd+0"', '"sbd"', '"\\"x"', '"\t"'),
      },
      { weight: 8, arbitrary: number },
      { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '{}', '[]', '{"31":1}', 'nul', 'True') },
    );
    const space = fc.oneof(
      { weight: 40, arbitrary: fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n ') },
      { weight: 1, arbitrary: fc.constant('\u00a0') },
    );
    const member = fc.tuple(keyText, space, space, value).map(([k, before, after, v]) => `${k}${before}:${after}${v}`);
    const frame = fc
      .tuple(
        fc.array(member, { maxLength: 8 }),
        fc.constantFrom(1, 42),
        space,
        fc.nat(9).map((n) => n > 0),
        fc.constantFrom('', '', '', '', '', '', ',', 'x', '}'),
      )
      .map(([members, conid, gap, withTopic, tail]) => {
        const parts = withTopic ? [...members, `"topic":"smd+${conid}"`] : members;
        return `${gap}{${gap}${parts.join(`${gap},${gap}`)}${gap}}${tail === '' ? gap : tail}`;
      });
    let accepted = 0;
    fc.assert(
      fc.property(frame, (text) => {
        if (expectAgreement(text)) accepted++;
      }),
      { numRuns: 5000 },
    );
    // The generator must reach the interesting side too: a scanner that refused everything would pass the rest.
    expect(accepted).toBeGreaterThan(500);
  });
});
