/**
 * `sbd` / `ubd` (§4.4): price-ladder rows around the current price, on the topic `sbd+<acct>+<conid>[+<exch>]`
 * (the IBIND v2 routing form; the docs print plain `sbd`, clients accept both), every `marketDataIntervalMs`.
 * `ubd+<acct>` ends every ladder of that account, with no reply.
 */
import type { ClientCommand } from '../../protocol/types.js';
import { QuoteModel } from './quote-model.js';
import type { TopicHandler, TopicOutcome, TopicOutlet } from './topic-outlet.js';

type SubscribeBook = Extract<ClientCommand, { op: 'subscribe'; topic: 'sbd' }>;
type UnsubscribeBook = Extract<ClientCommand, { op: 'unsubscribe'; topic: 'sbd' }>;

/** Rows on each side of the focus row. */
const LEVELS = 5;

interface Ladder {
  readonly acct: string;
  readonly topic: string;
  readonly quote: QuoteModel;
}

export class PriceLadderTopic implements TopicHandler {
  readonly #outlet: TopicOutlet;
  readonly #ladders = new Map<string, Ladder>();
  #interval: NodeJS.Timeout | undefined;

  constructor(outlet: TopicOutlet) {
    this.#outlet = outlet;
  }

  subscribe(command: SubscribeBook): TopicOutcome {
    const topic = [
      'sbd',
      command.acct,
      command.conid,
      ...(command.exchange === undefined ? [] : [command.exchange]),
    ].join('+');
    if (!this.#ladders.has(topic))
      this.#ladders.set(topic, { acct: command.acct, topic, quote: new QuoteModel(command.conid) });
    this.#schedule();
    return 'handled';
  }

  unsubscribe(command: UnsubscribeBook): TopicOutcome {
    for (const [topic, ladder] of this.#ladders) if (ladder.acct === command.acct) this.#ladders.delete(topic);
    this.#schedule();
    return 'handled';
  }

  clear(): void {
    this.#ladders.clear();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#ladders.size > 0 && this.#interval === undefined) {
      this.#interval = this.#outlet.timers.setInterval(() => this.#tick(), this.#outlet.options.marketDataIntervalMs);
    } else if (this.#ladders.size === 0 && this.#interval !== undefined) {
      this.#outlet.timers.clear(this.#interval);
      this.#interval = undefined;
    }
  }

  #tick(): void {
    for (const ladder of this.#ladders.values()) {
      ladder.quote.step();
      this.#outlet.send({ topic: ladder.topic, data: ladderRows(ladder.quote.lastPrice, ladder.quote.conid) });
    }
  }
}

/** Rows as documented: `row`, `focus` (1 on the current price), `price`, and `ask` above / `bid` below. */
function ladderRows(lastPrice: number, seed: number): Array<Record<string, number>> {
  const rows: Array<Record<string, number>> = [];
  const center = Math.round(lastPrice * 100);
  for (let offset = LEVELS; offset >= -LEVELS; offset--) {
    const price = (center + offset) / 100;
    const size = 100 * (1 + ((((seed + center + offset * 7) % 9) + 9) % 9));
    const row: Record<string, number> = { row: rows.length, focus: offset === 0 ? 1 : 0, price };
    if (offset > 0) row['ask'] = size;
    if (offset < 0) row['bid'] = size;
    rows.push(row);
  }
  return rows;
}
