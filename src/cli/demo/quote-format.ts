/** Formatting of quote snapshots for the demo's table and lines: pure, so it is tested without a terminal. */

export interface QuoteLike {
  readonly named?: Readonly<Record<string, string | number | undefined>>;
  readonly receivedAt?: number;
}

export interface QuoteRow {
  readonly symbol: string;
  readonly conid: number;
  readonly last: string;
  readonly bid: string;
  readonly ask: string;
  readonly change: string;
  readonly volume: string;
}

export function quoteRow(symbol: string, conid: number, quote: QuoteLike | undefined): QuoteRow {
  const named = quote?.named ?? {};
  return {
    symbol: String(named['symbol'] ?? symbol),
    conid,
    last: price(named['last']),
    bid: price(named['bid']),
    ask: price(named['ask']),
    change: signed(named['change']),
    volume: volume(named['volume']),
  };
}

export const QUOTE_HEADER = ['SYMBOL', 'CONID', 'LAST', 'BID', 'ASK', 'CHANGE', 'VOLUME', 'STATUS', 'AGE'] as const;
const WIDTHS = [7, 8, 10, 10, 10, 8, 9, 9, 7] as const;

/** One aligned table line: text columns left, numbers right. */
export function tableLine(cells: readonly string[]): string {
  return cells
    .map((cell, index) => {
      const width = WIDTHS[index] ?? 8;
      return index <= 1 || index === 7 ? cell.padEnd(width) : cell.padStart(width - 1).padEnd(width);
    })
    .join(' ')
    .trimEnd();
}

/** IBKR sends prices as strings, sometimes with a prefix (`C` closed, `H` halted): shown as sent, trimmed. */
function price(value: string | number | undefined): string {
  if (value === undefined) return '—';
  const number = Number(value);
  return Number.isFinite(number) ? number.toFixed(2) : String(value);
}

function signed(value: string | number | undefined): string {
  if (value === undefined) return '—';
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  return `${number > 0 ? '+' : ''}${number.toFixed(2)}`;
}

function volume(value: string | number | undefined): string {
  if (value === undefined) return '—';
  const number = Number(String(value).replace(/,/g, ''));
  if (!Number.isFinite(number)) return String(value);
  if (number >= 1e6) return `${(number / 1e6).toFixed(2)}M`;
  if (number >= 1e3) return `${(number / 1e3).toFixed(1)}K`;
  return String(number);
}
