/**
 * `spl` / `upl` (§4.6): the account's P&L row `<acct>.Core` with `rowType`, `dpl`, `nl`, `upl`, `uel`, `mv`, sent at
 * once (IBIND takes the first message as the confirmation) and then every `pnlIntervalMs`. `upl` has no reply.
 */
import { seededRandom } from './quote-model.js';
import type { TopicHandler, TopicOutcome, TopicOutlet } from './topic-outlet.js';

export class PnlTopic implements TopicHandler {
  readonly #outlet: TopicOutlet;
  readonly #random = seededRandom(1_234);
  #interval: NodeJS.Timeout | undefined;
  #dailyPnl = -57_520;
  #unrealizedPnl = 972_100;
  #marketValue = 391_710.74;

  constructor(outlet: TopicOutlet) {
    this.#outlet = outlet;
  }

  subscribe(): TopicOutcome {
    if (this.#interval === undefined) {
      this.#send();
      this.#interval = this.#outlet.timers.setInterval(() => this.#send(), this.#outlet.options.pnlIntervalMs);
    }
    return 'handled';
  }

  unsubscribe(): TopicOutcome {
    this.clear();
    return 'handled';
  }

  clear(): void {
    this.#outlet.timers.clear(this.#interval);
    this.#interval = undefined;
  }

  #send(): void {
    const move = Math.round((this.#random() - 0.5) * 20_000) / 100;
    this.#dailyPnl = round2(this.#dailyPnl + move);
    this.#unrealizedPnl = round2(this.#unrealizedPnl + move);
    this.#marketValue = round2(this.#marketValue + move);
    const netLiquidity = round2(202_801_516.34 + this.#dailyPnl);
    this.#outlet.send({
      topic: 'spl',
      args: {
        [`${this.#outlet.options.accountId}.Core`]: {
          rowType: 1,
          dpl: this.#dailyPnl,
          nl: netLiquidity,
          upl: this.#unrealizedPnl,
          uel: round2(netLiquidity * 0.98),
          mv: this.#marketValue,
        },
      },
    });
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
