/**
 * Each contract's own market: a price level, tick size, typical spread, daily volume, volatility and prior close,
 * derived from its conid alone (seeded, so every run and every socket sees the same market). The contracts the docs
 * use have their real-world levels; any other conid gets a plausible made-up stock. docs/SIMULATOR.md ("Market data")
 * lists the rules.
 */
import { contractInfo } from '../gateway-payloads.js';

/** mulberry32: tiny, fast, good enough for made-up prices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface InstrumentProfile {
  readonly conid: number;
  readonly symbol: string;
  /** Minimum price increment: $0.01 at or above $1, $0.0001 below (US equities, Reg NMS rule 612). */
  readonly tickSize: number;
  /** Decimals a price is shown with (2 or 4). */
  readonly decimals: number;
  /** Prices in ticks: the starting last price and yesterday's close. */
  readonly startTicks: number;
  readonly priorCloseTicks: number;
  /** The usual bid/ask spread, in ticks (1 for the most liquid names). */
  readonly spreadTicks: number;
  /** The largest move of one 500 ms step, in ticks (about 0.03 % of the price). */
  readonly stepTicks: number;
  /** Shares traded in a regular session, and already traded when the simulator starts (a market open for a while). */
  readonly dailyVolume: number;
  readonly startVolume: number;
  /** Shares of a typical print and of a typical quote size, in round lots of 100. */
  readonly typicalTrade: number;
}

/** Real-world levels for the contracts the docs use (about their 2024 levels; the point is that they differ). */
const KNOWN: Readonly<Record<number, { price: number; dailyVolume: number; spreadTicks: number }>> = {
  265598: { price: 189.6, dailyVolume: 55_000_000, spreadTicks: 1 }, // AAPL
  8314: { price: 165.3, dailyVolume: 4_200_000, spreadTicks: 3 }, // IBM
  272093: { price: 415.1, dailyVolume: 20_000_000, spreadTicks: 2 }, // MSFT
  756733: { price: 512.3, dailyVolume: 70_000_000, spreadTicks: 1 }, // SPY
};

const STEPS_PER_SESSION = 6.5 * 3_600 * 2;

export function instrumentProfile(conid: number): InstrumentProfile {
  const random = seededRandom(conid ^ 0x5eed);
  const known = KNOWN[conid];
  // Unknown conids: log-uniform $0.50–$800 and 20 thousand to 30 million shares a day.
  const price = known?.price ?? Math.exp(Math.log(0.5) + random() * (Math.log(800) - Math.log(0.5)));
  const dailyVolume =
    known?.dailyVolume ?? Math.round(Math.exp(Math.log(20_000) + random() * (Math.log(30_000_000) - Math.log(20_000))));
  const tickSize = price >= 1 ? 0.01 : 0.0001;
  const startTicks = Math.max(1, Math.round(price / tickSize));
  // Thinner names quote wider: 1 tick above 20M shares a day, up to 8 ticks for the thinnest.
  const spreadTicks =
    known?.spreadTicks ?? Math.max(1, Math.min(8, Math.round(8 - Math.log10(dailyVolume / 20_000) * 2.4)));
  // Yesterday's close within ±2 %: every contract has its own change of the day.
  const priorCloseTicks = Math.max(1, Math.round(startTicks * (1 + (random() - 0.5) * 0.04)));
  const typicalTrade = Math.max(100, Math.round(dailyVolume / STEPS_PER_SESSION / 100) * 100);
  return {
    conid,
    symbol: contractInfo(conid).symbol,
    tickSize,
    decimals: tickSize === 0.01 ? 2 : 4,
    startTicks,
    priorCloseTicks,
    spreadTicks,
    stepTicks: Math.max(1, Math.round(startTicks * 0.0003)),
    dailyVolume,
    startVolume: Math.round(dailyVolume * (0.2 + random() * 0.3)),
    typicalTrade,
  };
}
