/**
 * A deterministic, plausible quote for one contract: a seeded random walk of last/bid/ask with sizes and volume,
 * rendered field by field the way `smd` carries them (mostly strings, §4.2). The same conid always walks the same
 * path, so tests and benchmarks are reproducible.
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

export type FieldValue = string | number;

export class QuoteModel {
  readonly conid: number;
  readonly symbol: string;
  readonly #random: () => number;
  /** Prices in cents, so the walk never accumulates floating-point noise. */
  #last: number;
  #bid: number;
  #ask: number;
  #open: number;
  #high: number;
  #low: number;
  readonly #priorClose: number;
  #bidSize = 200;
  #askSize = 500;
  #lastSize = 100;
  #volume = 12_200_000;

  constructor(conid: number) {
    const info = contractInfo(conid);
    this.conid = conid;
    this.symbol = info.symbol;
    this.#random = seededRandom(conid);
    this.#last = Math.round(info.price * 100);
    this.#priorClose = this.#last - 45;
    this.#open = this.#last - 20;
    this.#high = this.#last + 30;
    this.#low = this.#last - 60;
    this.#bid = this.#last - 4;
    this.#ask = this.#last + 1;
  }

  /** One tick: the last price always moves (1 to 5 cents), the book follows, sizes and volume change. */
  step(): void {
    const move = 1 + Math.floor(this.#random() * 5);
    this.#last = Math.max(1, this.#last + (this.#random() < 0.5 ? -move : move));
    const spread = 1 + Math.floor(this.#random() * 4);
    this.#bid = Math.max(1, this.#last - Math.floor(spread / 2) - 1);
    this.#ask = this.#bid + spread;
    this.#high = Math.max(this.#high, this.#last);
    this.#low = Math.min(this.#low, this.#last);
    this.#bidSize = 100 * (1 + Math.floor(this.#random() * 20));
    this.#askSize = 100 * (1 + Math.floor(this.#random() * 20));
    this.#lastSize = 100 * (1 + Math.floor(this.#random() * 5));
    this.#volume += this.#lastSize;
  }

  get lastPrice(): number {
    return this.#last / 100;
  }

  /** The wire value of one field id, or undefined for ids the simulator does not model (IBKR does not promise every field). */
  field(id: string): FieldValue | undefined {
    switch (id) {
      case '31':
        return cents(this.#last);
      case '55':
        return this.symbol;
      case '70':
        return cents(this.#high);
      case '71':
        return cents(this.#low);
      case '82':
        return signedCents(this.#last - this.#priorClose);
      case '83':
        return (((this.#last - this.#priorClose) / this.#priorClose) * 100).toFixed(2);
      case '84':
        return cents(this.#bid);
      case '85':
        return withThousands(this.#askSize);
      case '86':
        return cents(this.#ask);
      case '87':
        return `${(this.#volume / 1_000_000).toFixed(1)}M`;
      case '87_raw':
        return this.#volume;
      case '88':
        return withThousands(this.#bidSize);
      case '6008':
        return this.conid;
      case '6070':
        return 'STK';
      case '6509':
        return 'RpB';
      case '7059':
        return String(this.#lastSize);
      case '7295':
        return cents(this.#open);
      case '7296':
      case '7741':
        return cents(this.#priorClose);
      case '7762':
        return String(this.#volume);
      default:
        return undefined;
    }
  }
}

function cents(value: number): string {
  return (value / 100).toFixed(2);
}

function signedCents(value: number): string {
  return `${value >= 0 ? '+' : ''}${(value / 100).toFixed(2)}`;
}

/** Sizes as the gateway formats them: `"1,300"` (§4.2). */
function withThousands(value: number): string {
  return value.toLocaleString('en-US');
}
