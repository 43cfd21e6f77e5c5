import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/protocol/decode.js';
import type { MarketDataMessage, ServerMessage } from '../../src/protocol/types.js';

const WEBAPI_DRAFT_FRAME =
  '{"31":"189.60","6119":"q2","6509":"RpB","7059":"100","84":"189.56","85":"500","86":"189.61","88":"200","_updated":1712596911593,"conid":8314,"conidEx":"8314","server_id":"q2","topic":"smd+8314"}';
const WEBAPI_DRAFT_FIELDS = {
  '31': '189.60',
  '6119': 'q2',
  '6509': 'RpB',
  '7059': '100',
  '84': '189.56',
  '85': '500',
  '86': '189.61',
  '88': '200',
};

function marketData(text: string): MarketDataMessage {
  const result = decodeFrame(text);
  if (!result.ok || result.message.kind !== 'smd') throw new Error(`not an smd message: ${JSON.stringify(result)}`);
  return result.message;
}

/** The rule as the README states it, without shortcuts: the reference the fast path must agree with. */
function referenceFields(text: string): Record<string, unknown> | 'invalid-field' {
  const frame = JSON.parse(text) as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(frame)) {
    if (!/^\d+(_raw)?$/.test(key)) continue;
    const value = frame[key];
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return 'invalid-field';
    fields[key] = value;
  }
  return fields;
}

describe('decodeFrame on market data', () => {
  it('exposes the topic, the conid, every field and _updated', () => {
    const message = marketData(WEBAPI_DRAFT_FRAME);
    expect(message).toMatchObject({ kind: 'smd', topic: 'smd+8314', conid: 8314, updated: 1712596911593 });
    expect(message.fields).toEqual(WEBAPI_DRAFT_FIELDS);
  });

  it('gives the same fields object on every read', () => {
    const message = marketData(WEBAPI_DRAFT_FRAME);
    expect(message.fields).toBe(message.fields);
  });

  it('prints and serialises with its fields', () => {
    const message = marketData(WEBAPI_DRAFT_FRAME);
    const plain = { kind: 'smd', topic: 'smd+8314', conid: 8314, fields: WEBAPI_DRAFT_FIELDS, updated: 1712596911593 };
    expect(JSON.parse(JSON.stringify(message))).toEqual(plain);
    expect(inspect(message)).toContain("'189.60'");
  });

  it('accepts the topic of a conid@EXCHANGE subscription', () => {
    const message = marketData('{"topic":"smd+265598@ISLAND","conid":265598,"31":"118.75"}');
    expect(message).toMatchObject({ topic: 'smd+265598@ISLAND', conid: 265598 });
    expect(message.fields).toEqual({ '31': '118.75' });
  });

  it.each([
    ['an exchange with a separator', '{"topic":"smd+265598@IS+LAND","31":"1"}'],
    ['an empty exchange', '{"topic":"smd+265598@","31":"1"}'],
    ['a zero conid', '{"topic":"smd+0","31":"1"}'],
    ['a signed conid', '{"topic":"smd+-5","31":"1"}'],
    ['a second part', '{"topic":"smd+265598+1","31":"1"}'],
  ])('refuses a topic with %s', (_why, text) => {
    const result = decodeFrame(text);
    expect(result.ok ? result.message.kind : result.error.code).toBe('invalid-field');
  });

  it.each([
    ['a brace inside a string value', '{"topic":"smd+1","31":"{x}","84":"1"}', { '31': '{x}', '84': '1' }],
    ['a literal word inside a string value', '{"topic":"smd+1","55":"true null false"}', { '55': 'true null false' }],
    [
      'an exponent that stays finite',
      '{"topic":"smd+1","87_raw":1.22E7,"87":"12.2M"}',
      { '87_raw': 12200000, '87': '12.2M' },
    ],
    ['a non-field key holding an object', '{"topic":"smd+1","extra":{"31":"9"},"31":"1"}', { '31': '1' }],
  ])('checks each field exactly when the text has %s', (_why, text, fields) => {
    expect(marketData(text).fields).toEqual(fields);
  });

  it.each([
    ['an exponent overflow', '{"topic":"smd+1","31":1e400}'],
    ['a 400-digit number', `{"topic":"smd+1","31":${'9'.repeat(400)}}`],
    ['a negative overflow', '{"topic":"smd+1","87_raw":-1E+999}'],
  ])('refuses a field that is not finite: %s', (_why, text) => {
    const result = decodeFrame(text);
    expect(result.ok ? result.message.kind : result.error.code).toBe('invalid-field');
  });

  it('agrees with the plain reading of the rule on any frame', () => {
    const fieldKey = fc.oneof(
      fc.nat({ max: 9999 }).map(String),
      fc.nat({ max: 99 }).map((id) => `${id}_raw`),
    );
    const otherKey = fc.constantFrom('conidEx', 'server_id', 'extra', '__proto__', 'x1', '_raw', 'e9');
    const stringValue = fc.oneof(
      fc.string(),
      fc.constantFrom('{', '[1]', 'true', 'null', 'false', '1e400', 'C119.46', '1,300', ':', '\\"'),
    );
    const numberText = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
      fc.constantFrom('1e400', '-1E309', '1.5e10', '2E-5', '0', '-0', '1'.repeat(310), '12.5', '1e308'),
    );
    const valueText = fc.oneof(
      stringValue.map((value) => JSON.stringify(value)),
      numberText,
      fc.constantFrom('true', 'false', 'null', '{}', '[]', '{"a":1}', '["31"]'),
    );
    const member = fc.tuple(fc.oneof(fieldKey, otherKey), valueText);
    const space = fc.constantFrom('', ' ', '\n  ');
    const frame = fc
      .tuple(fc.array(member, { maxLength: 12 }), fc.integer({ min: 1, max: 999999 }), space, fc.boolean())
      .map(([members, conid, gap, withConid]) => {
        const parts = members.map(([key, value]) => `${JSON.stringify(key)}:${gap}${value}`);
        if (withConid) parts.push(`"conid":${conid}`);
        parts.push(`"topic":${gap}"smd+${conid}"`);
        return `{${gap}${parts.join(`,${gap}`)}${gap}}`;
      });
    fc.assert(
      fc.property(frame, (text) => {
        const expected = referenceFields(text);
        const result = decodeFrame(text);
        if (expected === 'invalid-field') {
          expect(result.ok ? (result.message as ServerMessage).kind : result.error.code).toBe('invalid-field');
        } else {
          expect(result.ok && result.message.kind === 'smd' ? result.message.fields : result).toEqual(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
