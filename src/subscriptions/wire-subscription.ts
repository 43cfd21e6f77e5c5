/**
 * One subscription on the wire and everything its consumers share: the merged request, the status on the current
 * socket, the acknowledgement attempts, the last data time (expiry), the history `serverId` and the quote
 * accumulator. Its transitions are methods (sent, acknowledged, failed, lost, expired, closed, …): the hub decides
 * when, this keeps the fields consistent, tells every consumer, and reports each status change once.
 */
import type { SubscribableTopic } from '../protocol/types.js';
import type { IbkrWsError } from '../errors.js';
import { ACK_RULES, type AckRule } from './ack-rules.js';
import type { Handle } from './handle.js';
import { QuoteAccumulator } from './quote.js';
import type { Clock, Gap, StatusChange, SubscriptionSnapshot, SubscriptionStatus } from './types.js';
import { keyOf, type WireRequest } from './wire-requests.js';

export interface AckSettings {
  readonly ackTimeoutMs: number;
  readonly retries: number;
}

/** What every wire subscription of a hub shares: its clock and where status changes and gaps are reported. */
export interface WireContext {
  readonly clock: Clock;
  onStatus(change: StatusChange): void;
  onGap(event: { key: string; reason: string }): void;
}

export class WireSubscription {
  readonly key: string;
  readonly topic: SubscribableTopic;
  readonly ackRule: AckRule;
  readonly ack: AckSettings;
  /** Market data only: silence longer than this = expired. */
  readonly expiryMs: number;
  readonly consumers = new Set<Handle<any>>();
  readonly quote: QuoteAccumulator | undefined;
  readonly #context: WireContext;
  #request: WireRequest;
  #status: SubscriptionStatus = 'pending';
  #reason: string | undefined;
  #sent = false;
  #everSent = false;
  #attempts = 0;
  #ackTimer: unknown;
  #lastDataAt: number | undefined;
  #lastRequestAt: number | undefined;
  #serverId: string | undefined;

  constructor(request: WireRequest, ack: AckSettings, expiryMs: number, context: WireContext) {
    this.#request = request;
    this.key = keyOf(request);
    this.topic = request.topic;
    this.ackRule = ACK_RULES[request.topic];
    this.ack = ack;
    this.expiryMs = expiryMs;
    this.#context = context;
    this.quote = request.topic === 'smd' ? new QuoteAccumulator(this.key, request.conid, request.exchange) : undefined;
  }

  get request(): WireRequest {
    return this.#request;
  }
  get status(): SubscriptionStatus {
    return this.#status;
  }
  get reason(): string | undefined {
    return this.#reason;
  }
  /** The subscribe went out on the current socket (since the last onReady). */
  get sent(): boolean {
    return this.#sent;
  }
  /** The subscribe went out on some socket: the gateway may hold a market data line for it (§4.2). */
  get everSent(): boolean {
    return this.#everSent;
  }
  /** Sends of the subscribe on the current socket that count as attempts (first send + retries). */
  get attempts(): number {
    return this.#attempts;
  }
  get lastDataAt(): number | undefined {
    return this.#lastDataAt;
  }
  get lastRequestAt(): number | undefined {
    return this.#lastRequestAt;
  }
  /** History: the gateway's id for `umh+<serverId>`, from the response. */
  get serverId(): string | undefined {
    return this.#serverId;
  }

