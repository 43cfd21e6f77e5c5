/**
 * `str` / `utr` (§4.7) on one socket, fed by the gateway's AccountActivity: the day's trades first (unless
 * `realtimeUpdatesOnly`), then each new execution. No reply to `utr`.
 */
import type { ClientCommand } from '../../protocol/types.js';
import type { AccountActivity } from './account-activity.js';
import type { TopicHandler, TopicOutcome, TopicOutlet } from './topic-outlet.js';

type SubscribeTrades = Extract<ClientCommand, { op: 'subscribe'; topic: 'str' }>;

export class TradesTopic implements TopicHandler {
  readonly #outlet: TopicOutlet;
  readonly #activity: AccountActivity;
  #stopListening: (() => void) | undefined;

  constructor(outlet: TopicOutlet, activity: AccountActivity) {
    this.#outlet = outlet;
    this.#activity = activity;
  }

  subscribe(command: SubscribeTrades): TopicOutcome {
    if (command.realtimeUpdatesOnly !== true && this.#activity.trades.length > 0) {
      this.#outlet.send({ topic: 'str', args: [...this.#activity.trades] });
    }
    this.#stopListening ??= this.#activity.listenToTrades((trades) =>
      this.#outlet.send({ topic: 'str', args: [...trades] }),
    );
    return 'handled';
  }

  unsubscribe(): TopicOutcome {
    this.clear();
    return 'handled';
  }

  clear(): void {
    this.#stopListening?.();
    this.#stopListening = undefined;
  }
}
