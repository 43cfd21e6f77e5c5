import { describe, expect, it } from 'vitest';
import { BUFFER_DEFAULTS, SUBSCRIPTION_DEFAULTS, SubscriptionHub } from '../../src/subscriptions/index.js';
import { resolveSubscriptionOptions } from '../../src/subscriptions/defaults.js';
import { merge } from '../../src/subscriptions/wire-requests.js';

describe('options', () => {
  it('defaults every option in one place', () => {
    expect(resolveSubscriptionOptions({})).toEqual({ ...SUBSCRIPTION_DEFAULTS, buffers: BUFFER_DEFAULTS });
    expect(SUBSCRIPTION_DEFAULTS).toMatchObject({
      marketDataLines: 100,
      maxHistoryStreams: 5,
      marketDataExpiryMs: 900_000,
    });
    expect(BUFFER_DEFAULTS.marketData.overflow).toBe('drop-oldest');
    expect(BUFFER_DEFAULTS.orders.overflow).toBe('backpressure');
    expect(BUFFER_DEFAULTS.trades.overflow).toBe('backpressure');
  });

  it('overrides a buffer per stream kind and keeps the other defaults', () => {
    const resolved = resolveSubscriptionOptions({ buffers: { orders: { size: 10 } }, retries: 0 });
    expect(resolved.buffers.orders).toEqual({ size: 10, overflow: 'backpressure' });
    expect(resolved.buffers.marketData).toEqual(BUFFER_DEFAULTS.marketData);
    expect(resolved.retries).toBe(0);
  });

  it.each([
    [{ ackTimeoutMs: 0 }],
    [{ retries: -1 }],
    [{ marketDataLines: 1.5 }],
    [{ maxPauseMs: Number.NaN }],
    [{ buffers: { orders: { overflow: 'drop-newest' as never } } }],
    [{ buffers: { quotes: { size: 1 } } as never }],
  ])('refuses %j with invalid-option when the hub is created', (options) => {
    expect(
      () =>
        new SubscriptionHub({
          options,
          send: () => true,
          pauseReading: () => undefined,
          countDrop: () => undefined,
          reportError: () => undefined,
        }),
    ).toThrow(expect.objectContaining({ code: 'invalid-option' }));
  });
});

describe('merging the requests of several consumers', () => {
  it('widens trades to the longest history and to realtime-only only when every consumer wants that', () => {
    expect(merge({ topic: 'str', realtimeUpdatesOnly: true }, { topic: 'str', realtimeUpdatesOnly: true })).toEqual({
      request: { topic: 'str', realtimeUpdatesOnly: true },
      changed: false,
    });
    expect(merge({ topic: 'str', realtimeUpdatesOnly: true }, { topic: 'str' })).toEqual({
      request: { topic: 'str' },
      changed: true,
    });
    expect(merge({ topic: 'str', days: 2 }, { topic: 'str', days: 5 })).toEqual({
      request: { topic: 'str', days: 5 },
      changed: true,
    });
    expect(merge({ topic: 'str', days: 5 }, { topic: 'str', days: 2 }).changed).toBe(false);
  });

  it('keeps a ledger without keys (everything) when a consumer asks for some keys', () => {
    expect(merge({ topic: 'sld', acct: 'A' }, { topic: 'sld', acct: 'A', keys: ['LedgerListBASE'] })).toEqual({
      request: { topic: 'sld', acct: 'A' },
      changed: false,
    });
  });
});
