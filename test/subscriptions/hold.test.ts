/**
 * hold(topic) / release(topic): the hub keeps the subscriptions of a topic unsent while a REST pre-flight runs (the
 * client holds `sor` for `/iserver/account/orders`, docs/PROTOCOL.md §6), and sends them — once, with every consumer's
 * request merged — when released on a ready socket. Other topics are never delayed.
 */
import { describe, expect, it } from 'vitest';
import { createHarness } from './support.js';

describe('holding a topic back', () => {
  it('keeps a new subscription of a held topic pending and unsent, and sends it once released', () => {
    const harness = createHarness();
    harness.ready();
    harness.hub.hold('sor');
    const orders = harness.facade.orders();
    const quotes = harness.facade.marketData(265598, ['31']);
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31'] }]);
    expect(orders.status).toBe('pending');
    expect(harness.hub.wants('sor')).toBe(true);
    harness.hub.release('sor');
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'sor' }]);
    expect(orders.status).toBe('active');
    expect(quotes.status).toBe('pending');
  });

  it('sends the merged request of consumers that joined while held, once', () => {
    const harness = createHarness();
    harness.ready();
    harness.hub.hold('sor');
    harness.facade.orders(['Submitted']);
    harness.facade.orders(['Filled']);
    expect(harness.takeSent()).toEqual([]);
    harness.hub.release('sor');
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'sor', filters: ['Submitted', 'Filled'] }]);
  });

  it('leaves a held topic out of the full sync of a new socket', () => {
    const harness = createHarness();
    harness.facade.orders();
    harness.facade.pnl();
    harness.hub.hold('sor');
    harness.ready();
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'spl' }]);
    harness.hub.release('sor');
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'sor' }]);
  });

  it('sends nothing when released without a ready socket; the next one carries it', () => {
    const harness = createHarness();
    harness.ready();
    harness.hub.hold('sor');
    harness.facade.orders();
    harness.notReady();
    harness.hub.release('sor');
    expect(harness.takeSent()).toEqual([]);
    harness.ready();
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'sor' }]);
  });

  it('wants a topic only while some consumer has it open', () => {
    const harness = createHarness();
    expect(harness.hub.wants('sor')).toBe(false);
    const orders = harness.facade.orders();
    expect(harness.hub.wants('sor')).toBe(true);
    orders.close();
    expect(harness.hub.wants('sor')).toBe(false);
  });
});
