import { describe, expect, it } from 'vitest';
import { createHarness } from './support.js';

describe('subscribe and unsubscribe intents per topic', () => {
  const cases = [
    {
      name: 'market data',
      open: (h: ReturnType<typeof createHarness>) => h.facade.marketData(265598, ['31', '84', '86']),
      key: 'smd+265598',
      subscribe: { op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31', '84', '86'] },
      unsubscribe: { op: 'unsubscribe', topic: 'smd', conid: 265598 },
    },
    {
      name: 'market data on one exchange',
      open: (h: ReturnType<typeof createHarness>) => h.facade.marketData('265598@ISLAND', ['31']),
      key: 'smd+265598',
      subscribe: { op: 'subscribe', topic: 'smd', conid: 265598, exchange: 'ISLAND', fields: ['31'] },
      unsubscribe: { op: 'unsubscribe', topic: 'smd', conid: 265598, exchange: 'ISLAND' },
    },
    {
      name: 'orders',
      open: (h: ReturnType<typeof createHarness>) => h.facade.orders(),
      key: 'sor',
      subscribe: { op: 'subscribe', topic: 'sor' },
      unsubscribe: { op: 'unsubscribe', topic: 'sor' },
    },
    {
      name: 'orders with filters',
      open: (h: ReturnType<typeof createHarness>) => h.facade.orders(['Submitted']),
      key: 'sor',
      subscribe: { op: 'subscribe', topic: 'sor', filters: ['Submitted'] },
      unsubscribe: { op: 'unsubscribe', topic: 'sor' },
    },
    {
      name: 'P&L',
      open: (h: ReturnType<typeof createHarness>) => h.facade.pnl(),
      key: 'spl',
      subscribe: { op: 'subscribe', topic: 'spl' },
      unsubscribe: { op: 'unsubscribe', topic: 'spl' },
    },
    {
      name: 'trades',
      open: (h: ReturnType<typeof createHarness>) => h.facade.trades({ days: 3 }),
      key: 'str',
      subscribe: { op: 'subscribe', topic: 'str', days: 3 },
      unsubscribe: { op: 'unsubscribe', topic: 'str' },
    },
    {
      name: 'the price ladder',
      open: (h: ReturnType<typeof createHarness>) => h.facade.book('DU12345', 265598, 'ARCA'),
      key: 'sbd+DU12345+265598+ARCA',
      subscribe: { op: 'subscribe', topic: 'sbd', acct: 'DU12345', conid: 265598, exchange: 'ARCA' },
      unsubscribe: { op: 'unsubscribe', topic: 'sbd', acct: 'DU12345' },
    },
    {
      name: 'the account summary',
      open: (h: ReturnType<typeof createHarness>) =>
        h.facade.accountSummary('DU1234567', ['NetLiquidation-S'], ['monetaryValue']),
      key: 'ssd+DU1234567',
      subscribe: {
        op: 'subscribe',
        topic: 'ssd',
        acct: 'DU1234567',
        keys: ['NetLiquidation-S'],
        fields: ['monetaryValue'],
      },
      unsubscribe: { op: 'unsubscribe', topic: 'ssd', acct: 'DU1234567' },
    },
    {
      name: 'the ledger',
      open: (h: ReturnType<typeof createHarness>) => h.facade.ledger('DU1234567'),
      key: 'sld+DU1234567',
      subscribe: { op: 'subscribe', topic: 'sld', acct: 'DU1234567' },
      unsubscribe: { op: 'unsubscribe', topic: 'sld', acct: 'DU1234567' },
    },
  ];

  it.each(cases)(
    '$name: subscribes with its own intent once ready and unsubscribes with its own form on close',
    ({ open, key, subscribe, unsubscribe }) => {
      const harness = createHarness();
      harness.ready();
      const handle = open(harness);
      expect(handle.key).toBe(key);
      expect(harness.takeSent()).toEqual([subscribe]);
      handle.close();
      expect(harness.takeSent()).toEqual([unsubscribe]);
      expect(handle.status).toBe('closed');
    },
  );

  it('history subscribes with its params as given and is released with umh+<serverId> from the response', () => {
    const harness = createHarness();
    harness.ready();
    const handle = harness.facade.history(265598, { exchange: 'ISLAND', period: '2h', bar: '5min' });
    expect(harness.takeSent()).toEqual([
      { op: 'subscribe', topic: 'smh', conid: 265598, params: { exchange: 'ISLAND', period: '2h', bar: '5min' } },
    ]);
    expect(handle.key).toBe('smh+265598+{"exchange":"ISLAND","period":"2h","bar":"5min"}');
    harness.hub.onMessage({ kind: 'smh', topic: 'smh+265598', conid: 265598, serverId: '341115', bars: [], body: {} });
    expect(harness.takeSent()).toEqual([{ op: 'unsubscribe', topic: 'smh', serverId: '341115' }]);
  });

  it('fields may be given by name and are sent as ids, each once', () => {
    const harness = createHarness();
    harness.ready();
    harness.facade.marketData(8314, ['last', 'bid', '84', 'ask', 'symbol']);
    expect(harness.takeSent()).toEqual([
      { op: 'subscribe', topic: 'smd', conid: 8314, fields: ['31', '84', '86', '55'] },
    ]);
  });

  it('refuses malformed arguments with invalid-option before anything reaches the wire', () => {
    const harness = createHarness();
    harness.ready();
    expect(() => harness.facade.marketData(-1, ['31'])).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    expect(() => harness.facade.marketData('AAPL' as `${number}@${string}`, ['31'])).toThrow(
      expect.objectContaining({ code: 'invalid-option' }),
    );
    expect(() => harness.facade.marketData(265598, [])).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    expect(() => harness.facade.book('DU+1', 265598)).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    expect(() => harness.facade.trades({ days: 9 })).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    expect(() => harness.facade.history(265598, [] as never)).toThrow(
      expect.objectContaining({ code: 'invalid-option' }),
    );
    expect(() => harness.facade.marketData(265598, ['31'], { bufferSize: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid-option' }),
    );
    expect(harness.sent).toEqual([]);
  });

  it('closing one of two ladders of an account re-requests the other, since ubd ends every ladder of the account', () => {
    const harness = createHarness();
    harness.ready();
    const first = harness.facade.book('DU12345', 265598);
    harness.facade.book('DU12345', 8314);
    harness.takeSent();
    first.close();
    expect(harness.takeSent()).toEqual([
      { op: 'unsubscribe', topic: 'sbd', acct: 'DU12345' },
      { op: 'subscribe', topic: 'sbd', acct: 'DU12345', conid: 8314 },
    ]);
  });
});
