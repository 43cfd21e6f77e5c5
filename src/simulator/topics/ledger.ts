/**
 * `sld` / `uld` (§4.8): the cash ledger per currency on the topic `sld+<acct>`, sent at once and then every
 * `ledgerIntervalMs` (documented: 10 s). After the first message, currencies unchanged in the interval are "blank"
 * (only `key` and `timestamp`): here BASE and USD move, the other currencies stay blank. `uld` is answered
 * `{"result":"unsubscribed from ledger"}`. Timestamps are epoch seconds.
 */
import type { ClientCommand } from '../../protocol/types.js';
import { selectEntries, type Entry } from './entry-filter.js';
import { seededRandom } from './quote-model.js';
import { epochSeconds, type TopicHandler, type TopicOutcome, type TopicOutlet } from './topic-outlet.js';

/** `ssd` and `sld` share one command shape. */
type SubscribeLedger = Extract<ClientCommand, { op: 'subscribe'; topic: 'ssd' | 'sld' }>;

interface Subscription {
  readonly keys: readonly string[] | undefined;
  readonly fields: readonly string[] | undefined;
  sentOnce: boolean;
}

const CURRENCIES = ['BASE', 'USD', 'EUR'] as const;
/** The currencies whose balances move between messages; the others are sent blank after the first message. */
const MOVING = new Set<string>(['BASE', 'USD']);

export class LedgerTopic implements TopicHandler {
  readonly #outlet: TopicOutlet;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #random = seededRandom(8_765);
  #interval: NodeJS.Timeout | undefined;
  #unrealizedPnl = 249_013.5397937378;

  constructor(outlet: TopicOutlet) {
    this.#outlet = outlet;
  }

  subscribe(command: SubscribeLedger): TopicOutcome {
    this.#subscriptions.set(command.acct, { keys: command.keys, fields: command.fields, sentOnce: false });
    this.#send(command.acct);
    if (this.#interval === undefined) {
      this.#interval = this.#outlet.timers.setInterval(() => this.#tick(), this.#outlet.options.ledgerIntervalMs);
    }
    return 'handled';
  }

  unsubscribe(acct: string): TopicOutcome {
    this.#subscriptions.delete(acct);
    if (this.#subscriptions.size === 0) this.clear();
    this.#outlet.send({ result: 'unsubscribed from ledger' });
    return 'handled';
  }

  clear(): void {
    this.#subscriptions.clear();
    this.#outlet.timers.clear(this.#interval);
    this.#interval = undefined;
  }

  #tick(): void {
    this.#unrealizedPnl += (this.#random() - 0.5) * 1_000;
    for (const acct of this.#subscriptions.keys()) this.#send(acct);
  }

  #send(acct: string): void {
    const subscription = this.#subscriptions.get(acct);
    if (subscription === undefined) return;
    const timestamp = epochSeconds();
    const entries: Entry[] = CURRENCIES.map((currency) => {
      const key = `LedgerList${currency}`;
      if (subscription.sentOnce && !MOVING.has(currency)) return { key, timestamp };
      return this.#fullEntry(acct, currency, timestamp);
    });
    subscription.sentOnce = true;
    this.#outlet.send({ result: selectEntries(entries, subscription.keys, subscription.fields), topic: `sld+${acct}` });
  }

  /** The documented BASE entry's fields (CAMPUS-TX, §4.8). */
  #fullEntry(acct: string, currency: string, timestamp: number): Entry {
    const exchangeRate = currency === 'EUR' ? 1.0841 : 1.0;
    const cash = currency === 'EUR' ? 125_000.5 : 2.0201311791131118e8;
    return {
      acctCode: acct,
      cashbalance: cash,
      key: `LedgerList${currency}`,
      exchangeRate,
      netLiquidationValue: cash + 391_710.74028015137,
      unrealizedPnl: currency === 'EUR' ? 0 : this.#unrealizedPnl,
      secondKey: currency,
      settledCash: cash,
      severity: 0,
      stockMarketValue: currency === 'EUR' ? 0 : 391_710.74028015137,
      timestamp,
    };
  }
}
