/** What the demo shows: the quote table, the terminal dashboard and the piped ticker line. */
import { describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/cli/demo/dashboard.js';
import { QUOTE_HEADER, quoteRow, tableLine } from '../../src/cli/demo/quote-format.js';
import { withQuoteTicker } from '../../src/cli/demo/quote-ticker.js';
import { withGroupedSubscriptions } from '../../src/cli/demo/grouped-lines.js';
import { DEMO_INSTRUMENTS } from '../../src/cli/demo/setup.js';
import { captureIo } from './support/capture-io.js';
import { createFakeClient, recordingReporter } from './support/fake-client.js';

const AAPL = {
  kind: 'quote',
  named: { symbol: 'AAPL', last: '189.62', bid: '189.60', ask: '189.63', change: '0.17', volume: '12,200,500' },
};

describe('the quote table', () => {
  it('formats a quote row with prices, a signed change and a short volume', () => {
    expect(quoteRow('AAPL', 265598, AAPL)).toEqual({
      symbol: 'AAPL',
      conid: 265598,
      last: '189.62',
      bid: '189.60',
      ask: '189.63',
      change: '+0.17',
      volume: '12.20M',
    });
    expect(quoteRow('IBM', 8314, undefined)).toMatchObject({ symbol: 'IBM', last: '—' });
  });

  it('aligns the header and the rows in the same columns', () => {
    const header = tableLine(QUOTE_HEADER);
    const row = tableLine(['AAPL', '265598', '189.62', '189.60', '189.63', '+0.17', '12.20M', 'active', '0.1 s']);
    expect(row.indexOf('189.62') + '189.62'.length).toBe(header.indexOf('LAST') + 'LAST'.length);
  });
});

describe('the dashboard (stdout is a terminal)', () => {
  it('redraws one screen in place with the state, the quotes and the events', () => {
    const captured = captureIo({ interactive: true });
    const fake = createFakeClient();
    (fake.client as unknown as { metrics: () => object }).metrics = () => ({
      reconnects: 1,
      lingeringDetections: 1,
      framesIn: 42,
      protocolErrors: 0,
    });
    const dashboard = createDashboard(captured.io, {
      title: 'ibkr-ws demo',
      instruments: DEMO_INSTRUMENTS,
      forSeconds: 20,
      redrawMs: 10_000,
    });
    dashboard.attach(fake.client);
    fake.setState('authenticated', 'greeting');
    dashboard.subscription('smd+265598', 'active');
    dashboard.data('smd+265598', AAPL);
    dashboard.close();
    const screen = captured.stdout.join('');
    expect(screen.startsWith('\u001b[?25l\u001b[2J\u001b[H')).toBe(true);
    expect(screen).toMatch(/state authenticated for/);
    expect(screen).toMatch(/AAPL\s+265598\s+189\.62\s+189\.60\s+189\.63\s+\+0\.17\s+12\.20M\s+active/);
    expect(screen).toMatch(/IBM\s+8314\s+—/);
    expect(screen).toMatch(/authenticated \(greeting\)/);
    expect(screen.endsWith('\u001b[?25h')).toBe(true);
  });
});

describe('the quote ticker (stdout is not a terminal)', () => {
  it('prints one combined quote line at most every interval', () => {
    let now = 10_000;
    const { reporter, calls } = recordingReporter();
    const ticker = withQuoteTicker(reporter, DEMO_INSTRUMENTS, { intervalMs: 2_000, now: () => now });
    ticker.data('smd+265598', AAPL);
    ticker.data('smd+8314', { named: { last: '190.01' } });
    now += 2_000;
    ticker.data('smd+8314', { named: { last: '190.02' } });
    expect(calls).toEqual([
      ['note', 'quotes  AAPL 189.62'],
      ['note', 'quotes  AAPL 189.62  IBM 190.02'],
    ]);
  });
});

describe('grouped subscription lines (demo, not a terminal)', () => {
  it('says once what happened to every stream in the same turn', async () => {
    const { reporter, calls } = recordingReporter();
    const grouped = withGroupedSubscriptions(reporter);
    for (const key of ['smd+265598', 'smd+8314']) {
      grouped.subscription(key, 'pending', 'closed-1000');
      grouped.gap(key, 'closed-1000');
    }
    await Promise.resolve();
    grouped.subscription('smd+265598', 'active');
    await Promise.resolve();
    expect(calls).toEqual([
      ['note', 'subscriptions pending (closed-1000): smd+265598, smd+8314'],
      ['note', 'gap: data may be missing on smd+265598, smd+8314 (closed-1000)'],
      ['note', 'subscription active: smd+265598'],
    ]);
  });
});
