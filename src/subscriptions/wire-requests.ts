/**
 * What a consumer asks for, per topic, and how it becomes wire intents: the key that identifies one wire
 * subscription, how the requests of several consumers of that key merge, and the subscribe / unsubscribe intents
 * (the encoder turns them into wire text).
 *
 * Merging only ever widens (fields, filters, keys): the gateway adds to a stream when a subscription is re-sent but
 * has no way to narrow one short of tearing it down (docs/PROTOCOL.md §4.2), so a consumer may see more than it asked for.
 */
import { IbkrWsError } from '../errors.js';
import type { ClientCommand, JsonObject, SubscribableTopic } from '../protocol/types.js';

export type WireRequest =
  | { readonly topic: 'smd'; readonly conid: number; readonly exchange?: string; readonly fields: readonly string[] }
  | { readonly topic: 'smh'; readonly conid: number; readonly params: JsonObject }
  | { readonly topic: 'sbd'; readonly acct: string; readonly conid: number; readonly exchange?: string }
  | { readonly topic: 'sor'; readonly filters?: readonly string[] }
  | { readonly topic: 'spl' }
  | { readonly topic: 'str'; readonly realtimeUpdatesOnly?: boolean; readonly days?: number }
  | {
      readonly topic: 'ssd' | 'sld';
      readonly acct: string;
      readonly keys?: readonly string[];
      readonly fields?: readonly string[];
    };

export type RequestOf<T extends SubscribableTopic> = Extract<WireRequest, { topic: T }>;

/**
 * The key of the wire subscription a request belongs to. It is the topic the gateway's data carries where that is
 * unique (`smd+265598`, `sor`, `ssd+DU1234567`); a history request is keyed by its exact wire text, since two
 * requests for one conid with different parameters are different requests.
 */
export function keyOf(request: WireRequest): string {
  switch (request.topic) {
    case 'smd':
      // The data of `conid@EXCHANGE` carries the topic `smd+<conid>` too: one stream per conid (see merge()).
      return `smd+${request.conid}`;
    case 'smh':
      return `smh+${request.conid}+${JSON.stringify(request.params)}`;
    case 'sbd':
      return ['sbd', request.acct, request.conid, ...(request.exchange === undefined ? [] : [request.exchange])].join(
        '+',
      );
    case 'sor':
    case 'spl':
    case 'str':
      return request.topic;
    case 'ssd':
    case 'sld':
      return `${request.topic}+${request.acct}`;
  }
}

export interface MergeResult {
  readonly request: WireRequest;
  /** The wire request widened: re-send the subscribe. */
  readonly changed: boolean;
}

/** Widens `current` to cover `incoming` too (both have the same key). Throws `subscription-conflict` when it cannot. */
export function merge(current: WireRequest, incoming: WireRequest): MergeResult {
  switch (current.topic) {
    case 'smd': {
      const next = incoming as RequestOf<'smd'>;
      if (next.exchange !== current.exchange) {
        throw new IbkrWsError(
          'subscription-conflict',
          `smd+${current.conid} is already streamed from ${current.exchange ?? 'SMART'}; the gateway's data cannot tell two exchanges of one conid apart, so ${next.exchange ?? 'SMART'} cannot be added`,
        );
      }
      const fields = union(current.fields, next.fields);
      return fields === undefined || fields === current.fields
        ? unchanged(current)
        : { request: { ...current, fields }, changed: true };
    }
    case 'sor': {
      const filters = unionOrAll(current.filters, (incoming as RequestOf<'sor'>).filters);
      return filters === current.filters
        ? unchanged(current)
        : { request: compact({ topic: 'sor', filters }), changed: true };
    }
    case 'str': {
      const next = incoming as RequestOf<'str'>;
      // Realtime-only when every consumer wants only realtime; the longest history any consumer wants.
      const realtimeUpdatesOnly =
        current.realtimeUpdatesOnly === true && next.realtimeUpdatesOnly === true ? true : undefined;
      const days =
        current.days === undefined || next.days === undefined
          ? (current.days ?? next.days)
          : Math.max(current.days, next.days);
      if (realtimeUpdatesOnly === current.realtimeUpdatesOnly && days === current.days) return unchanged(current);
      return { request: compact({ topic: 'str', realtimeUpdatesOnly, days }), changed: true };
    }
    case 'ssd':
    case 'sld': {
      const next = incoming as RequestOf<'ssd' | 'sld'>;
      const keys = unionOrAll(current.keys, next.keys);
      const fields = unionOrAll(current.fields, next.fields);
      if (keys === current.keys && fields === current.fields) return unchanged(current);
      return { request: compact({ topic: current.topic, acct: current.acct, keys, fields }), changed: true };
    }
    case 'smh':
    case 'sbd':
    case 'spl':
      // Everything that matters is in the key: same key, same request.
      return unchanged(current);
  }
}

