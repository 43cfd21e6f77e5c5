import { describe, expect, it } from 'vitest';
import { decodeAvailability, FIELD_NAMES, type Quote } from '../../src/subscriptions/index.js';
import { createHarness, smd } from './support.js';

async function nextQuote(iterator: AsyncIterator<unknown>): Promise<Quote> {
  return (await iterator.next()).value as Quote;
}

describe('market data as snapshots', () => {
  it('accumulates deltas into the whole quote, with raw ids, readable names and the gateway time', async () => {
    const harness = createHarness();
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31', '84', '86', '55']);
    const iterator = quotes[Symbol.asyncIterator]();
    harness.hub.onMessage(
      smd(265598, { '31': '189.60', '84': '189.56', '86': '189.61', '55': 'AAPL', '6509': 'RpB' }, 1_712_596_911_593),
    );
    harness.clock.advance(500);
    harness.hub.onMessage(smd(265598, { '31': '189.62', '87_raw': 12_200_000 }, 1_712_596_912_093));
    const first = await nextQuote(iterator);
    const second = await nextQuote(iterator);
    expect(first.fields).toEqual({ '31': '189.60', '84': '189.56', '86': '189.61', '55': 'AAPL', '6509': 'RpB' });
    expect(second).toMatchObject({
      kind: 'quote',
      key: 'smd+265598',
      conid: 265598,
      fields: { '31': '189.62', '84': '189.56', '86': '189.61', '55': 'AAPL', '6509': 'RpB', '87_raw': 12_200_000 },
      named: { last: '189.62', bid: '189.56', ask: '189.61', symbol: 'AAPL' },
      availability: { code: 'RpB', timeline: 'realtime', consolidated: true, book: true, snapshot: false },
      updated: 1_712_596_912_093,
      receivedAt: harness.clock.now(),
    });
  });

  it('hands out frozen snapshots, so a buffered quote never changes under its consumer', async () => {
    const harness = createHarness();
    harness.ready();
    const quotes = harness.facade.marketData(8314, ['31']);
    const iterator = quotes[Symbol.asyncIterator]();
    harness.hub.onMessage(smd(8314, { '31': '1' }));
    harness.hub.onMessage(smd(8314, { '31': '2' }));
    const first = await nextQuote(iterator);
    expect(first.fields['31']).toBe('1');
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.fields)).toBe(true);
    expect(() => {
      (first.fields as Record<string, unknown>)['31'] = 'changed';
    }).toThrow();
  });

  it('gives every consumer of a conid the same quote object, and keeps the exchange it was asked for', async () => {
    const harness = createHarness();
    harness.ready();
    const one = harness.facade.marketData('8314@ARCA', ['31'])[Symbol.asyncIterator]();
    const two = harness.facade.marketData('8314@ARCA', ['84'])[Symbol.asyncIterator]();
    harness.hub.onMessage(smd(8314, { '31': '1' }));
    const [a, b] = [await nextQuote(one), await nextQuote(two)];
    expect(a).toBe(b);
    expect(a.exchange).toBe('ARCA');
  });

  it('ignores market data for conids nobody subscribed and messages without a conid', () => {
    const harness = createHarness();
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    harness.hub.onMessage(smd(1, { '31': '1' }));
    harness.hub.onMessage({ kind: 'smd', topic: 'smd+0', conid: 0, fields: {} });
    harness.hub.onMessage({ kind: 'smd', topic: 'smd', conid: undefined as unknown as number, fields: {} });
    expect(quotes.status).toBe('pending');
  });

  it('names the documented fields', () => {
    expect(FIELD_NAMES).toMatchObject({
      '31': 'last',
      '55': 'symbol',
      '70': 'high',
      '71': 'low',
      '82': 'change',
      '83': 'changePercent',
      '84': 'bid',
      '85': 'askSize',
      '86': 'ask',
      '87': 'volume',
      '88': 'bidSize',
      '7059': 'lastSize',
      '7295': 'open',
      '7296': 'close',
      '7741': 'priorClose',
      '7762': 'volumeExact',
    });
  });

  it.each([
    ['RpB', { timeline: 'realtime', consolidated: true, book: true, snapshot: false }],
    ['DPB', { timeline: 'delayed', consolidated: false, book: true, snapshot: true }],
    ['Zp', { timeline: 'frozen', consolidated: true, book: false, snapshot: false }],
    ['Y', { timeline: 'frozen-delayed', consolidated: false, book: false, snapshot: false }],
    ['N', { timeline: 'not-subscribed', consolidated: false, book: false, snapshot: false }],
    ['Q?', { timeline: 'unknown', consolidated: false, book: false, snapshot: false }],
  ])('decodes availability %s', (code, expected) => {
    expect(decodeAvailability(code)).toEqual({ code, ...expected });
  });

  it('decodes a changed availability and keeps it across deltas that do not carry it', async () => {
    const harness = createHarness();
    harness.ready();
    const iterator = harness.facade.marketData(8314, ['31'])[Symbol.asyncIterator]();
    harness.hub.onMessage(smd(8314, { '6509': 'DpB' }));
    harness.hub.onMessage(smd(8314, { '31': '1' }));
    harness.hub.onMessage(smd(8314, { '6509': 'RpB' }));
    const timelines = [await nextQuote(iterator), await nextQuote(iterator), await nextQuote(iterator)].map(
      (quote) => quote.availability?.timeline,
    );
    expect(timelines).toEqual(['delayed', 'delayed', 'realtime']);
  });
});
