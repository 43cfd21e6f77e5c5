import { describe, expect, it } from 'vitest';
import { isGap } from '../../src/subscriptions/index.js';
import { createHarness, smd } from './support.js';

describe('refreshing market data before IBKR expires it', () => {
  it('re-sends every market-data stream of the socket when the statechart asks, without touching their status', () => {
    const harness = createHarness();
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    harness.facade.marketData(8314, ['84']);
    harness.facade.orders();
    harness.hub.onMessage(smd(265598, { '31': '1' }));
    harness.takeSent();
    harness.hub.refreshMarketData();
    expect(harness.takeSent()).toEqual([
      { op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31'] },
      { op: 'subscribe', topic: 'smd', conid: 8314, fields: ['84'] },
    ]);
    expect(quotes.status).toBe('active');
    expect(harness.statuses.filter((change) => change.key === 'smd+265598').map((change) => change.status)).toEqual([
      'active',
    ]);
  });

  it('sends nothing on refresh while the socket is not ready', () => {
    const harness = createHarness();
    harness.facade.marketData(265598, ['31']);
    harness.hub.refreshMarketData();
    expect(harness.sent).toEqual([]);
    expect(harness.refused).toEqual([]);
  });
});

describe('expired streams', () => {
  it('marks a stream silent for longer than its lifetime expired, with a gap, and re-requests it at once', async () => {
    const harness = createHarness({ marketDataExpiryMs: 60_000 });
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    const iterator = quotes[Symbol.asyncIterator]();
    harness.hub.onMessage(smd(265598, { '31': '1' }));
    harness.takeSent();
    harness.clock.advance(59_000);
    expect(quotes.status).toBe('active');
    harness.clock.advance(15_000);
    expect(quotes.status).toBe('expired');
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31'] }]);
    expect(harness.gaps).toEqual([{ key: 'smd+265598', reason: 'expired' }]);
    expect(harness.statuses.at(-1)).toMatchObject({ key: 'smd+265598', status: 'expired' });
    harness.hub.onMessage(smd(265598, { '31': '2' }));
    expect(quotes.status).toBe('active');
    const items = [(await iterator.next()).value, (await iterator.next()).value, (await iterator.next()).value];
    expect(items.map((item) => (isGap(item) ? 'gap' : 'quote'))).toEqual(['quote', 'gap', 'quote']);
  });

  it('re-requests a still-silent expired stream once per lifetime, not in a loop', () => {
    const harness = createHarness({ marketDataExpiryMs: 60_000 });
    harness.ready();
    harness.facade.marketData(265598, ['31']);
    harness.hub.onMessage(smd(265598, { '31': '1' }));
    harness.takeSent();
    harness.clock.advance(10 * 60_000);
    const resent = harness.takeSent();
    expect(resent.length).toBeGreaterThanOrEqual(8);
    expect(resent.length).toBeLessThanOrEqual(10);
    expect(harness.gaps).toHaveLength(1);
  });

  it('lets a per-call lifetime be shorter than the client-wide one', () => {
    const harness = createHarness();
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31'], { expiryMs: 1_000 });
    harness.hub.onMessage(smd(265598, { '31': '1' }));
    harness.clock.advance(1_250);
    expect(quotes.status).toBe('expired');
  });

  it('counts a refresh as a request: a quiet stream refreshed in time is not expired early', () => {
    const harness = createHarness({ marketDataExpiryMs: 60_000 });
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    harness.hub.onMessage(smd(265598, { '31': '1' }));
    harness.clock.advance(50_000);
    harness.hub.refreshMarketData();
    harness.clock.advance(50_000);
    expect(quotes.status).toBe('active');
  });

  it('runs no expiry timer while the socket is down or when no market data is wanted', () => {
    const harness = createHarness();
    harness.ready();
    expect(harness.clock.pendingTimers).toBe(0);
    const quotes = harness.facade.marketData(265598, ['31']);
    harness.hub.onMessage(smd(265598, { '31': '1' }));
    expect(harness.clock.pendingTimers).toBe(1);
    harness.notReady();
    expect(harness.clock.pendingTimers).toBe(0);
    harness.ready();
    quotes.close();
    harness.clock.advance(15 * 60_000);
    expect(harness.clock.pendingTimers).toBe(0);
  });
});
