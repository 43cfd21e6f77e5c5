import { describe, expect, it } from 'vitest';
import { isGap } from '../../src/subscriptions/index.js';
import { createHarness, smd, sor, spl } from './support.js';

describe('gap markers', () => {
  it('puts a gap marker in every open stream when the socket is lost, in order with the data', async () => {
    const harness = createHarness();
    harness.ready();
    const orders = harness.facade.orders();
    const iterator = orders[Symbol.asyncIterator]();
    harness.hub.onMessage(sor({ orderId: 1 }));
    harness.notReady('close 1000');
    harness.ready();
    harness.hub.onMessage(sor({ orderId: 2 }));
    const first = await iterator.next();
    const second = await iterator.next();
    const third = await iterator.next();
    expect(first.value).toMatchObject({ kind: 'sor', orders: [{ orderId: 1 }] });
    expect(second.value).toMatchObject({ kind: 'gap', key: 'sor', reason: 'close 1000', at: harness.clock.now() });
    expect(third.value).toMatchObject({ kind: 'sor', orders: [{ orderId: 2 }] });
  });

  it('reports one gap per wire subscription to the client and one gap event per handle', () => {
    const harness = createHarness();
    harness.ready();
    const first = harness.facade.pnl();
    const second = harness.facade.pnl();
    const quotes = harness.facade.marketData(265598, ['31']);
    const events: string[] = [];
    first.on('gap', (gap) => events.push(`first ${gap.reason}`));
    second.on('gap', (gap) => events.push(`second ${gap.reason}`));
    quotes.on('gap', (gap) => events.push(`quotes ${gap.reason}`));
    harness.notReady('lingering');
    expect(harness.gaps).toEqual([
      { key: 'spl', reason: 'lingering' },
      { key: 'smd+265598', reason: 'lingering' },
    ]);
    expect(events).toEqual(['first lingering', 'second lingering', 'quotes lingering']);
  });

  it('turns active subscriptions pending on the outage and active again on data after re-authentication', () => {
    const harness = createHarness();
    harness.ready();
    const pnl = harness.facade.pnl();
    harness.hub.onMessage(spl());
    harness.notReady('logout');
    expect(pnl.status).toBe('pending');
    harness.ready();
    expect(pnl.status).toBe('pending');
    harness.hub.onMessage(spl());
    expect(pnl.status).toBe('active');
    expect(harness.statuses.map((change) => change.status)).toEqual(['active', 'pending', 'active']);
  });

  it('gives one gap per outage even when told twice, and none for a stream created during the outage', () => {
    const harness = createHarness();
    harness.ready();
    harness.facade.pnl();
    harness.notReady('a');
    harness.notReady('b');
    harness.facade.orders();
    expect(harness.gaps).toEqual([{ key: 'spl', reason: 'a' }]);
  });

  it('never buffers two gap markers in a row for a consumer that does not read', async () => {
    const harness = createHarness();
    harness.ready();
    const pnl = harness.facade.pnl();
    harness.hub.onMessage(spl(1));
    for (let outage = 0; outage < 5; outage++) {
      harness.notReady(`outage ${outage}`);
      harness.ready();
    }
    harness.hub.onMessage(spl(2));
    const iterator = pnl[Symbol.asyncIterator]();
    const items = [await iterator.next(), await iterator.next(), await iterator.next()].map((result) => result.value);
    expect(items.map((item) => (isGap(item) ? `gap ${item.reason}` : 'data'))).toEqual([
      'data',
      'gap outage 0',
      'data',
    ]);
  });

  it('resets the quote on an outage so that stale fields never masquerade as fresh', async () => {
    const harness = createHarness();
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31', '84']);
    const iterator = quotes[Symbol.asyncIterator]();
    harness.hub.onMessage(smd(265598, { '31': '100', '84': '99' }));
    harness.notReady('close');
    harness.ready();
    harness.hub.onMessage(smd(265598, { '31': '101' }));
    const values = [(await iterator.next()).value, (await iterator.next()).value, (await iterator.next()).value];
    expect(values[0]).toMatchObject({ kind: 'quote', fields: { '31': '100', '84': '99' } });
    expect(values[1]).toMatchObject({ kind: 'gap' });
    expect(values[2]).toMatchObject({ kind: 'quote', fields: { '31': '101' } });
    expect((values[2] as { fields: Record<string, unknown> }).fields['84']).toBeUndefined();
  });

  it('ignores a late data frame of the lost socket: nothing turns active without a ready socket', () => {
    const harness = createHarness();
    harness.ready();
    const pnl = harness.facade.pnl();
    harness.notReady('close');
    harness.hub.onMessage(spl());
    expect(pnl.status).toBe('pending');
    expect(harness.statuses).toEqual([]);
  });
});
