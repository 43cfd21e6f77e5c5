/**
 * A deterministic, plausible quote for one contract: a seeded random walk of last/bid/ask in whole ticks, with sizes
 * and volume on the contract's own scale (instrument-profile.ts), rendered field by field the way `smd` carries them
 * (mostly strings, §4.2). The same conid always walks the same path, so tests and benchmarks are reproducible.
 *
 * The market state shows where the protocol has a place for it: field 6509's first letter (`R` realtime, `D`
 * delayed, `Z` frozen: a closed market) and the price prefixes `H` (halted) and `C` (the prior close: no trade yet
 * in this session). Halted and closed contracts do not move, so they send nothing after the change.
 */
import { instrumentProfile, seededRandom, type InstrumentProfile } from './instrument-profile.js';
import type { MarketStateCell } from './market-states.js';

export { seededRandom } from './instrument-profile.js';

export type FieldValue = string | number;

const REALTIME: MarketStateCell = { state: 'realtime' };
const AVAILABILITY = { realtime: 'RpB', delayed: 'DpB', halted: 'RpB', closed: 'ZpB' } as const;

export class QuoteModel {
  readonly conid: number;
  readonly symbol: string;
  readonly #profile: InstrumentProfile;
  readonly #random: () => number;
  readonly #market: MarketStateCell;
  /** Prices in ticks, so the walk never accumulates floating-point noise. */
  #last: number;
  #bid: number;
  #ask: number;
  #open: number;
  #high: number;
  #low: number;
  readonly #priorClose: number;
  #bidSize: number;
  #askSize: number;
  #lastSize: number;
  #volume: number;

  constructor(conid: number, market: MarketStateCell = REALTIME) {
    const profile = instrumentProfile(conid);
    this.conid = conid;
    this.symbol = profile.symbol;
    this.#profile = profile;
    this.#market = market;
    this.#random = seededRandom(conid);
    this.#last = profile.startTicks;
    this.#priorClose = profile.priorCloseTicks;
    this.#open = Math.round((profile.startTicks + profile.priorCloseTicks) / 2);
    this.#high = Math.max(this.#last, this.#open) + profile.stepTicks * 3;
    this.#low = Math.max(1, Math.min(this.#last, this.#open) - profile.stepTicks * 3);
    this.#bid = Math.max(1, this.#last - Math.ceil(profile.spreadTicks / 2));
    this.#ask = this.#bid + profile.spreadTicks;
    this.#bidSize = profile.typicalTrade * 2;
    this.#askSize = profile.typicalTrade * 5;
    this.#lastSize = profile.typicalTrade;
    this.#volume = profile.startVolume;
  }

  /** One tick: the last price always moves (1 to stepTicks ticks), the book follows, sizes and volume change. Halted and closed markets stand still. */
  step(): void {
    const state = this.#market.state;
    if (state === 'halted' || state === 'closed') return;
    const profile = this.#profile;
    const move = 1 + Math.floor(this.#random() * profile.stepTicks);
    this.#last = Math.max(1, this.#last + (this.#random() < 0.5 ? -move : move));
    // Mostly the usual spread, now and then a tick or two wider.
    const spread = profile.spreadTicks + (this.#random() < 0.2 ? 1 + Math.floor(this.#random() * 2) : 0);
    this.#bid = Math.max(1, this.#last - Math.floor(spread / 2) - (this.#random() < 0.5 ? 0 : 1));
    this.#ask = this.#bid + spread;
    this.#high = Math.max(this.#high, this.#last);
    this.#low = Math.min(this.#low, this.#last);
    const lot = profile.typicalTrade;
    this.#bidSize = lot * (1 + Math.floor(this.#random() * 10));
    this.#askSize = lot * (1 + Math.floor(this.#random() * 10));
    this.#lastSize = roundLot(lot * (0.2 + this.#random() * 1.8));
    this.#volume += this.#lastSize;
  }

  /** The contract's market state now (the stream sends 6509 again when it changes). */
  get marketState(): MarketStateCell['state'] {
    return this.#market.state;
  }

  get lastPrice(): number {
    return this.#last * this.#profile.tickSize;
  }

  /** The wire value of one field id, or undefined for ids the simulator does not model (IBKR does not promise every field). */
  field(id: string): FieldValue | undefined {
    switch (id) {
      case '31':
        return this.#lastField();
      case '55':
        return this.symbol;
      case '70':
        return this.#price(this.#high);
      case '71':
        return this.#price(this.#low);
      case '82':
        return this.#signed(this.#last - this.#priorClose);
      case '83':
        return (((this.#last - this.#priorClose) / this.#priorClose) * 100).toFixed(2);
      case '84':
        return this.#price(this.#bid);
      case '85':
        return withThousands(this.#askSize);
      case '86':
        return this.#price(this.#ask);
      case '87':
        return formatVolume(this.#volume);
      case '87_raw':
        return this.#volume;
      case '88':
        return withThousands(this.#bidSize);
      case '6008':
        return this.conid;
      case '6070':
        return 'STK';
      case '6509':
        return AVAILABILITY[this.#market.state];
      case '7059':
        return String(this.#lastSize);
      case '7295':
        return this.#price(this.#open);
      case '7296':
      case '7741':
        return this.#price(this.#priorClose);
      case '7762':
        return String(this.#volume);
      default:
        return undefined;
    }
  }

  #lastField(): string {
    const state = this.#market.state;
    if (state === 'halted') return `H${this.#price(this.#last)}`;
    if (state === 'closed') return `C${this.#price(this.#priorClose)}`;
    return this.#price(this.#last);
  }

  #price(ticks: number): string {
    return (ticks * this.#profile.tickSize).toFixed(this.#profile.decimals);
  }

  #signed(ticks: number): string {
    return `${ticks >= 0 ? '+' : ''}${this.#price(ticks)}`;
  }
}

function roundLot(shares: number): number {
  return Math.max(1, Math.round(shares / 100)) * 100;
}

/** Sizes as the gateway formats them: `"1,300"` (§4.2). */
function withThousands(value: number): string {
  return value.toLocaleString('en-US');
}

/** `"24.2M"`, `"830K"` (§4.2: volume is shown abbreviated). */
function formatVolume(volume: number): string {
  if (volume >= 1_000_000) return `${(volume / 1_000_000).toFixed(1)}M`;
  if (volume >= 1_000) return `${Math.round(volume / 1_000)}K`;
  return String(volume);
}
