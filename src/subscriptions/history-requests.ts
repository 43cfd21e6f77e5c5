/**
 * The history single-answer protocol (docs/PROTOCOL.md §4.3). A `smh+<conid>` request is answered once, or fails;
 * the answer carries only the conid and a `serverId`, so requests for one conid are answered in the order they were
 * sent. On the answer the gateway's slot is freed at once with `umh+<serverId>` (only 5 exist), whether or not anyone
 * still waits; the request is then complete and its consumers' iterators end. A failed request ends its consumers
 * with the error: it will never answer. Its I/O goes through a three-method host, as nats' heartbeats do.
 */
import { IbkrWsError } from '../errors.js';
import type { ClientCommand } from '../protocol/types.js';
import type { WireSubscription } from './wire-subscription.js';

export interface HistoryHost {
  /** Sends on the ready socket; false when there is none. */
  send(commands: readonly ClientCommand[]): boolean;
  /** Whether the request is still wanted (not closed by its consumers, not stopped). */
  isWanted(wire: WireSubscription): boolean;
  /** The request is over: forgotten by the hub, its consumers ended with `end`. */
  retire(wire: WireSubscription, end: Parameters<WireSubscription['endConsumers']>[0]): void;
}

export class HistoryRequests {
  readonly #host: HistoryHost;
  /** Per conid, in send order: sent on the current socket, answer still due. A closed request keeps its place. */
  readonly #awaiting = new Map<number, WireSubscription[]>();

  constructor(host: HistoryHost) {
    this.#host = host;
  }

  /** A history request went out on the current socket: its answer is due. */
  sent(wire: WireSubscription): void {
    if (wire.request.topic !== 'smh') return;
    const queue = this.#awaiting.get(wire.request.conid);
    if (queue === undefined) this.#awaiting.set(wire.request.conid, [wire]);
    else queue.push(wire);
  }

  /** The single answer: delivered (`deliver` acknowledges it like any data), then the request is complete. */
  answered(conid: number, serverId: string, deliver: (wire: WireSubscription) => void): void {
    const wire = this.#take(conid);
    this.#host.send([{ op: 'unsubscribe', topic: 'smh', serverId }]);
    // An answer nobody waits for (closed, or a retry's duplicate) is released all the same.
    if (wire === undefined || !this.#host.isWanted(wire)) return;
    wire.answered(serverId);
    deliver(wire);
    wire.closed('complete');
    const done = new IbkrWsError('subscription-closed', `${wire.key}: complete`);
    this.#host.retire(wire, (consumer) => consumer.finish('complete', done));
  }

  /** The still-wanted request an error frame on `smh+<conid>` answers, if any. */
  erroredRequest(conid: number): WireSubscription | undefined {
    const wire = this.#take(conid);
    return wire !== undefined && this.#host.isWanted(wire) ? wire : undefined;
  }

  /** A history request answers once or never: after a failure its consumers end with the error instead of waiting. */
  failed(wire: WireSubscription, error: IbkrWsError): void {
    if (wire.topic !== 'smh') return;
    this.#host.retire(wire, (consumer) => consumer.fail(error));
  }

  /** The socket is gone: no answer to a request sent on it will ever come. */
  forget(): void {
    this.#awaiting.clear();
  }

  /** The oldest request sent for `conid`; it may be closed already (then its answer is an orphan to release). */
  #take(conid: number): WireSubscription | undefined {
    const queue = this.#awaiting.get(conid);
    const wire = queue?.shift();
    if (queue?.length === 0) this.#awaiting.delete(conid);
    return wire;
  }
}
