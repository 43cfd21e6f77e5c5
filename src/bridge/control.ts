/**
 * The control plane: `ctl.subscribe` and `ctl.release` requests, the registrations they make (ref-counted by the
 * interest registry, opened upstream through `Upstream`), their record in KV for the next run, and lease expiry.
 * Every entry of a request gets a typed result, in order; nothing is opened upstream for a bad one.
 */
import type { Msg, MsgHdrs } from '@nats-io/transport-node';
import { headers } from '@nats-io/transport-node';
import { IbkrWsError } from '../errors.js';
import {
  WIRE_VERSION,
  subjectOfSubscription,
  type BridgeNames,
  type BridgeSubscription,
  type ControlReply,
  type SubscribeResult,
  type WireError,
} from './contract.js';
import { readEntry, readReleaseRequest, readSubscribeRequest, type EntryVerdict } from './control-request.js';
import { BRIDGE_DEFAULTS } from './defaults.js';
import { widen, type InterestRegistry } from './interest.js';
import type { NatsLink } from './nats-link.js';
import type { Upstream } from './upstream.js';

export type ConsumerAction = 'subscribe' | 'renew' | 'release' | 'expired' | 'restored';

export interface ControlDeps {
  readonly names: BridgeNames;
  readonly run: string;
  readonly maxLeaseMs: number;
  readonly interest: InterestRegistry;
  readonly upstream: Upstream;
  readonly link: NatsLink;
  consumer(consumer: string, action: ConsumerAction, keys: readonly string[]): void;
  error(code: string, message: string): void;
  /** Set while a previous run's interest is being re-opened (its keys start with a `bridge-restart` gap). */
  restoring(on: boolean): void;
}

