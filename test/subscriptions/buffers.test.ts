import { describe, expect, it } from 'vitest';
import { isGap, type Quote } from '../../src/subscriptions/index.js';
import { createHarness, smd, sor, str } from './support.js';

describe('drop-oldest (market data by default)', () => {
  it('keeps the newest quotes when the consumer falls behind, and counts every drop with an event', async () => {
    const harness = createHarness({ buffers: { marketData: { size: 3 } } });
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    const dropped: number[] = [];
    quotes.on('drop', (event) => dropped.push(event.count));
    const iterator = quotes[Symbol.asyncIterator]();
    for (let price = 1; price <= 5; price++) harness.hub.onMessage(smd(265598, { '31': String(price) }));
    const seen: string[] = [];
    for (let index = 0; index < 3; index++) seen.push(String(((await iterator.next()).value as Quote).fields['31']));
    expect(seen).toEqual(['3', '4', '5']);
    expect(harness.drops).toEqual([
      { reason: 'marketData-drop-oldest', count: 1 },
      { reason: 'marketData-drop-oldest', count: 1 },
    ]);
    expect(dropped).toEqual([1, 1]);
    expect(harness.pauses).toEqual([]);
  });

  it('keeps a gap marker in place when the data around it is dropped', async () => {
    const harness = createHarness();
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31'], { bufferSize: 2 });
    const iterator = quotes[Symbol.asyncIterator]();
    harness.hub.onMessage(smd(265598, { '31': '1' }));
    harness.notReady('close');
    harness.ready();
    harness.hub.onMessage(smd(265598, { '31': '2' }));
    harness.hub.onMessage(smd(265598, { '31': '3' }));
    const items = [(await iterator.next()).value, (await iterator.next()).value];
    expect(isGap(items[0])).toBe(true);
    expect((items[1] as Quote).fields['31']).toBe('3');
  });
});

describe('backpressure (orders and trades by default)', () => {
  it('pauses reading when a consumer buffer is full and resumes when it has drained to half, dropping nothing', async () => {
    const harness = createHarness({ buffers: { orders: { size: 4 } } });
    harness.ready();
    const orders = harness.facade.orders();
    const iterator = orders[Symbol.asyncIterator]();
    for (let id = 1; id <= 5; id++) harness.hub.onMessage(sor({ orderId: id }));
    expect(harness.pauses).toEqual([true]);
    await iterator.next();
    await iterator.next();
    expect(harness.pauses).toEqual([true]);
    await iterator.next();
    expect(harness.pauses).toEqual([true, false]);
    expect(harness.drops).toEqual([]);
    expect(harness.clock.pendingTimers).toBe(0);
  });

  it('keeps reading paused until every full consumer has drained', async () => {
    const harness = createHarness({ buffers: { orders: { size: 2 }, trades: { size: 2 } } });
    harness.ready();
    const orders = harness.facade.orders()[Symbol.asyncIterator]();
    const trades = harness.facade.trades()[Symbol.asyncIterator]();
    for (let id = 1; id <= 2; id++) {
      harness.hub.onMessage(sor({ orderId: id }));
      harness.hub.onMessage(str({ execution_id: String(id) }));
    }
    expect(harness.pauses).toEqual([true]);
    await orders.next();
    expect(harness.pauses).toEqual([true]);
    await trades.next();
    expect(harness.pauses).toEqual([true, false]);
  });

  it('caps a pause at maxPauseMs: reading resumes, the stall is reported, and only then are messages dropped with a gap', async () => {
    const harness = createHarness({ maxPauseMs: 2_000, buffers: { orders: { size: 2 } } });
    harness.ready();
    const orders = harness.facade.orders();
    const gapEvents: string[] = [];
    orders.on('gap', (gap) => gapEvents.push(gap.reason));
    const iterator = orders[Symbol.asyncIterator]();
    harness.hub.onMessage(sor({ orderId: 1 }));
    harness.hub.onMessage(sor({ orderId: 2 }));
    // Frames already in flight when reading paused are still taken, up to twice the buffer.
    harness.hub.onMessage(sor({ orderId: 3 }));
    harness.hub.onMessage(sor({ orderId: 4 }));
    expect(harness.drops).toEqual([]);
    harness.clock.advance(2_000);
    expect(harness.pauses).toEqual([true, false]);
    expect(harness.errors.map((error) => error.code)).toEqual(['buffer-overflow']);
    harness.hub.onMessage(sor({ orderId: 5 }));
    harness.hub.onMessage(sor({ orderId: 6 }));
    expect(harness.drops).toEqual([
      { reason: 'orders-overflow', count: 1 },
      { reason: 'orders-overflow', count: 1 },
    ]);
    expect(gapEvents).toEqual(['overflow']);
    const items = [];
    for (let index = 0; index < 5; index++) items.push((await iterator.next()).value);
    expect(
      items.map((item) =>
        isGap(item) ? `gap ${item.reason}` : (item as { orders: Array<{ orderId: number }> }).orders[0]?.orderId,
      ),
    ).toEqual([1, 2, 3, 4, 'gap overflow']);
    // Drained: the next burst pauses reading again rather than dropping.
    harness.hub.onMessage(sor({ orderId: 7 }));
    harness.hub.onMessage(sor({ orderId: 8 }));
    expect(harness.pauses).toEqual([true, false, true]);
  });

  it('lets a call choose its own buffer and policy', () => {
    const harness = createHarness();
    harness.ready();
    harness.facade.orders({ bufferSize: 1, overflow: 'drop-oldest' });
    harness.hub.onMessage(sor({ orderId: 1 }));
    harness.hub.onMessage(sor({ orderId: 2 }));
    expect(harness.pauses).toEqual([]);
    expect(harness.drops).toEqual([{ reason: 'orders-drop-oldest', count: 1 }]);
  });

  it('releases a pause when the consumer closes', () => {
    const harness = createHarness({ buffers: { orders: { size: 1 } } });
    harness.ready();
    const orders = harness.facade.orders();
    harness.hub.onMessage(sor({ orderId: 1 }));
    expect(harness.pauses).toEqual([true]);
    orders.close();
    expect(harness.pauses).toEqual([true, false]);
    expect(harness.clock.pendingTimers).toBe(0);
  });
});

