/**
 * A hub wired to fakes: a clock that tests advance by hand (and that counts its pending timers), a `send` that
 * records every command batch and refuses while the fake socket is not ready, and recorders for every callback.
 */
import { createFacade, SubscriptionHub, type SubscriptionFacade } from '../../src/subscriptions/index.js';
import type { Clock, StatusChange, SubscriptionOptions } from '../../src/subscriptions/index.js';
import type { IbkrWsError } from '../../src/errors.js';
import type { ClientCommand, ServerMessage } from '../../src/protocol/types.js';

export class FakeClock implements Clock {
  #now = 1_700_000_000_000;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Runs every timer due within `ms`, in time order, moving `now` along. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers)
        if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
    }
    this.#now = end;
  }
}

export interface Harness {
  readonly hub: SubscriptionHub;
  readonly clock: FakeClock;
  /** Every batch the hub sent successfully, flattened. */
  readonly sent: ClientCommand[];
  /** Batches offered while the fake socket refused them. */
  readonly refused: ClientCommand[][];
  readonly statuses: StatusChange[];
  readonly gaps: Array<{ key: string; reason: string }>;
  readonly errors: IbkrWsError[];
  readonly drops: Array<{ reason: string; count: number }>;
  readonly pauses: boolean[];
  /** Whether the fake socket accepts sends. */
  socketReady: boolean;
  /** Make the socket ready and tell the hub (the usual order). */
  ready(socketId?: number): void;
  notReady(reason?: string): void;
  /** Commands sent since the last call. */
  takeSent(): ClientCommand[];
  facade: SubscriptionFacade;
}

export function createHarness(options: SubscriptionOptions = {}): Harness {
  const clock = new FakeClock();
  const sent: ClientCommand[] = [];
  const refused: ClientCommand[][] = [];
  let taken = 0;
  let socketId = 0;
  const harness = {
    clock,
    sent,
    refused,
    statuses: [] as StatusChange[],
    gaps: [] as Array<{ key: string; reason: string }>,
    errors: [] as IbkrWsError[],
    drops: [] as Array<{ reason: string; count: number }>,
    pauses: [] as boolean[],
    socketReady: false,
  } as Harness & { hub: SubscriptionHub; facade: SubscriptionFacade };
  const hub = new SubscriptionHub({
    options,
    clock,
    send(commands) {
      // The hub may send only between onReady and onNotReady: anything else is recorded as refused, and tests assert none.
      if (!harness.socketReady) refused.push([...commands]);
      else sent.push(...commands);
    },
    pauseReading: (paused) => harness.pauses.push(paused),
    countDrop: (reason, count) => harness.drops.push({ reason, count }),
    reportError: (error) => harness.errors.push(error),
    onStatus: (change) => harness.statuses.push(change),
    onGap: (event) => harness.gaps.push(event),
  });
  Object.assign(harness, {
    hub,
    facade: createFacade(hub),
    ready(id = ++socketId) {
      harness.socketReady = true;
      hub.onReady(id);
    },
    notReady(reason = 'socket closed') {
      harness.socketReady = false;
      hub.onNotReady(reason);
    },
    takeSent() {
      const fresh = sent.slice(taken);
      taken = sent.length;
      return fresh;
    },
  });
  return harness;
}

// ---------------------------------------------------------------------------------------------------------------
// Server messages as the codec decodes them
// ---------------------------------------------------------------------------------------------------------------

export function smd(conid: number, fields: Record<string, string | number>, updated?: number): ServerMessage {
  return { kind: 'smd', topic: `smd+${conid}`, conid, fields, ...(updated === undefined ? {} : { updated }) };
}

export function sor(...orders: Array<Record<string, unknown>>): ServerMessage {
  return { kind: 'sor', orders };
}

export function str(...trades: Array<Record<string, unknown>>): ServerMessage {
  return { kind: 'str', trades };
}

export function spl(dpl = -1): ServerMessage {
  return { kind: 'spl', rows: { 'DU1234567.Core': { rowType: 1, dpl } } };
}

export function ssd(acct: string): ServerMessage {
  return { kind: 'ssd', topic: `ssd+${acct}`, acct, entries: [{ key: 'AccountCode', value: acct }] };
}

export function sld(acct: string): ServerMessage {
  return { kind: 'sld', topic: `sld+${acct}`, acct, entries: [{ key: 'LedgerListBASE' }] };
}

export function sbd(acct: string, conid: number, exchange?: string): ServerMessage {
  const topic = ['sbd', acct, conid, ...(exchange === undefined ? [] : [exchange])].join('+');
  return {
    kind: 'sbd',
    topic,
    acct,
    conid,
    ...(exchange === undefined ? {} : { exchange }),
    rows: [{ row: 0, focus: 1, price: 1 }],
  };
}

export function smh(conid: number, serverId: string): ServerMessage {
  return { kind: 'smh', topic: `smh+${conid}`, conid, serverId, bars: [], body: { serverId } };
}

export function errorFrame(topic: string | undefined, error: string): ServerMessage {
  return { kind: 'error', error, ...(topic === undefined ? {} : { topic }) };
}

/** Collects what a handle's iterator yields until it is done (or `limit` items). */
export async function collect<T>(iterable: AsyncIterable<T>, limit = Infinity): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    items.push(item);
    if (items.length >= limit) break;
  }
  return items;
}

/** Lets pending promise callbacks run (no timers involved). */
export async function flushPromises(): Promise<void> {
  for (let index = 0; index < 5; index++) await Promise.resolve();
}
