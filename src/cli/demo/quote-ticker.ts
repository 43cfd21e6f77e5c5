/**
 * For the demo without a terminal (piped, CI logs): instead of one line per instrument per second, one combined
 * quote line every couple of seconds, e.g. `quotes  AAPL 189.62  IBM 189.41  SPY 512.37  MSFT 415.08`.
 */
import type { Reporter } from '../reporter.js';
import { quoteRow, type QuoteLike } from './quote-format.js';
import type { DemoInstrument } from './setup.js';

export function withQuoteTicker(
  reporter: Reporter,
  instruments: readonly DemoInstrument[],
  options: { intervalMs?: number; now?: () => number } = {},
): Reporter {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 2_000;
  const latest = new Map<string, QuoteLike>();
  let lastLineAt = 0;
  return {
    ...reporter,
    data(topic, message) {
      latest.set(topic, message as QuoteLike);
      const at = now();
      if (at - lastLineAt < intervalMs) return;
      lastLineAt = at;
      const cells = instruments
        .filter((instrument) => latest.has(`smd+${instrument.conid}`))
        .map((instrument) => {
          const row = quoteRow(instrument.symbol, instrument.conid, latest.get(`smd+${instrument.conid}`));
          return `${row.symbol} ${row.last}`;
        });
      reporter.note(`quotes  ${cells.join('  ')}`);
    },
  };
}
