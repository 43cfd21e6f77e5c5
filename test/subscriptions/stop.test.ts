import { describe, expect, it } from 'vitest';
import { collect, createHarness, smd, sor } from './support.js';

describe('stop', () => {
  it('ends every iterator after what is buffered, rejects waiting acknowledgements and leaves no timer', async () => {
    const harness = createHarness({ buffers: { orders: { size: 1 } } });
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    const history = harness.facade.history(265598, {});
    const orders = harness.facade.orders();
    harness.hub.onMessage(sor({ orderId: 1 }));
    harness.hub.onMessage(sor({ orderId: 2 }));
    const waiting = quotes[Symbol.asyncIterator]().next();
    expect(harness.clock.pendingTimers).toBeGreaterThan(0);
    harness.hub.stop();
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    expect(await collect(orders)).toHaveLength(2);
    await expect(quotes.acknowledged).rejects.toMatchObject({ code: 'stopped' });
    await expect(history.acknowledged).rejects.toMatchObject({ code: 'stopped' });
    for (const handle of [quotes, history, orders]) expect(handle.status).toBe('closed');
    expect(harness.clock.pendingTimers).toBe(0);
    expect(harness.pauses).toEqual([true, false]);
    expect(harness.facade.subscriptions()).toEqual([]);
  });

  it('sends nothing, reacts to nothing and refuses new subscriptions afterwards', () => {
    const harness = createHarness();
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    harness.takeSent();
    harness.hub.stop();
    harness.hub.onMessage(smd(265598, { '31': '1' }));
    harness.hub.onReady(9);
    harness.hub.refreshMarketData();
    harness.hub.onNotReady('late');
    quotes.close();
    expect(harness.takeSent()).toEqual([]);
    expect(() => harness.facade.pnl()).toThrow(expect.objectContaining({ code: 'stopped' }));
    expect(harness.clock.pendingTimers).toBe(0);
  });

  it('is idempotent', () => {
    const harness = createHarness();
    harness.facade.pnl();
    harness.hub.stop();
    harness.hub.stop();
    expect(harness.statuses).toEqual([{ key: 'spl', status: 'closed', reason: 'stopped' }]);
  });

  it('never lets an unobserved acknowledgement rejection escape', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const harness = createHarness();
      harness.facade.marketData(265598, ['31']);
      harness.facade.raw({ send: { op: 'tic' } });
      harness.hub.stop();
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('closing a handle', () => {
  it('ends its iterator, keeps other consumers running, and is idempotent', async () => {
    const harness = createHarness();
    harness.ready();
    const one = harness.facade.pnl();
    const two = harness.facade.pnl();
    one.close();
    one.close();
    expect(await collect(one)).toEqual([]);
    expect(two.status).toBe('pending');
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'spl' }]);
  });

  it('closes the handle when the consumer breaks out of its loop', async () => {
    const harness = createHarness();
    harness.ready();
    const orders = harness.facade.orders();
    harness.hub.onMessage(sor({ orderId: 1 }));
    harness.takeSent();
    for await (const item of orders) {
      expect(item).toMatchObject({ kind: 'sor' });
      break;
    }
    expect(orders.status).toBe('closed');
    expect(harness.takeSent()).toEqual([{ op: 'unsubscribe', topic: 'sor' }]);
  });
});
