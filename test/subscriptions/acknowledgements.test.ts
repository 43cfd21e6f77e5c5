import { describe, expect, it } from 'vitest';
import { ACK_RULES } from '../../src/subscriptions/index.js';
import { createHarness, errorFrame, sld, smd, spl, ssd, str } from './support.js';

describe('acknowledgement rules', () => {
  it('follows docs/PROTOCOL.md: first data for smd, smh, spl, str, ssd and sld; nothing for sor and sbd', () => {
    expect(ACK_RULES).toEqual({
      smd: 'first-data',
      smh: 'first-data',
      spl: 'first-data',
      str: 'first-data-or-quiet',
      ssd: 'first-data',
      sld: 'first-data',
      sor: 'on-send',
      sbd: 'on-send',
    });
  });

  it('keeps a data-acknowledged subscription pending after sending and makes it active on its first data message', async () => {
    const harness = createHarness();
    harness.ready();
    const handles = {
      quotes: harness.facade.marketData(265598, ['31']),
      pnl: harness.facade.pnl(),
      summary: harness.facade.accountSummary('DU1'),
      ledger: harness.facade.ledger('DU1'),
      trades: harness.facade.trades(),
    };
    for (const handle of Object.values(handles)) expect(handle.status).toBe('pending');
    harness.hub.onMessage(smd(265598, { '31': '1' }));
    harness.hub.onMessage(spl());
    harness.hub.onMessage(ssd('DU1'));
    harness.hub.onMessage(sld('DU1'));
    harness.hub.onMessage(str({ execution_id: 'x' }));
    for (const handle of Object.values(handles)) {
      expect(handle.status).toBe('active');
      await expect(handle.acknowledged).resolves.toBeUndefined();
    }
  });

  it('makes orders and the price ladder active as soon as they are sent on a ready socket, and not before', async () => {
    const harness = createHarness();
    const orders = harness.facade.orders();
    const book = harness.facade.book('DU1', 265598);
    expect(orders.status).toBe('pending');
    harness.ready();
    expect(orders.status).toBe('active');
    expect(book.status).toBe('active');
    await expect(orders.acknowledged).resolves.toBeUndefined();
  });

  it('re-sends after each ack timeout and fails after the configured retries with a reason', async () => {
    const harness = createHarness({ ackTimeoutMs: 1_000, retries: 2 });
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    const subscribe = { op: 'subscribe', topic: 'smd', conid: 265598, fields: ['31'] };
    expect(harness.takeSent()).toEqual([subscribe]);
    harness.clock.advance(1_000);
    expect(harness.takeSent()).toEqual([subscribe]);
    harness.clock.advance(1_000);
    expect(harness.takeSent()).toEqual([subscribe]);
    expect(quotes.status).toBe('pending');
    harness.clock.advance(1_000);
    expect(harness.takeSent()).toEqual([]);
    expect(quotes.status).toBe('failed');
    await expect(quotes.acknowledged).rejects.toMatchObject({
      code: 'subscription-failed',
      message: expect.stringContaining('3 attempt(s)'),
    });
    expect(harness.errors.map((error) => error.code)).toEqual(['subscription-failed']);
    expect(harness.statuses.at(-1)).toEqual({
      key: 'smd+265598',
      status: 'failed',
      reason: 'no acknowledgement after 3 attempt(s) of 1000 ms',
    });
    expect(harness.clock.pendingTimers).toBe(1); // only the expiry sweep
  });

  it('honours per-call ack timeout and retries over the client-wide ones', () => {
    const harness = createHarness({ ackTimeoutMs: 1_000, retries: 5 });
    harness.ready();
    const summary = harness.facade.accountSummary('DU1', undefined, undefined, { ackTimeoutMs: 200, retries: 0 });
    harness.clock.advance(200);
    expect(summary.status).toBe('failed');
  });

  it('tries a failed subscription again after the next re-authentication', () => {
    const harness = createHarness({ ackTimeoutMs: 100, retries: 0 });
    harness.ready();
    const pnl = harness.facade.pnl();
    harness.clock.advance(100);
    expect(pnl.status).toBe('failed');
    harness.notReady();
    expect(pnl.status).toBe('failed');
    harness.takeSent();
    harness.ready();
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'spl' }]);
    expect(pnl.status).toBe('pending');
    harness.hub.onMessage(spl());
    expect(pnl.status).toBe('active');
  });

  it('gives a failed subscription a fresh start when a new consumer asks for it', () => {
    const harness = createHarness({ ackTimeoutMs: 100, retries: 0 });
    harness.ready();
    harness.facade.pnl();
    harness.clock.advance(100);
    harness.takeSent();
    const again = harness.facade.pnl();
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'spl' }]);
    expect(again.status).toBe('pending');
  });

  it('treats a quiet trades stream as active after the ack timeout, without re-sending (a re-sent str replays the day)', async () => {
    const harness = createHarness({ ackTimeoutMs: 1_000, retries: 3 });
    harness.ready();
    const trades = harness.facade.trades();
    harness.takeSent();
    harness.clock.advance(1_000);
    expect(harness.takeSent()).toEqual([]);
    expect(trades.status).toBe('active');
    await expect(trades.acknowledged).resolves.toBeUndefined();
    expect(harness.statuses.at(-1)).toMatchObject({
      key: 'str',
      status: 'active',
      reason: expect.stringContaining('quiet'),
    });
  });

  it('fails the subscription an error frame names, with the gateway text as the reason', async () => {
    const harness = createHarness();
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    const other = harness.facade.marketData(8314, ['31']);
    harness.hub.onMessage(errorFrame('smd+265598', 'market data lines exhausted: 100 in use'));
    expect(quotes.status).toBe('failed');
    expect(other.status).toBe('pending');
    await expect(quotes.acknowledged).rejects.toMatchObject({
      code: 'subscription-failed',
      message: expect.stringContaining('lines exhausted'),
    });
    expect(harness.clock.pendingTimers).toBe(2); // the other's ack timer and the expiry sweep
  });

  it('ignores error frames without a topic or for topics nobody subscribed', () => {
    const harness = createHarness();
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    harness.hub.onMessage(errorFrame(undefined, "Topic unknown 'xyz'"));
    harness.hub.onMessage(errorFrame('smd+1', 'nope'));
    expect(quotes.status).toBe('pending');
    expect(harness.errors).toEqual([]);
  });

  it('resolves the acknowledgement of a consumer joining an active stream at once', async () => {
    const harness = createHarness();
    harness.ready();
    harness.facade.pnl();
    harness.hub.onMessage(spl());
    const late = harness.facade.pnl();
    expect(late.status).toBe('active');
    await expect(late.acknowledged).resolves.toBeUndefined();
  });

  it('rejects the acknowledgement of a handle closed before its first data with subscription-closed', async () => {
    const harness = createHarness();
    const quotes = harness.facade.marketData(265598, ['31']);
    quotes.close();
    await expect(quotes.acknowledged).rejects.toMatchObject({ code: 'subscription-closed' });
  });

  it('stops ack timers while the socket is down and starts them afresh on the next one', () => {
    const harness = createHarness({ ackTimeoutMs: 1_000, retries: 0 });
    harness.ready();
    const quotes = harness.facade.marketData(265598, ['31']);
    harness.clock.advance(900);
    harness.notReady();
    harness.clock.advance(10_000);
    expect(quotes.status).toBe('pending');
    harness.ready();
    harness.clock.advance(900);
    expect(quotes.status).toBe('pending');
    harness.clock.advance(100);
    expect(quotes.status).toBe('failed');
  });
});
