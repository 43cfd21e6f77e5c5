import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MarketDataMessage } from '../../src/protocol/types.js';
import { QuoteAccumulator } from '../../src/subscriptions/quote.js';
import { quoteJsonText } from '../../src/subscriptions/quote-json.js';

// Ids as the gateway sends them, and the awkward ones: leading zero, the largest array index and one past it,
// names JSON must escape, and two ids of one name (31 and 7762 are not; 84/86 are bid/ask).
const IDS = [
  '31',
  '84',
  '86',
  '55',
  '6509',
  '7295',
  '87_raw',
  '_updated',
  '0',
  '01',
  '4294967294',
  '4294967295',
  'q"\\',
];
// A wire number can overflow to Infinity (`1e999` parses so), which JSON writes as null; -0 is written as 0.
const value = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.double({ noNaN: true }),
  fc.integer(),
  fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 'plain ascii', '', 'é'),
);
const delta = fc.dictionary(fc.constantFrom(...IDS), value, { minKeys: 1, maxKeys: 6 });

describe('a quote written as JSON text', () => {
  it('is byte for byte what JSON.stringify makes of the bridge body, for any sequence of deltas', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ fields: delta, updated: fc.option(fc.nat(), { nil: undefined }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.option(fc.constantFrom('NYSE', 'ARCA'), { nil: undefined }),
        fc.string(),
        fc.nat(),
        (deltas, exchange, key, receivedAt) => {
          const accumulator = new QuoteAccumulator('smd+8314', 8314, exchange);
          for (const { fields, updated } of deltas) {
            const message: MarketDataMessage = {
              kind: 'smd',
              topic: 'smd+8314',
              conid: 8314,
              fields,
              ...(updated === undefined ? {} : { updated }),
            };
            const quote = accumulator.apply(message, receivedAt);
            const plain = (quote as unknown as { toJSON(): object }).toJSON();
            const expected = JSON.stringify({ ...plain, v: 1, kind: 'quote', key });
            expect(quoteJsonText(quote, key, '"v":1')).toBe(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('stringifies a quote that is not the library’s own the ordinary way', () => {
    const plain = {
      kind: 'quote' as const,
      key: 'smd+1',
      conid: 1,
      exchange: undefined,
      fields: { '31': '1' },
      named: { last: '1' },
      availability: undefined,
      updated: undefined,
      receivedAt: 5,
    };
    expect(JSON.parse(quoteJsonText(plain, 'smd+1', '"v":1'))).toEqual({ ...plain, v: 1 });
  });
});
