import { describe, expect, it } from 'vitest';
import { createHarness, smd } from './support.js';

describe('desired state, not commands', () => {
  it('sends nothing before the socket is ready, then every wanted subscription at once', () => {
    const harness = createHarness();
    const quotes = harness.facade.marketData(265598, ['31']);
    harness.facade.orders();
    harness.facade.pnl();
    expect(harness.sent).toEqual([]);
    expect(harness.refused).toEqual([]);
    expect(quotes.status).toBe('pending');
    harness.ready();
    expect(harness.takeSent()).toEqual([
      { op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31'] },
      { op: 'subscribe', topic: 'sor' },
      { op: 'subscribe', topic: 'spl' },
    ]);
  });

  it('re-sends every wanted subscription after every re-authentication', () => {
    const harness = createHarness();
    harness.ready();
    harness.facade.marketData(265598, ['31']);
    harness.facade.ledger('DU1');
    harness.takeSent();
    for (let outage = 0; outage < 3; outage++) {
      harness.notReady();
      expect(harness.takeSent()).toEqual([]);
      harness.ready();
      expect(harness.takeSent()).toEqual([
        { op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31'] },
        { op: 'subscribe', topic: 'sld', acct: 'DU1' },
      ]);
    }
  });

  it('keeps a subscription opened during an outage and sends it once ready', () => {
    const harness = createHarness();
    harness.ready();
    harness.notReady('close 1000');
    const quotes = harness.facade.marketData(8314, ['31']);
    expect(harness.takeSent()).toEqual([]);
    harness.ready();
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'smd', conid: 8314, fields: ['31'] }]);
    harness.hub.onMessage(smd(8314, { '31': '1.00' }));
    expect(quotes.status).toBe('active');
  });

  it('shares one wire subscription between consumers of the same topic', () => {
    const harness = createHarness();
    harness.ready();
    const first = harness.facade.orders();
    const second = harness.facade.orders();
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'sor' }]);
    expect(harness.facade.subscriptions()).toEqual([
      expect.objectContaining({ key: 'sor', consumers: 2, status: 'active' }),
    ]);
    first.close();
    expect(harness.takeSent()).toEqual([]);
    second.close();
    expect(harness.takeSent()).toEqual([{ op: 'unsubscribe', topic: 'sor' }]);
    expect(harness.facade.subscriptions()).toEqual([]);
  });

  it('merges market-data fields: a consumer with new fields re-sends smd with the union, the status stays', () => {
    const harness = createHarness();
    harness.ready();
    const first = harness.facade.marketData(265598, ['31', '84']);
    harness.hub.onMessage(smd(265598, { '31': '1' }));
    harness.takeSent();
    const second = harness.facade.marketData(265598, ['84', '86']);
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31', '84', '86'] }]);
    expect(first.status).toBe('active');
    expect(second.status).toBe('active');
    harness.facade.marketData(265598, ['31']);
    expect(harness.takeSent()).toEqual([]);
  });

  it('merges account-summary keys and order filters, where absent means everything and wins', () => {
    const harness = createHarness();
    harness.ready();
    harness.facade.accountSummary('DU1', ['A']);
    harness.facade.accountSummary('DU1', ['B']);
    harness.facade.accountSummary('DU1', ['A']);
    harness.facade.orders(['Submitted']);
    harness.facade.orders();
    expect(harness.takeSent()).toEqual([
      { op: 'subscribe', topic: 'ssd', acct: 'DU1', keys: ['A'] },
      { op: 'subscribe', topic: 'ssd', acct: 'DU1', keys: ['A', 'B'] },
      { op: 'subscribe', topic: 'sor', filters: ['Submitted'] },
      { op: 'subscribe', topic: 'sor' },
    ]);
  });

  it('de-duplicates on re-authentication: one subscribe per wire subscription, whatever the number of consumers', () => {
    const harness = createHarness();
    for (let index = 0; index < 5; index++) harness.facade.marketData(265598, ['31']);
    harness.facade.trades();
    harness.facade.trades();
    harness.ready();
    expect(harness.takeSent()).toEqual([
      { op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31'] },
      { op: 'subscribe', topic: 'str' },
    ]);
  });

  it('never sends an unsubscribe for a stream nobody subscribed on this socket, but frees a market data line on the next', () => {
    const harness = createHarness();
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    const orders = harness.facade.orders();
    harness.notReady();
    harness.takeSent();
    quotes.close();
    orders.close();
    expect(harness.takeSent()).toEqual([]);
    harness.ready();
    // Lines belong to the username and outlive sockets (docs/PROTOCOL.md §4.2): release it; the orders stream died with the socket.
    expect(harness.takeSent()).toEqual([{ op: 'unsubscribe', topic: 'smd', conid: 265598 }]);
  });

  it('forgets a deferred unsubscribe when the stream is wanted again before the socket is back', () => {
    const harness = createHarness();
    harness.ready();
    harness.facade.marketData(265598, ['31']).close();
    harness.notReady();
    const again = harness.facade.marketData(265598, ['31']);
    harness.takeSent();
    harness.ready();
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31'] }]);
    expect(again.status).toBe('pending');
  });

  it('treats a new socket announced without onNotReady as an outage: gap markers and pending again', () => {
    const harness = createHarness();
    harness.ready(1);
    const quotes = harness.facade.marketData(265598, ['31']);
    harness.hub.onMessage(smd(265598, { '31': '1' }));
    harness.takeSent();
    harness.hub.onReady(2);
    expect(harness.gaps).toEqual([{ key: 'smd+265598', reason: 'socket replaced' }]);
    expect(quotes.status).toBe('pending');
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31'] }]);
  });
});
