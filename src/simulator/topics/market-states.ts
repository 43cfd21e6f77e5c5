/**
 * The market state of each contract, shared by every socket of the gateway: trading normally (`realtime`), seen
 * through a delayed feed (`delayed`), halted (`halted`), or in a closed market (`closed`). The control surface sets
 * it (`setMarketState`); each quote holds its contract's cell and reads one property per step.
 */

export const MARKET_STATES = ['realtime', 'delayed', 'halted', 'closed'] as const;
export type MarketState = (typeof MARKET_STATES)[number];

export interface MarketStateCell {
  state: MarketState;
}

export class MarketStates {
  readonly #cells = new Map<number, MarketStateCell>();

  cell(conid: number): MarketStateCell {
    let cell = this.#cells.get(conid);
    if (cell === undefined) {
      cell = { state: 'realtime' };
      this.#cells.set(conid, cell);
    }
    return cell;
  }

  set(conid: number, state: MarketState): void {
    if (!Number.isSafeInteger(conid) || conid <= 0)
      throw new RangeError(`setMarketState expects a contract id, got ${conid}`);
    if (!MARKET_STATES.includes(state))
      throw new RangeError(`setMarketState expects one of ${MARKET_STATES.join(', ')}, got ${String(state)}`);
    this.cell(conid).state = state;
  }

  /** Contracts not trading normally (for `state`). */
  snapshot(): Record<string, MarketState> {
    const result: Record<string, MarketState> = {};
    for (const [conid, cell] of this.#cells) if (cell.state !== 'realtime') result[String(conid)] = cell.state;
    return result;
  }
}
