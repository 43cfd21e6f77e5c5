import { describe, expect, it } from 'vitest';
import { createHarness, smh } from './support.js';

describe('limits at subscribe time', () => {
  it('refuses a market-data stream past the line limit with subscription-limit, and frees a line on close', () => {
    const harness = createHarness({ marketDataLines: 3 });
    harness.ready();
    const handles = [1, 2, 3].map((conid) => harness.facade.marketData(conid, ['31']));
    expect(() => harness.facade.marketData(4, ['31'])).toThrow(expect.objectContaining({ code: 'subscription-limit' }));
    // Another consumer of a conid already streamed takes no new line.
    expect(() => harness.facade.marketData(2, ['84'])).not.toThrow();
    handles[0]?.close();
    expect(() => harness.facade.marketData(4, ['31'])).not.toThrow();
    expect(
      harness.sent.filter((command) => command.op === 'subscribe' && command.topic === 'smd' && command.conid === 4),
    ).toHaveLength(1);
  });

  it('defaults to 100 market data lines', () => {
    const harness = createHarness();
    for (let conid = 1; conid <= 100; conid++) harness.facade.marketData(conid, ['31']);
    expect(() => harness.facade.marketData(101, ['31'])).toThrow(
      expect.objectContaining({ code: 'subscription-limit' }),
    );
  });

  it('refuses a sixth outstanding history request, and allows it once one is answered', () => {
    const harness = createHarness();
    harness.ready();
    for (let conid = 1; conid <= 5; conid++) harness.facade.history(conid, { period: '1d' });
    expect(() => harness.facade.history(6, { period: '1d' })).toThrow(
      expect.objectContaining({ code: 'subscription-limit' }),
    );
    harness.hub.onMessage(smh(1, '100'));
    expect(() => harness.facade.history(6, { period: '1d' })).not.toThrow();
  });

  it('refuses a second exchange for a conid already streamed, since its data cannot be told apart', () => {
    const harness = createHarness();
    harness.facade.marketData(265598, ['31']);
    expect(() => harness.facade.marketData('265598@ISLAND', ['31'])).toThrow(
      expect.objectContaining({ code: 'subscription-conflict' }),
    );
  });
});
