/**
 * The subscription hub: desired state, not commands. It remembers every wanted wire subscription, sends them only
 * on an authenticated socket, re-sends all of them after every (re-)authentication, tells acknowledged from merely
 * sent (ack-rules.ts), re-requests market data before and after IBKR expires it, marks every stream with a gap when
 * data may have been missed, and routes every data message to the consumers of its subscription.
 *
 * The statechart drives it through onReady / onNotReady (the entry and exit of its `socket.ready` state) and
 * refreshMarketData; the socket feeds onMessage (the hot path: one map lookup and a fan-out). Each wire subscription
 * keeps its own fields through its transitions (wire-subscription.ts); the history protocol is history-requests.ts.
 * All time goes through the injected clock. docs/SUBSCRIPTIONS.md is the user-facing description of every rule here.
 */
import { IbkrWsError } from '../errors.js';
import type { ClientCommand, ServerMessage, SubscribableTopic } from '../protocol/types.js';
import { realClock } from './clock.js';
import { CommandQueue } from './command-queue.js';
import { createConsumer, type ConsumerContext } from './consumer-factory.js';
import { resolveSubscriptionOptions, type ResolvedSubscriptionOptions } from './defaults.js';
import { ExpirySweep } from './expiry-sweep.js';
import type { Handle } from './handle.js';
import { HistoryRequests } from './history-requests.js';
import { RawRoutes, validateRawOptions } from './raw-route.js';
import { ReadingPause } from './reading-pause.js';
import { Registry } from './registry.js';
import { ackSettings, checkLimits, expiryOf } from './subscribe-checks.js';
import type { SubscriptionOpener } from './facade.js';
import type {
  Clock,
  MarketDataOptions,
  RawOptions,
  StreamKind,
  SubscriptionHubDeps,
  SubscriptionSnapshot,
} from './types.js';
import { keyOf, merge, subscribeCommand, unsubscribeCommand, type WireRequest } from './wire-requests.js';
import { WireSubscription, type WireContext } from './wire-subscription.js';

export class SubscriptionHub implements SubscriptionOpener {
  #ready = false;
  #socketId: number | undefined;
  #stopped = false;
  #rawCount = 0;
  readonly #deps: SubscriptionHubDeps;
  readonly #options: ResolvedSubscriptionOptions;
  readonly #clock: Clock;
  readonly #registry = new Registry();
  readonly #wireOf = new Map<Handle<any>, WireSubscription>();
  readonly #raw: RawRoutes;
  readonly #queue: CommandQueue;
  readonly #history: HistoryRequests;
  readonly #expirySweep: ExpirySweep;
  readonly #consumers: ConsumerContext;
  readonly #wires: WireContext;
  /** Market-data unsubscribes of streams closed during an outage: lines belong to the username and outlive sockets (§4.2). */
  readonly #deferredUnsubscribes = new Map<string, ClientCommand>();
  /** Topics whose subscriptions wait unsent until release(): a REST pre-flight must come first (orders, §6). */
  readonly #held = new Set<string>();

