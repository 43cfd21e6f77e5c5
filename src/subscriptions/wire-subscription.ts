/**
 * One subscription on the wire and everything its consumers share: the merged request, the status on the current
 * socket, the acknowledgement attempts, the last data time (expiry), the history `serverId` and the quote
 * accumulator. The hub decides; this holds the state and fans items and statuses out to the consumers.
 */
import type { SubscribableTopic } from '../protocol/types.js';
import type { IbkrWsError } from '../errors.js';
import { ACK_RULES, type AckRule } from './ack-rules.js';
import type { Handle } from './handle.js';
import { QuoteAccumulator } from './quote.js';
import type { Clock, Gap, SubscriptionSnapshot, SubscriptionStatus } from './types.js';
import { keyOf, type WireRequest } from './wire-requests.js';

export interface AckSettings {
  readonly ackTimeoutMs: number;
  readonly retries: number;
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
  request: WireRequest;
  status: SubscriptionStatus = 'pending';
  reason: string | undefined;
  /** The subscribe went out on the current socket (since the last onReady). */
  sent = false;
  /** The subscribe went out on some socket: the gateway may hold a market data line for it (§4.2). */
  everSent = false;
  /** Sends of the subscribe on the current socket that count as attempts (first send + retries). */
  attempts = 0;
  ackTimer: unknown;
  lastDataAt: number | undefined;
  lastRequestAt: number | undefined;
  /** History: the gateway's id for `umh+<serverId>`, from the response. */
  serverId: string | undefined;

  constructor(request: WireRequest, ack: AckSettings, expiryMs: number) {
    this.request = request;
    this.key = keyOf(request);
    this.topic = request.topic;
    this.ackRule = ACK_RULES[request.topic];
    this.ack = ack;
    this.expiryMs = expiryMs;
    this.quote = request.topic === 'smd' ? new QuoteAccumulator(this.key, request.conid, request.exchange) : undefined;
  }

  /** (Re)starts the wait for this attempt's acknowledgement. */
  armAckTimer(clock: Clock, onTimeout: () => void): void {
    this.disarmAckTimer(clock);
    this.ackTimer = clock.setTimeout(() => {
      this.ackTimer = undefined;
      onTimeout();
    }, this.ack.ackTimeoutMs);
  }

  disarmAckTimer(clock: Clock): void {
    if (this.ackTimer === undefined) return;
    clock.clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  /** Hot path: every consumer gets the same item. */
  deliver(item: unknown): void {
    for (const consumer of this.consumers) consumer.deliver(item);
  }

  deliverGap(gap: Gap): void {
    for (const consumer of this.consumers) consumer.deliverGap(gap);
  }

  /** Sets the status on the wire and on every consumer; false when nothing changed. */
  setStatus(status: SubscriptionStatus, reason?: string): boolean {
    if (this.status === status && this.reason === reason) return false;
    const changed = this.status !== status;
    this.status = status;
    this.reason = reason;
    for (const consumer of this.consumers) consumer.setStatus(status, reason);
    return changed;
  }

  acknowledgeConsumers(): void {
    for (const consumer of this.consumers) consumer.acknowledge();
  }

  rejectConsumers(error: IbkrWsError): void {
    for (const consumer of this.consumers) consumer.rejectAcknowledgement(error);
  }

  snapshot(): SubscriptionSnapshot {
    return {
      key: this.key,
      topic: this.topic,
      status: this.status,
      consumers: this.consumers.size,
      attempts: this.attempts,
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      ...(this.lastDataAt === undefined ? {} : { lastDataAt: this.lastDataAt }),
    };
  }
}