describe('listening instead of iterating', () => {
  it('delivers data to listeners without buffering, so listening alone never drops or pauses', () => {
    const harness = createHarness({ buffers: { orders: { size: 1 } } });
    harness.ready();
    const orders = harness.facade.orders();
    const seen: number[] = [];
    orders.on('data', (message) => seen.push((message.orders[0] as { orderId: number }).orderId));
    for (let id = 1; id <= 10; id++) harness.hub.onMessage(sor({ orderId: id }));
    expect(seen).toHaveLength(10);
    expect(harness.pauses).toEqual([]);
    expect(harness.drops).toEqual([]);
  });

  it('hands a late first listener what was buffered before it attached', () => {
    const harness = createHarness();
    harness.ready();
    const orders = harness.facade.orders();
    harness.hub.onMessage(sor({ orderId: 1 }));
    const seen: number[] = [];
    orders.on('data', (message) => seen.push((message.orders[0] as { orderId: number }).orderId));
    harness.hub.onMessage(sor({ orderId: 2 }));
    expect(seen).toEqual([1, 2]);
  });

  it('feeds both an iterator and listeners when both are used', async () => {
    const harness = createHarness();
    harness.ready();
    const orders = harness.facade.orders();
    const iterator = orders[Symbol.asyncIterator]();
    const seen: unknown[] = [];
    orders.on('data', (message) => seen.push(message));
    harness.hub.onMessage(sor({ orderId: 1 }));
    expect(seen).toHaveLength(1);
    expect((await iterator.next()).value).toBe(seen[0]);
  });

  it('reports a throwing listener instead of breaking delivery to the others', () => {
    const harness = createHarness();
    harness.ready();
    const orders = harness.facade.orders();
    const seen: unknown[] = [];
    orders.on('data', () => {
      throw new Error('boom');
    });
    orders.on('data', (message) => seen.push(message));
    harness.hub.onMessage(sor({ orderId: 1 }));
    expect(seen).toHaveLength(1);
    expect(harness.errors.map((error) => error.message)).toEqual([expect.stringContaining('boom')]);
  });
});
