/**
 * Who wants what, and for how long: consumer → (desired entries, lease). The upstream set is the union of every
 * consumer's entries, market-data fields widened to the union per conid. Pure: time comes in as arguments, so the
 * lease rules (expiry, freezing while NATS is down) are tested without sleeping.
 */
import type { BridgeSubscription } from './contract.js';

export interface Registration {
  readonly consumer: string;
  readonly leaseMs: number;
  /** Entries by wire key. */
  readonly subs: ReadonlyMap<string, BridgeSubscription>;
  renewedAt: number;
  /** `--subscribe` flags: held for the bridge's lifetime, never expire. */
  readonly pinned: boolean;
}

export class InterestRegistry {
  readonly #consumers = new Map<string, Registration>();

  get size(): number {
    return this.#consumers.size;
  }

  get(consumer: string): Registration | undefined {
    return this.#consumers.get(consumer);
  }

  registrations(): IterableIterator<Registration> {
    return this.#consumers.values();
  }

  /** Replace semantics: the consumer's whole set. Returns the keys it no longer wants. */
  set(
    consumer: string,
    subs: ReadonlyMap<string, BridgeSubscription>,
    leaseMs: number,
    now: number,
    pinned = false,
  ): string[] {
    const previous = this.#consumers.get(consumer);
    this.#consumers.set(consumer, { consumer, leaseMs, subs, renewedAt: now, pinned });
    return previous === undefined ? [] : [...previous.subs.keys()].filter((key) => !subs.has(key));
  }

  /** Returns the keys the consumer held. */
  delete(consumer: string): string[] {
    const previous = this.#consumers.get(consumer);
    this.#consumers.delete(consumer);
    return previous === undefined ? [] : [...previous.subs.keys()];
  }

  /** Drops one entry of one consumer (its upstream open failed): nothing is kept that is not served. */
  dropEntry(consumer: string, key: string): void {
    const registration = this.#consumers.get(consumer);
    if (registration === undefined || !registration.subs.has(key)) return;
    const subs = new Map(registration.subs);
    subs.delete(key);
    this.#consumers.set(consumer, { ...registration, subs });
  }

  /** Leases that ran out by `now`, removed. Pinned registrations never expire. */
  expire(now: number): Registration[] {
    const expired: Registration[] = [];
    for (const registration of this.#consumers.values()) {
      if (!registration.pinned && now - registration.renewedAt > registration.leaseMs) expired.push(registration);
    }
    for (const registration of expired) this.#consumers.delete(registration.consumer);
    return expired;
  }

  /** Every lease starts again from `now` (NATS came back: nobody could renew while it was down). */
  refreshAll(now: number): void {
    for (const registration of this.#consumers.values()) registration.renewedAt = now;
  }

  /** Consumers holding `key`. */
  holders(key: string): number {
    let count = 0;
    for (const registration of this.#consumers.values()) if (registration.subs.has(key)) count++;
    return count;
  }

  /** The union request for `key` over every consumer, or undefined when nobody wants it. */
  union(key: string): BridgeSubscription | undefined {
    let union: BridgeSubscription | undefined;
    for (const registration of this.#consumers.values()) {
      const sub = registration.subs.get(key);
      if (sub === undefined) continue;
      union = union === undefined ? sub : widen(union, sub);
    }
    return union;
  }

  /** Every key somebody wants. */
  keys(): Set<string> {
    const keys = new Set<string>();
    for (const registration of this.#consumers.values()) for (const key of registration.subs.keys()) keys.add(key);
    return keys;
  }
}

/** Market-data fields widen to the union (the gateway can add fields to a stream, never remove them). */
export function widen(current: BridgeSubscription, incoming: BridgeSubscription): BridgeSubscription {
  if (current.topic !== 'smd' || incoming.topic !== 'smd') return current;
  const fields = [...current.fields];
  for (const field of incoming.fields) if (!fields.includes(field)) fields.push(field);
  return fields.length === current.fields.length ? current : { ...current, fields };
}

/** True when `have` already covers every field of `want`. */
export function covers(have: BridgeSubscription, want: BridgeSubscription): boolean {
  if (have.topic !== 'smd' || want.topic !== 'smd') return true;
  return want.fields.every((field) => have.fields.includes(field));
}