  /** A consumer joins; `request` is the merged request (the union of what every consumer asked for). */
  join(consumer: Handle<any>, request: WireRequest = this.#request): void {
    this.consumers.add(consumer);
    this.#request = request;
    consumer.setStatus(this.#status, this.#reason);
    if (this.#status === 'active') consumer.acknowledge();
  }

  /**
   * The subscribe went out on the current socket: attempt `attempt` (1 for the first, more for retries). Then it
   * waits for its acknowledgement (`onAckTimeout` when none comes in time), unless its topic is acknowledged by
   * sending (ack-rules.ts).
   */
  requested(attempt: number, onAckTimeout: () => void): void {
    this.#sent = true;
    this.#everSent = true;
    this.#attempts = attempt;
    this.#lastRequestAt = this.#context.clock.now();
    if (this.ackRule === 'on-send') {
      this.acknowledged();
      return;
    }
    if (this.#status === 'active') return;
    this.#setStatus('pending');
    this.#disarmAckTimer();
    this.#ackTimer = this.#context.clock.setTimeout(() => {
      this.#ackTimer = undefined;
      onAckTimeout();
    }, this.ack.ackTimeoutMs);
  }

  /** Requested again on the same socket (refresh, widened fields, expiry): the stream's lifetime starts over. */
  requestedAgain(now: number): void {
    this.#lastRequestAt = now;
  }

  /** A new explicit request after `failed`: a new chance with fresh attempts. */
  startOver(): void {
    this.#attempts = 0;
  }

  acknowledged(reason?: string): void {
    this.#disarmAckTimer();
    this.#setStatus('active', reason);
    for (const consumer of this.consumers) consumer.acknowledge();
  }

  /** Hot path: data acknowledges the subscription and goes to every consumer. */
  received(item: unknown, now: number): void {
    this.#lastDataAt = now;
    if (this.#status !== 'active') this.acknowledged();
    for (const consumer of this.consumers) consumer.deliver(item);
  }

  /** History: the response named the gateway's id for this request. */
  answered(serverId: string): void {
    this.#serverId = serverId;
  }

  failed(reason: string, error: IbkrWsError): void {
    this.#disarmAckTimer();
    this.#setStatus('failed', reason);
    for (const consumer of this.consumers) consumer.rejectAcknowledgement(error);
  }

  /** The socket is gone: nothing is sent on it any more, stale quote fields are forgotten, every consumer gets a gap. */
  lost(reason: string, at: number): void {
    this.#disarmAckTimer();
    this.#sent = false;
    this.#attempts = 0;
    // Stale fields must not masquerade as fresh: the new stream's first message is complete again.
    this.quote?.reset();
    if (this.#status === 'active' || this.#status === 'expired') this.#setStatus('pending', reason);
    this.gap(reason, at);
  }

  /** The gateway ended the stream silently: `expired`, with a gap marker. */
  expired(silentMs: number, now: number): void {
    this.#setStatus('expired', `no data for ${silentMs} ms`);
    this.gap('expired', now);
  }

  gap(reason: string, at: number): void {
    const gap: Gap = { kind: 'gap', key: this.key, reason, at };
    for (const consumer of this.consumers) consumer.deliverGap(gap);
    this.#context.onGap({ key: this.key, reason });
  }

  closed(reason: string): void {
    this.#disarmAckTimer();
    this.#setStatus('closed', reason);
  }

  /** Ends every consumer with `end` and lets go of them all; returns them (the caller forgets its own index of them). */
  endConsumers(end: (consumer: Handle<any>) => void): Handle<any>[] {
    const ended = [...this.consumers];
    for (const consumer of ended) end(consumer);
    this.consumers.clear();
    return ended;
  }

  snapshot(): SubscriptionSnapshot {
    return {
      key: this.key,
      topic: this.topic,
      status: this.#status,
      consumers: this.consumers.size,
      attempts: this.#attempts,
      ...(this.#reason === undefined ? {} : { reason: this.#reason }),
      ...(this.#lastDataAt === undefined ? {} : { lastDataAt: this.#lastDataAt }),
    };
  }

  /** Sets the status on the wire and on every consumer; reported when the status itself changed. */
  #setStatus(status: SubscriptionStatus, reason?: string): void {
    if (this.#status === status && this.#reason === reason) return;
    const changed = this.#status !== status;
    this.#status = status;
    this.#reason = reason;
    for (const consumer of this.consumers) consumer.setStatus(status, reason);
    if (changed)
      this.#context.onStatus(reason === undefined ? { key: this.key, status } : { key: this.key, status, reason });
  }

  #disarmAckTimer(): void {
    if (this.#ackTimer === undefined) return;
    this.#context.clock.clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
  }
}
