/**
 * Routes one socket's subscribe / unsubscribe / exercise commands to the topic family that owns them, and ends them
 * all at once when the socket closes or the brokerage session is lost.
 */
import type { ClientCommand } from '../../protocol/types.js';
import type { MarketDataMode } from '../options.js';
import type { ClientFrameOutcome } from '../types.js';
import type { AccountActivity } from './account-activity.js';
import { AccountSummaryTopic } from './account-summary.js';
import { HistoryTopic, type HistorySlots } from './history.js';
import { LedgerTopic } from './ledger.js';
import { MarketDataTopic, type FloodOutlet } from './market-data.js';
import type { MarketDataLines } from './market-data-lines.js';
import type { MarketStates } from './market-states.js';
import { OrdersTopic } from './orders.js';
import { PnlTopic } from './pnl.js';
import { PriceLadderTopic } from './price-ladder.js';
import type { TopicHandler } from './topic-outlet.js';
import { TradesTopic } from './trades.js';

/** What every socket of the gateway shares: they belong to the username, not to a socket. */
export interface GatewayResources {
  readonly marketDataLines: MarketDataLines;
  readonly historySlots: HistorySlots;
  readonly accountActivity: AccountActivity;
  readonly marketStates: MarketStates;
}

/** The commands this router takes (tic, echo and session belong to the socket itself). */
export type TopicCommand = Extract<ClientCommand, { op: 'subscribe' | 'unsubscribe' | 'request' | 'input' }>;

export class SocketTopics {
  readonly #outlet: FloodOutlet;
  readonly marketData: MarketDataTopic;
  readonly #history: HistoryTopic;
  readonly #ladder: PriceLadderTopic;
  readonly #orders: OrdersTopic;
  readonly #trades: TradesTopic;
  readonly #pnl: PnlTopic;
  readonly #summary: AccountSummaryTopic;
  readonly #ledger: LedgerTopic;
  readonly #all: readonly TopicHandler[];

  constructor(outlet: FloodOutlet, resources: GatewayResources, marketDataMode: MarketDataMode) {
    this.#outlet = outlet;
    this.marketData = new MarketDataTopic(outlet, resources.marketDataLines, marketDataMode, resources.marketStates);
    this.#history = new HistoryTopic(outlet, resources.historySlots);
    this.#ladder = new PriceLadderTopic(outlet);
    this.#orders = new OrdersTopic(outlet, resources.accountActivity);
    this.#trades = new TradesTopic(outlet, resources.accountActivity);
    this.#pnl = new PnlTopic(outlet);
    this.#summary = new AccountSummaryTopic(outlet);
    this.#ledger = new LedgerTopic(outlet);
    this.#all = [
      this.marketData,
      this.#history,
      this.#ladder,
      this.#orders,
      this.#trades,
      this.#pnl,
      this.#summary,
      this.#ledger,
    ];
  }

  /**
   * A subscription needs an authenticated brokerage session; without one nothing would flow, so it is ignored.
   * Unsubscribes always work (their replies, such as `usd`'s, are the gateway's own).
   */
  handle(command: TopicCommand, brokerageAuthenticated: boolean): ClientFrameOutcome {
    if (command.op !== 'unsubscribe' && !brokerageAuthenticated) return 'ignored-not-authenticated';
    switch (command.op) {
      case 'subscribe':
        return this.#subscribe(command);
      case 'unsubscribe':
        return this.#unsubscribe(command);
      case 'request':
        // The documented acknowledgement of the option-exercise handshake (§4.11); the prompts that follow are not modelled.
        this.#outlet.send({ topic: `shs+${command.action}` });
        return 'handled';
      case 'input':
        return 'handled';
    }
  }

  clear(): void {
    for (const handler of this.#all) handler.clear();
  }

  setMarketDataMode(mode: MarketDataMode): void {
    this.marketData.setMode(mode);
  }

  #subscribe(command: Extract<TopicCommand, { op: 'subscribe' }>): ClientFrameOutcome {
    switch (command.topic) {
      case 'smd':
        return this.marketData.subscribe(command);
      case 'smh':
        return this.#history.subscribe(command);
      case 'sbd':
        return this.#ladder.subscribe(command);
      case 'sor':
        return this.#orders.subscribe(command);
      case 'str':
        return this.#trades.subscribe(command);
      case 'spl':
        return this.#pnl.subscribe();
      case 'ssd':
        return this.#summary.subscribe(command);
      case 'sld':
        return this.#ledger.subscribe(command);
    }
  }

  #unsubscribe(command: Extract<TopicCommand, { op: 'unsubscribe' }>): ClientFrameOutcome {
    switch (command.topic) {
      case 'smd':
        return this.marketData.unsubscribe(command);
      case 'smh':
        return this.#history.unsubscribe(command);
      case 'sbd':
        return this.#ladder.unsubscribe(command);
      case 'sor':
        return this.#orders.unsubscribe();
      case 'str':
        return this.#trades.unsubscribe();
      case 'spl':
        return this.#pnl.unsubscribe();
      case 'ssd':
        return this.#summary.unsubscribe(command.acct);
      case 'sld':
        return this.#ledger.unsubscribe(command.acct);
    }
  }
}