  constructor(deps: SubscriptionHubDeps) {
    this.#deps = deps;
    this.#options = resolveSubscriptionOptions(deps.options);
    this.#clock = deps.clock ?? realClock;
    this.#queue = new CommandQueue(this.#options.commandQueueSize);
    this.#raw = new RawRoutes((error) => deps.reportError(error));
    this.#expirySweep = new ExpirySweep(this.#clock, this.#registry, (streams, now) => this.#onExpired(streams, now));
    this.#history = new HistoryRequests({
      send: (commands) => this.#send(commands),
      isWanted: (wire) => this.#registry.has(wire),
      retire: (wire, end) => this.#retire(wire, end),
    });
    const pause = new ReadingPause((paused) => deps.pauseReading(paused));
    this.#consumers = {
      options: this.#options,
      deps,
      clock: this.#clock,
      pause,
      onClose: (handle) => this.#onClose(handle),
    };
    this.#wires = {
      clock: this.#clock,
      onStatus: (change) => deps.onStatus?.(change),
      onGap: (gap) => deps.onGap?.(gap),
    };
  }

  /** The socket is authenticated: (re)send every wanted subscription and the queued raw commands. */
  onReady(socketId: number): void {
    if (this.#stopped) return;
    // A new socket without onNotReady first (the statechart never does this): data was missed all the same.
    if (this.#ready && socketId !== this.#socketId) this.#lose('socket replaced');
    this.#ready = true;
    this.#socketId = socketId;
    this.#sync();
  }

  /** The socket is gone or unauthenticated: everything is pending again, and every stream gets a gap marker. */
  onNotReady(reason: string): void {
    if (this.#stopped) return;
    this.#lose(reason);
  }

  /** Re-request every market-data stream on this socket before IBKR's 10–15 min expiry (§4.2). */
  refreshMarketData(): void {
    if (!this.#ready || this.#stopped) return;
    const streams = [...this.#registry.wires.values()].filter((wire) => wire.topic === 'smd' && wire.sent);
    if (streams.length > 0) this.#requestAgain(streams);
  }

  /**
   * Holds back the subscriptions of `topic`: they stay `pending` and unsent (on a new socket too) until release().
   * The client holds `sor` while `/iserver/account/orders` is queried, which IBKR asks for before `sor` (§6).
   */
  hold(topic: SubscribableTopic): void {
    this.#held.add(topic);
  }

  /** Sends what hold() kept back, if the socket is ready (otherwise the next onReady does). */
  release(topic: SubscribableTopic): void {
    if (!this.#held.delete(topic) || !this.#ready || this.#stopped) return;
    for (const wire of this.#registry.wires.values()) if (wire.topic === topic && !wire.sent) this.#attempt(wire);
  }

  /** Whether some consumer wants a subscription of `topic`. */
  wants(topic: SubscribableTopic): boolean {
    for (const wire of this.#registry.wires.values()) if (wire.topic === topic) return true;
    return false;
  }

  /** Hot path: every data-plane message of the current socket. */
  onMessage(message: ServerMessage): void {
    if (this.#stopped) return;
    if (this.#raw.size > 0) this.#raw.deliver(message);
    // Data can only belong to subscriptions of a ready socket; a late frame of a lost one must not revive them.
    if (!this.#ready) return;
    switch (message.kind) {
      case 'smd': {
        // The codec never passes an smd without a conid; guard anyway, an empty update carries nothing (§4.2).
        if (!(message.conid > 0)) break;
        const wire = this.#registry.marketData(message.conid);
        if (wire?.quote === undefined) break;
        const now = this.#clock.now();
        wire.received(wire.quote.apply(message, now), now);
        break;
      }
      case 'sor':
      case 'spl':
      case 'str':
        this.#registry.wires.get(message.kind)?.received(message, this.#clock.now());
        break;
      case 'ssd':
      case 'sld':
        this.#registry.wires.get(`${message.kind}+${message.acct}`)?.received(message, this.#clock.now());
        break;
      case 'sbd':
        for (const wire of this.#registry.ladders(message)) wire.received(message, this.#clock.now());
        break;
      case 'smh':
        this.#history.answered(message.conid, message.serverId, (wire) => wire.received(message, this.#clock.now()));
        break;
      case 'error': {
        // An error frame whose topic names a subscription fails it (§4.10); others are only counted by the client.
        const topic = message.topic;
        if (topic === undefined) break;
        const wire = topic.startsWith('smh+')
          ? this.#history.erroredRequest(Number(topic.slice(4)))
          : this.#registry.wires.get(topic);
        if (wire !== undefined)
          this.#fail(wire, `the gateway answered: ${message.error ?? `error frame (code ${String(message.code)})`}`);
        break;
      }
      default:
        break;
    }
  }

  /** Ends every consumer, rejects what waits, clears every timer. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#ready = false;
    this.#expirySweep.stop();
    const error = new IbkrWsError('stopped', 'the client was stopped');
    for (const wire of [...this.#registry.wires.values()]) {
      wire.closed('stopped');
      this.#retire(wire, (consumer) => consumer.finish('stopped', error));
    }
    this.#raw.finishAll('stopped', error);
    this.#history.forget();
    this.#deferredUnsubscribes.clear();
    this.#queue.rejectAll(error);
  }

  /** One row per wire subscription (raw consumers are not subscriptions). */
  subscriptions(): SubscriptionSnapshot[] {
    return [...this.#registry.wires.values()].map((wire) => wire.snapshot());
  }

  /** A new consumer of the wire subscription `request` belongs to. Throws typed errors for limits and conflicts. */
  open<T>(kind: StreamKind, request: WireRequest, options: MarketDataOptions = {}): Handle<T> {
    this.#assertRunning();
    const key = keyOf(request);
    const existing = this.#registry.wires.get(key);
    const merged = existing === undefined ? undefined : merge(existing.request, request);
    if (existing === undefined) checkLimits(request, this.#registry, this.#options);
    const handle = createConsumer<T>(this.#consumers, kind, key, options);
    if (existing !== undefined && merged !== undefined) {
      this.#join(existing, handle, merged.request, merged.changed);
      return handle;
    }
    const wire = new WireSubscription(
      request,
      ackSettings(options, this.#options),
      expiryOf(options, this.#options),
      this.#wires,
    );
    wire.consumers.add(handle);
    this.#wireOf.set(handle, wire);
    this.#registry.add(wire);
    this.#deferredUnsubscribes.delete(key);
    if (this.#ready) {
      this.#attempt(wire);
      this.#expirySweep.schedule();
    }
    return handle;
  }

  /** The raw escape hatch: commands sent once (queued until ready), messages matched by kind/topic/predicate. */
  openRaw(options: RawOptions = {}): Handle<ServerMessage> {
    this.#assertRunning();
    validateRawOptions(options);
    const handle = createConsumer<ServerMessage>(this.#consumers, 'raw', `raw#${++this.#rawCount}`, options);
    this.#raw.add(handle, options);
    const commands =
      options.send === undefined
        ? []
        : Array.isArray(options.send)
          ? [...(options.send as readonly ClientCommand[])]
          : [options.send as ClientCommand];
    const sent = (): void => {
      handle.setStatus('active');
      handle.acknowledge();
    };
    const rejected = (error: IbkrWsError): void => {
      handle.rejectAcknowledgement(error);
      handle.setStatus('failed', error.message);
      this.#deps.reportError(error);
    };
    if (commands.length === 0) sent();
    else if (this.#send(commands)) sent();
    else this.#queue.enqueue(commands, sent, rejected);
    return handle;
  }

  /** Sends only while the data plane is ready; then the socket is the open, authenticated one (the statechart says so). */
  #send(commands: readonly ClientCommand[]): boolean {
    if (!this.#ready) return false;
    this.#deps.send(commands);
    return true;
  }

  /** Everything the socket must carry now: deferred unsubscribes, every wanted subscription, the queued raw commands. */
  #sync(): void {
    if (!this.#ready || this.#stopped) return;
    const wires = [...this.#registry.wires.values()].filter((wire) => !this.#held.has(wire.topic));
    const queued = this.#queue.peek();
    const commands = [
      ...this.#deferredUnsubscribes.values(),
      ...wires.map((wire) => subscribeCommand(wire.request)),
      ...queued.commands,
    ];
    if (commands.length > 0) this.#deps.send(commands);
    this.#deferredUnsubscribes.clear();
    for (const wire of wires) this.#sent(wire, 1);
    queued.confirm();
    this.#expirySweep.schedule();
  }

  /** First send or retry of one subscription. */
  #attempt(wire: WireSubscription): void {
    if (this.#held.has(wire.topic) || !this.#send([subscribeCommand(wire.request)])) return;
    this.#sent(wire, wire.attempts + 1);
  }

  #sent(wire: WireSubscription, attempt: number): void {
    this.#history.sent(wire);
    wire.requested(attempt, () => this.#onAckTimeout(wire));
  }

  /** Sends the subscribe of `streams` once more on this socket: their lifetime starts over. */
  #requestAgain(streams: readonly WireSubscription[]): void {
    if (!this.#send(streams.map((wire) => subscribeCommand(wire.request)))) return;
    const now = this.#clock.now();
    for (const wire of streams) wire.requestedAgain(now);
  }

  #onAckTimeout(wire: WireSubscription): void {
    if (!this.#ready || !this.#registry.has(wire) || wire.status === 'active') return;
    if (wire.ackRule === 'first-data-or-quiet') {
      wire.acknowledged(`assumed: no data within ${wire.ack.ackTimeoutMs} ms (the topic may simply be quiet)`);
    } else if (wire.attempts <= wire.ack.retries) {
      this.#attempt(wire);
    } else {
      this.#fail(wire, `no acknowledgement after ${wire.attempts} attempt(s) of ${wire.ack.ackTimeoutMs} ms`);
    }
  }

  /** No acknowledgement, or an error frame on its topic. Tried again on the next onReady (history: final). */
  #fail(wire: WireSubscription, reason: string): void {
    const error = new IbkrWsError('subscription-failed', `${wire.key}: ${reason}`);
    wire.failed(reason, error);
    this.#deps.reportError(error);
    this.#history.failed(wire, error);
  }

  #lose(reason: string): void {
    if (!this.#ready) return;
    this.#ready = false;
    this.#expirySweep.stop();
    this.#history.forget();
    const at = this.#clock.now();
    for (const wire of this.#registry.wires.values()) wire.lost(reason, at);
    this.#raw.gap(reason, at);
  }

  /** Streams the gateway ended silently: `expired` with a gap marker, and requested again at once. */
  #onExpired(streams: readonly WireSubscription[], now: number): void {
    if (!this.#ready) return;
    for (const wire of streams) if (wire.status === 'active') wire.expired(now - (wire.lastDataAt ?? 0), now);
    this.#requestAgain(streams);
  }

  /** A consumer joins an existing wire subscription. */
  #join(wire: WireSubscription, handle: Handle<any>, request: WireRequest, widened: boolean): void {
    wire.join(handle, request);
    this.#wireOf.set(handle, wire);
    if (!this.#ready) return;
    if (wire.status === 'failed') {
      // A new explicit request is a new chance: start over with fresh attempts.
      wire.startOver();
      this.#attempt(wire);
    } else if (widened && !this.#held.has(wire.topic)) {
      // The gateway adds to a stream when it is requested again (§4.2): the union goes out, the status stays.
      this.#requestAgain([wire]);
    }
  }

  #onClose(handle: Handle<any>): void {
    if (this.#raw.remove(handle)) {
      handle.finish('closed', new IbkrWsError('subscription-closed', `${handle.key} was closed`));
      return;
    }
    const wire = this.#wireOf.get(handle);
    this.#wireOf.delete(handle);
    handle.finish(
      'closed',
      new IbkrWsError('subscription-closed', `${handle.key} was closed before it was acknowledged`),
    );
    if (wire === undefined) return;
    wire.consumers.delete(handle);
    if (wire.consumers.size === 0) this.#tearDown(wire);
  }

  /** The last consumer left: unsubscribe with the topic's own form. */
  #tearDown(wire: WireSubscription): void {
    this.#registry.remove(wire);
    wire.closed('closed');
    // History: its answer (still due) is released on arrival by history-requests.ts; nothing to cancel before the serverId.
    const unsubscribe = unsubscribeCommand(wire.request, wire.serverId);
    if (unsubscribe === undefined || wire.topic === 'smh') return;
    if (this.#ready && wire.sent) {
      this.#send([unsubscribe, ...this.#siblingLadders(wire)]);
    } else if (!this.#ready && wire.topic === 'smd' && wire.everSent) {
      this.#deferredUnsubscribes.set(wire.key, unsubscribe);
    }
  }

  /** `ubd+<acct>` ends every ladder of the account (§4.4): the ones still wanted are requested again after it. */
  #siblingLadders(wire: WireSubscription): ClientCommand[] {
    if (wire.request.topic !== 'sbd') return [];
    const acct = wire.request.acct;
    return [...this.#registry.wires.values()]
      .filter((other) => other.request.topic === 'sbd' && other.request.acct === acct && other.sent)
      .map((other) => subscribeCommand(other.request));
  }

  /** The wire subscription is over (complete, failed for good, stopped): forgotten, its consumers ended with `end`. */
  #retire(wire: WireSubscription, end: Parameters<WireSubscription['endConsumers']>[0]): void {
    this.#registry.remove(wire);
    for (const consumer of wire.endConsumers(end)) this.#wireOf.delete(consumer);
  }

  #assertRunning(): void {
    if (this.#stopped) throw new IbkrWsError('stopped', 'the client was stopped; create a new one to subscribe');
  }
}
