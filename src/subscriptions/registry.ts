/**
 * The wanted wire subscriptions and the indexes the hot path needs: by key, and market data by conid. (History
 * requests awaiting their answer are tracked by history-requests.ts.)
 */
import type { ServerMessage } from '../protocol/types.js';
import type { WireSubscription } from './wire-subscription.js';

export class Registry {
  readonly wires = new Map<string, WireSubscription>();
  readonly #marketData = new Map<number, WireSubscription>();
  #historyCount = 0;

  get marketDataCount(): number {
    return this.#marketData.size;
  }

  get historyCount(): number {
    return this.#historyCount;
  }

  add(wire: WireSubscription): void {
    this.wires.set(wire.key, wire);
    if (wire.request.topic === 'smd') this.#marketData.set(wire.request.conid, wire);
    if (wire.topic === 'smh') this.#historyCount += 1;
  }

  remove(wire: WireSubscription): void {
    if (this.wires.get(wire.key) !== wire) return;
    this.wires.delete(wire.key);
    if (wire.request.topic === 'smd') this.#marketData.delete(wire.request.conid);
    if (wire.topic === 'smh') this.#historyCount -= 1;
  }

  has(wire: WireSubscription): boolean {
    return this.wires.get(wire.key) === wire;
  }

  /** Hot path. */
  marketData(conid: number): WireSubscription | undefined {
    return this.#marketData.get(conid);
  }

  /** The ladders a `sbd` message is for: the one its topic names, or every one for a bare `sbd` (the docs' form, §4.4). */
  *ladders(message: Extract<ServerMessage, { kind: 'sbd' }>): Iterable<WireSubscription> {
    if (message.acct !== undefined && message.conid !== undefined) {
      const wire = this.wires.get(
        ['sbd', message.acct, message.conid, ...(message.exchange === undefined ? [] : [message.exchange])].join('+'),
      );
      if (wire !== undefined) yield wire;
      return;
    }
    for (const wire of this.wires.values()) if (wire.topic === 'sbd') yield wire;
  }

  clear(): void {
    this.wires.clear();
    this.#marketData.clear();
    this.#historyCount = 0;
  }
}
