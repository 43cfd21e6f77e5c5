/**
 * The account's order and trade activity, shared by every socket of the gateway (orders belong to the account, not
 * to a socket). A synthetic order steps through its life (new → partly filled → filled, §4.5) every
 * `ordersIntervalMs` while anybody listens; each fill is also an execution for `str` (§4.7). Tests and users push
 * their own updates with pushOrders()/pushTrades().
 */
import type { ResolvedSimulatorOptions } from '../options.js';
import { Timers } from '../timers.js';

export type ActivityRecord = Record<string, unknown>;
type Listener = (records: readonly ActivityRecord[]) => void;

/** Executions kept for the "day's trades" a new `str` subscriber gets (§4.7). */
const TRADES_KEPT = 100;
const ORDER_QUANTITY = 100;

/** The documented execution (CPW-SRC §4.7), as the day's first trade. */
function documentedTrade(account: string): ActivityRecord {
  return {
    execution_id: '0000e0d5.60cf1bd1.01.01',
    symbol: 'AAPL',
    supports_tax_opt: '1',
    side: 'B',
    order_description: 'Bot 1 @ 130.64 on ISLAND',
    trade_time: '20210408-22:10:01',
    trade_time_r: 1617919801000,
    size: 1,
    price: '130.64',
    order_ref: '66807500',
    submitter: 'apara428',
    exchange: 'ISLAND',
    commission: '0.35',
    net_amount: 130.64,
    account,
    accountCode: account,
    company_name: 'APPLE INC',
    contract_description_1: 'AAPL',
    sec_type: 'STK',
    listing_exchange: 'NASDAQ.NMS',
    conid: '265598',
    conidex: '265598',
    clearing_id: 'IB',
    clearing_name: 'IB',
    liquidation_trade: '0',
  };
}

export class AccountActivity {
  readonly #options: Pick<ResolvedSimulatorOptions, 'accountId' | 'ordersIntervalMs'>;
  readonly #timers = new Timers();
  readonly #orderListeners = new Set<Listener>();
  readonly #tradeListeners = new Set<Listener>();
  readonly #trades: ActivityRecord[];
  #interval: NodeJS.Timeout | undefined;
  #orderId = 922_048_212;
  #step = 0;
  #executions = 0;

  constructor(options: Pick<ResolvedSimulatorOptions, 'accountId' | 'ordersIntervalMs'>) {
    this.#options = options;
    this.#trades = [documentedTrade(options.accountId)];
  }

  listenToOrders(listener: Listener): () => void {
    return this.#listen(this.#orderListeners, listener);
  }

  listenToTrades(listener: Listener): () => void {
    return this.#listen(this.#tradeListeners, listener);
  }

  /** The trades so far today, oldest first. */
  get trades(): readonly ActivityRecord[] {
    return this.#trades;
  }

  pushOrders(orders?: readonly ActivityRecord[]): void {
    if (orders !== undefined) {
      this.#emit(this.#orderListeners, orders);
      return;
    }
    this.#advanceSyntheticOrder();
  }

  pushTrades(trades?: readonly ActivityRecord[]): void {
    const records = trades ?? [this.#execution(1, 189.6)];
    this.#trades.push(...records);
    if (this.#trades.length > TRADES_KEPT) this.#trades.splice(0, this.#trades.length - TRADES_KEPT);
    this.#emit(this.#tradeListeners, records);
  }

  dispose(): void {
    this.#timers.close();
    this.#orderListeners.clear();
    this.#tradeListeners.clear();
  }

  #listen(listeners: Set<Listener>, listener: Listener): () => void {
    listeners.add(listener);
    this.#schedule();
    return () => {
      listeners.delete(listener);
      this.#schedule();
    };
  }

  #schedule(): void {
    const wanted = this.#options.ordersIntervalMs > 0 && this.#orderListeners.size + this.#tradeListeners.size > 0;
    if (wanted && this.#interval === undefined) {
      this.#interval = this.#timers.setInterval(() => this.#advanceSyntheticOrder(), this.#options.ordersIntervalMs);
    } else if (!wanted && this.#interval !== undefined) {
      this.#timers.clear(this.#interval);
      this.#interval = undefined;
    }
  }

  /** new (full record) → 40 filled → all filled; then the next order. Shapes of the GW-DOC examples (§4.5). */
  #advanceSyntheticOrder(): void {
    const acct = this.#options.accountId;
    const orderId = this.#orderId;
    const price = 189.6;
    switch (this.#step) {
      case 0:
        this.#emit(this.#orderListeners, [
          { acct, orderId, status: 'PendingSubmit', fgColor: '#3399CC' },
          {
            acct,
            conid: 265598,
            orderId,
            cashCcy: 'USD',
            sizeAndFills: `0/${ORDER_QUANTITY}`,
            orderDesc: `Buy ${ORDER_QUANTITY} Limit ${price.toFixed(2)} GTC`,
            description1: 'AAPL',
            ticker: 'AAPL',
            secType: 'STK',
            listingExchange: 'NASDAQ.NMS',
            remainingQuantity: ORDER_QUANTITY,
            filledQuantity: 0,
            companyName: 'APPLE INC',
            status: 'Submitted',
            origOrderType: 'LIMIT',
            supportsTaxOpt: '1',
            lastExecutionTime_r: Date.now(),
            orderType: 'Limit',
            side: 'BUY',
            timeInForce: 'GTC',
            price,
            bgColor: '#000000',
            fgColor: '#00F000',
          },
        ]);
        break;
      case 1:
        this.#emit(this.#orderListeners, [
          {
            acct,
            orderId,
            sizeAndFills: '40/60',
            remainingQuantity: 60,
            filledQuantity: 40,
            avgPrice: price.toFixed(2),
          },
        ]);
        this.pushTrades([this.#execution(40, price)]);
        break;
      default:
        this.#emit(this.#orderListeners, [
          {
            acct,
            orderId,
            sizeAndFills: String(ORDER_QUANTITY),
            orderDesc: `Bought ${ORDER_QUANTITY} Limit ${price.toFixed(2)} GTC`,
            remainingQuantity: 0,
            filledQuantity: ORDER_QUANTITY,
            status: 'Filled',
            timeInForce: 'GTC',
            price,
            bgColor: '#FFFFFF',
            fgColor: '#000000',
          },
        ]);
        this.pushTrades([this.#execution(ORDER_QUANTITY - 40, price)]);
        this.#orderId += 1;
    }
    this.#step = (this.#step + 1) % 3;
  }

  #execution(size: number, price: number): ActivityRecord {
    this.#executions += 1;
    const account = this.#options.accountId;
    const now = new Date();
    const iso = now.toISOString();
    return {
      ...documentedTrade(account),
      execution_id: `0000e0d5.${this.#executions.toString(16).padStart(8, '0')}.01.01`,
      order_description: `Bot ${size} @ ${price.toFixed(2)} on ISLAND`,
      trade_time: `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 19)}`,
      trade_time_r: now.getTime(),
      size,
      price: price.toFixed(2),
      net_amount: Math.round(size * price * 100) / 100,
      order_ref: String(this.#orderId),
    };
  }

  #emit(listeners: Set<Listener>, records: readonly ActivityRecord[]): void {
    for (const listener of [...listeners]) listener(records);
  }
}
