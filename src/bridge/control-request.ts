/**
 * Reading `ctl.subscribe` and `ctl.release` bodies. Whatever a consumer sends, the answer is typed: a request that
 * cannot be read at all is refused as a whole, and each bad entry of a readable request gets its own error while the
 * good entries are served. Field names are normalised to ids here, so the union per conid compares like with like.
 */
import { fieldId } from '../subscriptions/field-names.js';
import {
  ACCOUNT_PATTERN,
  BRIDGE_TOPICS,
  CONSUMER_PATTERN,
  EXCHANGE_PATTERN,
  WIRE_VERSION,
  keyOfSubscription,
  type BridgeSubscription,
  type WireError,
} from './contract.js';

/** More entries than this in one request is refused as a whole: a consumer's set, not a bulk import. */
export const MAX_ENTRIES_PER_REQUEST = 1_000;
const MAX_FIELDS = 100;

export type EntryVerdict =
  | { readonly ok: true; readonly sub: BridgeSubscription; readonly key: string }
  | { readonly ok: false; readonly error: WireError };

export type SubscribeVerdict =
  | {
      readonly ok: true;
      readonly consumer: string;
      readonly leaseMs: number | undefined;
      readonly entries: readonly EntryVerdict[];
    }
  | { readonly ok: false; readonly error: WireError };

export type ReleaseVerdict =
  { readonly ok: true; readonly consumer: string } | { readonly ok: false; readonly error: WireError };

const invalid = (message: string): { ok: false; error: WireError } => ({
  ok: false,
  error: { code: 'invalid-option', message },
});

export function readSubscribeRequest(data: Uint8Array): SubscribeVerdict {
  const body = readObject(data);
  if (!body.ok) return body;
  const { value } = body;
  const head = readHead(value);
  if (!head.ok) return head;
  const leaseMs = value['leaseMs'];
  if (leaseMs !== undefined && (typeof leaseMs !== 'number' || !Number.isSafeInteger(leaseMs) || leaseMs <= 0)) {
    return invalid(`leaseMs must be a positive integer of milliseconds, got ${JSON.stringify(leaseMs)}`);
  }
  const subs = value['subs'];
  if (!Array.isArray(subs))
    return invalid("subs must be an array (the consumer's whole desired set; [] releases everything)");
  if (subs.length > MAX_ENTRIES_PER_REQUEST)
    return invalid(`subs has ${subs.length} entries; at most ${MAX_ENTRIES_PER_REQUEST} per consumer`);
  return { ok: true, consumer: head.consumer, leaseMs: leaseMs as number | undefined, entries: subs.map(readEntry) };
}

export function readReleaseRequest(data: Uint8Array): ReleaseVerdict {
  const body = readObject(data);
  if (!body.ok) return body;
  return readHead(body.value);
}

function readObject(data: Uint8Array): { ok: true; value: Record<string, unknown> } | { ok: false; error: WireError } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return { ok: false, error: { code: 'malformed-json', message: 'the request body is not JSON' } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: { code: 'not-an-object', message: 'the request body must be a JSON object' } };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

function readHead(value: Record<string, unknown>): { ok: true; consumer: string } | { ok: false; error: WireError } {
  if (value['v'] !== WIRE_VERSION) return invalid(`v must be ${WIRE_VERSION}, got ${JSON.stringify(value['v'])}`);
  const consumer = value['consumer'];
  if (typeof consumer !== 'string' || !CONSUMER_PATTERN.test(consumer)) {
    return invalid(`consumer must match ${CONSUMER_PATTERN.source} (a stable id per consumer process)`);
  }
  return { ok: true, consumer };
}

/** One entry: a known topic with well-formed parameters, or a typed error that says what is wrong. */
export function readEntry(entry: unknown): EntryVerdict {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    return invalid('an entry must be an object such as {"topic":"smd",…}');
  const e = entry as Record<string, unknown>;
  const topic = e['topic'];
  if (typeof topic !== 'string' || !(BRIDGE_TOPICS as readonly string[]).includes(topic)) {
    return invalid(`unknown topic ${JSON.stringify(topic)}; the bridge serves ${BRIDGE_TOPICS.join(', ')}`);
  }
  let sub: BridgeSubscription;
  switch (topic) {
    case 'smd': {
      const conid = conidOf(e['conid']);
      if (conid === undefined)
        return invalid(`smd: conid must be a positive integer, got ${JSON.stringify(e['conid'])}`);
      const fields = fieldsOf(e['fields']);
      if (fields === undefined)
        return invalid(
          `smd+${conid}: fields must be 1..${MAX_FIELDS} field ids such as "31" (or names such as "last")`,
        );
      const exchange = e['exchange'];
      if (exchange !== undefined && (typeof exchange !== 'string' || !EXCHANGE_PATTERN.test(exchange)))
        return invalid(`smd+${conid}: bad exchange`);
      sub = { topic, conid, fields, ...(exchange === undefined ? {} : { exchange: exchange as string }) };
      break;
    }
    case 'sor':
    case 'str':
    case 'spl':
      sub = { topic };
      break;
    case 'ssd':
    case 'sld': {
      const acct = e['acct'];
      if (typeof acct !== 'string' || !ACCOUNT_PATTERN.test(acct))
        return invalid(`${topic}: acct must match ${ACCOUNT_PATTERN.source}`);
      sub = { topic, acct };
      break;
    }
    default: {
      const acct = e['acct'];
      const conid = conidOf(e['conid']);
      const exchange = e['exchange'];
      if (typeof acct !== 'string' || !ACCOUNT_PATTERN.test(acct))
        return invalid(`sbd: acct must match ${ACCOUNT_PATTERN.source}`);
      if (conid === undefined)
        return invalid(`sbd: conid must be a positive integer, got ${JSON.stringify(e['conid'])}`);
      if (exchange !== undefined && (typeof exchange !== 'string' || !EXCHANGE_PATTERN.test(exchange)))
        return invalid('sbd: bad exchange');
      sub = { topic: 'sbd', acct, conid, ...(exchange === undefined ? {} : { exchange: exchange as string }) };
    }
  }
  return { ok: true, sub, key: keyOfSubscription(sub) };
}

function conidOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function fieldsOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_FIELDS) return undefined;
  const ids: string[] = [];
  for (const field of value) {
    if (typeof field !== 'string') return undefined;
    const id = fieldId(field);
    if (!/^\d+$/.test(id)) return undefined;
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}