export function subscribeCommand(request: WireRequest): ClientCommand {
  switch (request.topic) {
    case 'smd':
      return compact({
        op: 'subscribe',
        topic: 'smd',
        conid: request.conid,
        exchange: request.exchange,
        fields: request.fields,
      });
    case 'smh':
      return { op: 'subscribe', topic: 'smh', conid: request.conid, params: request.params };
    case 'sbd':
      return compact({
        op: 'subscribe',
        topic: 'sbd',
        acct: request.acct,
        conid: request.conid,
        exchange: request.exchange,
      });
    case 'sor':
      return compact({ op: 'subscribe', topic: 'sor', filters: request.filters });
    case 'spl':
      return { op: 'subscribe', topic: 'spl' };
    case 'str':
      return compact({
        op: 'subscribe',
        topic: 'str',
        realtimeUpdatesOnly: request.realtimeUpdatesOnly,
        days: request.days,
      });
    case 'ssd':
    case 'sld':
      return compact({
        op: 'subscribe',
        topic: request.topic,
        acct: request.acct,
        keys: request.keys,
        fields: request.fields,
      });
  }
}

/**
 * The unsubscribe intent, or undefined when there is nothing the gateway could cancel (a history request whose
 * `serverId` never arrived).
 */
export function unsubscribeCommand(request: WireRequest, serverId?: string): ClientCommand | undefined {
  switch (request.topic) {
    case 'smd':
      return compact({ op: 'unsubscribe', topic: 'smd', conid: request.conid, exchange: request.exchange });
    case 'smh':
      return serverId === undefined ? undefined : { op: 'unsubscribe', topic: 'smh', serverId };
    case 'sbd':
      return { op: 'unsubscribe', topic: 'sbd', acct: request.acct };
    case 'sor':
    case 'spl':
    case 'str':
      return { op: 'unsubscribe', topic: request.topic };
    case 'ssd':
    case 'sld':
      return { op: 'unsubscribe', topic: request.topic, acct: request.acct };
  }
}

function unchanged(request: WireRequest): MergeResult {
  return { request, changed: false };
}

/** Fields in first-asked order; the same array when nothing is new. */
function union(current: readonly string[], incoming: readonly string[]): readonly string[] | undefined {
  let result: string[] | undefined;
  for (const item of incoming) {
    if (current.includes(item) || result?.includes(item)) continue;
    result ??= [...current];
    result.push(item);
  }
  return result ?? current;
}

/** Like union(), where absent means "all" and wins. */
function unionOrAll(
  current: readonly string[] | undefined,
  incoming: readonly string[] | undefined,
): readonly string[] | undefined {
  if (current === undefined || incoming === undefined || incoming.length === 0 || current.length === 0)
    return undefined;
  return union(current, incoming);
}

/** Drops members that are `undefined`, so intents and requests carry only what was asked for. */
export function compact<const T extends object>(value: T): T {
  const result = { ...value };
  for (const key of Object.keys(result) as Array<keyof T>) if (result[key] === undefined) delete result[key];
  return result;
}