export class Control {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  /** Applies one consumer's whole set; every entry gets a result, in order. Nothing is opened for a bad entry. */
  register(consumer: string, entries: readonly EntryVerdict[], leaseMs: number, pinned: boolean): SubscribeResult[] {
    const subs = new Map<string, BridgeSubscription>();
    for (const entry of entries)
      if (entry.ok) subs.set(entry.key, subs.has(entry.key) ? widen(subs.get(entry.key)!, entry.sub) : entry.sub);
    const removed = this.#deps.interest.set(consumer, subs, leaseMs, Date.now(), pinned);
    const failedKeys = new Map<string, WireError>();
    const results = entries.map((entry): SubscribeResult => {
      if (!entry.ok) return { key: null, subject: null, status: 'failed', error: entry.error };
      const subject = subjectOfSubscription(this.#deps.names, entry.sub);
      const earlier = failedKeys.get(entry.key);
      if (earlier !== undefined) return { key: entry.key, subject, status: 'failed', error: earlier };
      try {
        this.#deps.upstream.ensure(entry.key, widen(subs.get(entry.key)!, this.#deps.interest.union(entry.key)!));
        const status = this.#deps.upstream.status(entry.key);
        return { key: entry.key, subject, status: status === undefined || status === 'closed' ? 'pending' : status };
      } catch (error) {
        const wire = wireErrorOf(error);
        failedKeys.set(entry.key, wire);
        this.#deps.interest.dropEntry(consumer, entry.key);
        return { key: entry.key, subject, status: 'failed', error: wire };
      }
    });
    this.releaseUnheld(removed);
    for (const key of failedKeys.keys()) if (this.#deps.interest.holders(key) === 0) this.#deps.upstream.close(key);
    return results;
  }

  releaseUnheld(keys: readonly string[]): void {
    for (const key of keys) if (this.#deps.interest.holders(key) === 0) this.#deps.upstream.close(key);
  }

  persist(consumer: string): void {
    const registration = this.#deps.interest.get(consumer);
    const resources = this.#deps.link.resources;
    if (resources === undefined || registration === undefined || registration.pinned) return;
    const value = { v: WIRE_VERSION, consumer, leaseMs: registration.leaseMs, subs: [...registration.subs.values()] };
    void resources.interest.put(consumer, new TextEncoder().encode(JSON.stringify(value))).catch(() => undefined);
  }

  unpersist(consumer: string): void {
    void this.#deps.link.resources?.interest.delete(consumer).catch(() => undefined);
  }

  #reply(msg: Msg, body: ControlReply): void {
    let h: MsgHdrs | undefined;
    if (!body.ok) {
      h = headers();
      const error = body.error ?? body.results?.find((result) => result.error !== undefined)?.error;
      h.set('Nats-Service-Error', error?.message ?? 'some entries failed');
      h.set('Nats-Service-Error-Code', '400');
    }
    try {
      msg.respond(new TextEncoder().encode(JSON.stringify(body)), h === undefined ? undefined : { headers: h });
    } catch {
      // The requester is gone or NATS closed: it will renew.
    }
  }

  readonly onSubscribe = (msg: Msg): void => {
    const verdict = readSubscribeRequest(msg.data);
    if (!verdict.ok)
      return this.#reply(msg, {
        v: WIRE_VERSION,
        ok: false,
        bridge: this.#deps.run,
        error: verdict.error,
        results: [],
      });
    const leaseMs = Math.max(
      BRIDGE_DEFAULTS.minLeaseMs,
      Math.min(verdict.leaseMs ?? this.#deps.maxLeaseMs, this.#deps.maxLeaseMs),
    );
    const known = this.#deps.interest.get(verdict.consumer) !== undefined;
    const results = this.register(verdict.consumer, verdict.entries, leaseMs, false);
    this.persist(verdict.consumer);
    const keys = results
      .filter((result) => result.status !== 'failed' && result.key !== null)
      .map((result) => result.key!);
    this.#deps.consumer(verdict.consumer, known ? 'renew' : 'subscribe', keys);
    this.#reply(msg, {
      v: WIRE_VERSION,
      ok: results.every((result) => result.error === undefined),
      bridge: this.#deps.run,
      leaseMs,
      results,
    });
  };

  readonly onRelease = (msg: Msg): void => {
    const verdict = readReleaseRequest(msg.data);
    if (!verdict.ok)
      return this.#reply(msg, { v: WIRE_VERSION, ok: false, bridge: this.#deps.run, error: verdict.error });
    const keys = this.#deps.interest.delete(verdict.consumer);
    this.unpersist(verdict.consumer);
    this.releaseUnheld(keys);
    this.#deps.consumer(verdict.consumer, 'release', keys);
    this.#reply(msg, { v: WIRE_VERSION, ok: true, bridge: this.#deps.run });
  };

  /** Registered interest of a previous run, with a fresh lease: the upstream set is back before any renewal. */
  async restore(): Promise<void> {
    const resources = this.#deps.link.resources;
    if (resources === undefined) return;
    const decoder = new TextDecoder();
    this.#deps.restoring(true);
    try {
      for await (const consumer of await resources.interest.keys()) {
        if (this.#deps.interest.get(consumer) !== undefined) continue;
        const entry = await resources.interest.get(consumer);
        if (entry === null || entry.operation !== 'PUT') continue;
        try {
          const stored = JSON.parse(decoder.decode(entry.value)) as { leaseMs?: unknown; subs?: unknown };
          const leaseMs =
            typeof stored.leaseMs === 'number'
              ? Math.min(stored.leaseMs, this.#deps.maxLeaseMs)
              : this.#deps.maxLeaseMs;
          const entries = Array.isArray(stored.subs) ? stored.subs.map(readEntry) : [];
          this.register(consumer, entries, leaseMs, false);
          this.#deps.consumer(consumer, 'restored', [...(this.#deps.interest.get(consumer)?.subs.keys() ?? [])]);
        } catch {
          this.#deps.error('malformed-json', `interest of ${consumer} in KV is unreadable; skipped`);
        }
      }
    } finally {
      this.#deps.restoring(false);
    }
  }

  /** Leases that ran out; frozen (nothing expires) while NATS is down, since nobody could renew. */
  sweep(now: number): void {
    if (!this.#deps.link.up) return;
    for (const registration of this.#deps.interest.expire(now)) {
      this.unpersist(registration.consumer);
      this.releaseUnheld([...registration.subs.keys()]);
      this.#deps.consumer(registration.consumer, 'expired', [...registration.subs.keys()]);
    }
  }
}

function wireErrorOf(error: unknown): WireError {
  if (error instanceof IbkrWsError) return { code: error.code, message: error.message };
  return { code: 'invalid-option', message: (error as Error)?.message ?? String(error) };
}
