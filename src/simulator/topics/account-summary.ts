/**
 * `ssd` / `usd` (§4.8): account summary entries on the topic `ssd+<acct>` (as IBIND expects), sent at once (the first
 * message confirms the subscription) and then every `accountSummaryIntervalMs`. `usd` is answered
 * `{"result":"unsubscribed from summary"}`. Timestamps are epoch seconds.
 */
import type { ClientCommand } from '../../protocol/types.js';
import { selectEntries, type Entry } from './entry-filter.js';
import { seededRandom } from './quote-model.js';
import { epochSeconds, type TopicHandler, type TopicOutcome, type TopicOutlet } from './topic-outlet.js';

/** `ssd` and `sld` share one command shape. */
type SubscribeSummary = Extract<ClientCommand, { op: 'subscribe'; topic: 'ssd' | 'sld' }>;

interface Subscription {
  readonly keys: readonly string[] | undefined;
  readonly fields: readonly string[] | undefined;
}

/** Monetary summary keys with a plausible starting value (USD). */
const MONETARY_KEYS: ReadonlyArray<readonly [string, number]> = [
  ['AccruedCash-S', 0],
  ['BuyingPower-S', 810_000_000],
  ['ExcessLiquidity-S', 198_766_371.5],
  ['GrossPositionValue-S', 391_710.74],
  ['NetLiquidation-S', 202_801_516.34],
  ['TotalCashValue-S', 202_013_117.91],
];

export class AccountSummaryTopic implements TopicHandler {
  readonly #outlet: TopicOutlet;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #random = seededRandom(4_321);
  #interval: NodeJS.Timeout | undefined;
  #drift = 0;

  constructor(outlet: TopicOutlet) {
    this.#outlet = outlet;
  }

  subscribe(command: SubscribeSummary): TopicOutcome {
    this.#subscriptions.set(command.acct, { keys: command.keys, fields: command.fields });
    this.#send(command.acct);
    if (this.#interval === undefined) {
      this.#interval = this.#outlet.timers.setInterval(
        () => this.#tick(),
        this.#outlet.options.accountSummaryIntervalMs,
      );
    }
    return 'handled';
  }

  unsubscribe(acct: string): TopicOutcome {
    this.#subscriptions.delete(acct);
    if (this.#subscriptions.size === 0) this.clear();
    this.#outlet.send({ result: 'unsubscribed from summary' });
    return 'handled';
  }

  clear(): void {
    this.#subscriptions.clear();
    this.#outlet.timers.clear(this.#interval);
    this.#interval = undefined;
  }

  #tick(): void {
    this.#drift = Math.round((this.#drift + (this.#random() - 0.5) * 2_000) * 100) / 100;
    for (const acct of this.#subscriptions.keys()) this.#send(acct);
  }

  #send(acct: string): void {
    const subscription = this.#subscriptions.get(acct);
    if (subscription === undefined) return;
    const timestamp = epochSeconds();
    const entries: Entry[] = [{ key: 'AccountCode', value: acct, severity: 0, timestamp }];
    for (const [key, base] of MONETARY_KEYS) {
      const monetaryValue = key === 'AccruedCash-S' ? 0 : Math.round((base + this.#drift) * 100) / 100;
      entries.push({ key, currency: 'USD', monetaryValue, severity: 0, timestamp });
    }
    this.#outlet.send({ topic: `ssd+${acct}`, result: selectEntries(entries, subscription.keys, subscription.fields) });
  }
}
