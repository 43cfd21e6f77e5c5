/**
 * `sor` / `uor` (§4.5) on one socket, fed by the gateway's AccountActivity. No ack on subscribe, no reply to `uor`.
 * Filters keep only orders of the listed statuses; updates without a status pass (they belong to an order already
 * shown).
 */
import type { ClientCommand } from '../../protocol/types.js';
import type { AccountActivity, ActivityRecord } from './account-activity.js';
import type { TopicHandler, TopicOutcome, TopicOutlet } from './topic-outlet.js';

type SubscribeOrders = Extract<ClientCommand, { op: 'subscribe'; topic: 'sor' }>;

export class OrdersTopic implements TopicHandler {
  readonly #outlet: TopicOutlet;
  readonly #activity: AccountActivity;
  #stopListening: (() => void) | undefined;
  #filters: ReadonlySet<string> | undefined;

  constructor(outlet: TopicOutlet, activity: AccountActivity) {
    this.#outlet = outlet;
    this.#activity = activity;
  }

  subscribe(command: SubscribeOrders): TopicOutcome {
    this.#filters =
      command.filters === undefined || command.filters.length === 0 ? undefined : new Set(command.filters);
    this.#stopListening ??= this.#activity.listenToOrders((orders) => this.#forward(orders));
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

  #forward(orders: readonly ActivityRecord[]): void {
    const filters = this.#filters;
    const shown =
      filters === undefined
        ? orders
        : orders.filter((order) => typeof order['status'] !== 'string' || filters.has(order['status']));
    if (shown.length > 0) this.#outlet.send({ topic: 'sor', args: [...shown] });
  }
}
