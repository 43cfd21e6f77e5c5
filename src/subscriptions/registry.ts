/**
 * The wanted wire subscriptions and the indexes the hot path needs: by key, market data by conid, and the history
 * requests awaiting their single response, per conid in send order (the response carries only `smh+<conid>`, so the
 * oldest request for that conid is the one it answers).
 */
import type { ServerMessage } from '../protocol/types.js';
import type { WireSubscription } from './wire-subscription.js';

export class Registry {
  readonly wires = new Map<string, WireSubscription>();
  readonly #marketData = new Map<number, WireSubscription>();
  /** Sent on the current socket, response still due; a closed request keeps its place so that its answer is not taken for the next one's. */
  readonly #awaitingHistory = new Map<number, WireSubscription[]>();
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
      const wire = this.wires.get(['sbd', message.acct, message.conid, ...(message.exchange === undefined ? [] : [message.exchange])].join('+'));
      if (wire !== undefined) yield wire;
      return;
    }
    for (const wire of this.wires.values()) if (wire.topic === 'sbd') yield wire;
  }

  /** The subscription an error frame's topic names: by key, or for `smh+<conid>` the oldest request still awaited. */
  wireForErrorTopic(topic: string): WireSubscription | undefined {
    if (!topic.startsWith('smh+')) return this.wires.get(topic);
    const wire = this.takeHistoryAnswer(Number(topic.slice(4)));
    return wire !== undefined && this.has(wire) ? wire : undefined;
  }

  expectHistory(wire: WireSubscription): void {
    if (wire.request.topic !== 'smh') return;
    const queue = this.#awaitingHistory.get(wire.request.conid);
    if (queue === undefined) this.#awaitingHistory.set(wire.request.conid, [wire]);
    else queue.push(wire);
  }

  /**
   * The request a `smh+<conid>` response (or error) answers: the oldest one sent. Undefined when none was expected;
   * the returned request may be closed already (then its answer is an orphan to release).
   */
  takeHistoryAnswer(conid: number): WireSubscription | undefined {
    const queue = this.#awaitingHistory.get(conid);
    const wire = queue?.shift();
    if (queue?.length === 0) this.#awaitingHistory.delete(conid);
    return wire;
  }

  /** The socket is gone: no response sent on it will ever come. */
  forgetAwaitedHistory(): void {
    this.#awaitingHistory.clear();
  }

  clear(): void {
    this.wires.clear();
    this.#marketData.clear();
    this.#awaitingHistory.clear();
    this.#historyCount = 0;
  }
}
