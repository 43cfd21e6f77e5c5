/**
 * One parsed JSON object to its typed ServerMessage: rules 3 to 8 of test/fixtures/protocol/README.md.
 *
 * Only own properties are read, nothing is copied or merged, and the parsed objects are handed on as they are:
 * `__proto__`, `constructor` and `prototype` stay plain keys and `Object.prototype` is never touched.
 * A failure throws ProtocolError (`invalid-field`); decodeFrame catches it at the edge.
 *
 * Keys that rule 7 types are checked strictly. Other keys a message exposes (`symbol`, `sts.message`, the `tic`
 * values) are exposed only when they have the expected type, and are otherwise absent: they are informative, and a
 * surprising type there is no reason to drop the frame. Parts a message cannot exist without (the conid of a
 * topic, `serverId`, the `data`/`args`/`result` payloads) are required; only `sts.args` may be absent.
 */
import { invalidField } from './errors.js';
import { redactWireText } from './redact-wire-text.js';
import { marketDataFromObject } from './market-data-message.js';
import { marketDataConid } from './market-data-topic.js';
import { isIdentifier, readConid } from './wire-grammar.js';
import type {
  AccountMessage,
  ErrorMessage,
  HistoryMessage,
  JsonObject,
  MarketDataMessage,
  ServerMessage,
  StatusMessage,
  SystemSuccessMessage,
  TicMessage,
  UnknownMessage,
} from './types.js';

const hasOwn = Object.hasOwn;

/** The message types are read-only for consumers; the builders here fill optional keys one by one. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const MARKET_DATA_PREFIX = 'smd+';
const WAITING_FOR_SESSION = 'waiting for session';
const UNSUBSCRIBED_HISTORY = 'Unsubscribed ';
const UNSUBSCRIBED_ACCOUNT_TOPIC = 'unsubscribed from ';

export function classifyFrame(frame: JsonObject, text: string): ServerMessage {
  const topic = ownTopic(frame);
  const hasError = ownError(frame) !== undefined;
  if (topic === undefined) return hasError ? errorMessage(frame, undefined) : topicless(frame, text);
  if (typeof topic !== 'string') throw invalidField("field 'topic' must be a string");
  if (hasError || topic === 'error') return errorMessage(frame, topic);
  // Market data is nearly all of the traffic: recognised before the general dispatch, without slicing the code out.
  if (topic.startsWith(MARKET_DATA_PREFIX)) return marketData(frame, topic, MARKET_DATA_PREFIX.length - 1);
  const plus = topic.indexOf('+');
  switch (plus === -1 ? topic : topic.slice(0, plus)) {
    case 'smd':
      return marketData(frame, topic, plus);
    case 'system':
      return system(frame, plus, text);
    case 'act':
      return account(frame, plus);
    case 'sts':
      return status(frame, plus);
    case 'tic':
      return tic(frame, plus);
    case 'smh':
      return history(frame, topic, plus);
    case 'sbd':
      return book(frame, topic);
    case 'sor':
      return { kind: 'sor', orders: requiredArray(frame, 'args', exact(plus, 'sor')) };
    case 'spl':
      return { kind: 'spl', rows: requiredObject(frame, 'args', exact(plus, 'spl')) };
    case 'str':
      return { kind: 'str', trades: requiredArray(frame, 'args', exact(plus, 'str')) };
    case 'ssd':
      return {
        kind: 'ssd',
        topic,
        acct: topicAccount(topic, plus, 'ssd'),
        entries: requiredArray(frame, 'result', 'ssd'),
      };
    case 'sld':
      return {
        kind: 'sld',
        topic,
        acct: topicAccount(topic, plus, 'sld'),
        entries: requiredArray(frame, 'result', 'sld'),
      };
    case 'ntf':
      return { kind: 'ntf', items: itemList(frame, exact(plus, 'ntf')) };
    case 'blt':
      return { kind: 'blt', items: itemList(frame, exact(plus, 'blt')) };
    default:
      return unknown(topic, text);
  }
}

function own(object: JsonObject, key: string): unknown {
  return hasOwn(object, key) ? object[key] : undefined;
}

/**
 * The keys every frame or every market-data frame reads, with literal names so the reads stay monomorphic and cheap.
 * Parsed objects inherit only from Object.prototype: while it carries no property of that name (always, unless
 * something polluted it), a plain read can only find an own property, and the costlier `hasOwn` is skipped.
 */
const OBJECT_PROTOTYPE: Readonly<Record<'topic' | 'error' | 'conid' | '_updated', unknown>> = Object.prototype as never;

function ownTopic(frame: JsonObject): unknown {
  return OBJECT_PROTOTYPE.topic === undefined || hasOwn(frame, 'topic') ? frame['topic'] : undefined;
}

function ownError(frame: JsonObject): unknown {
  return OBJECT_PROTOTYPE.error === undefined || hasOwn(frame, 'error') ? frame['error'] : undefined;
}

function ownConid(frame: JsonObject): unknown {
  return OBJECT_PROTOTYPE.conid === undefined || hasOwn(frame, 'conid') ? frame['conid'] : undefined;
}

function ownUpdated(frame: JsonObject): unknown {
  return OBJECT_PROTOTYPE._updated === undefined || hasOwn(frame, '_updated') ? frame['_updated'] : undefined;
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Topics that are one exact code (`act`, `sts`, `sor`, …) take no `+` parts. Returns the code for the message text. */
function exact(plus: number, code: string): string {
  if (plus !== -1) throw invalidField(`topic '${code}' takes no '+' parts`);
  return code;
}

function marketData(frame: JsonObject, topic: string, plus: number): MarketDataMessage {
  const conid = marketDataConid(topic, plus);
  if (conid === undefined) throw invalidField("topic 'smd' must be smd+<conid>, with a positive integer conid");
  const bodyConid = ownConid(frame);
  if (bodyConid !== undefined && bodyConid !== conid)
    throw invalidField("field 'conid' must equal the conid of the topic");
  const updated = ownUpdated(frame);
  return marketDataFromObject(
    frame,
    topic,
    conid,
    typeof updated === 'number' && Number.isFinite(updated) ? updated : undefined,
  );
}

function system(frame: JsonObject, plus: number, text: string): ServerMessage {
  exact(plus, 'system');
  if (hasOwn(frame, 'success')) {
    const username = frame['success'];
    if (typeof username !== 'string') throw invalidField("field 'success' must be a string");
    const message: Mutable<SystemSuccessMessage> = { kind: 'system-success', username };
    const isFT = optionalBoolean(frame, 'isFT');
    const isPaper = optionalBoolean(frame, 'isPaper');
    if (isFT !== undefined) message.isFT = isFT;
    if (isPaper !== undefined) message.isPaper = isPaper;
    return message;
  }
  if (hasOwn(frame, 'hb')) {
    const hb = frame['hb'];
    if (typeof hb !== 'number' || !Number.isSafeInteger(hb) || hb < 0) {
      throw invalidField("field 'hb' must be a non-negative integer");
    }
    return { kind: 'heartbeat', hb };
  }
  return unknown('system', text);
}

function account(frame: JsonObject, plus: number): AccountMessage {
  const args = requiredObject(frame, 'args', exact(plus, 'act'));
  const message: Mutable<AccountMessage> = { kind: 'act', args };
  const accounts = own(args, 'accounts');
  const selectedAccount = own(args, 'selectedAccount');
  const isFT = optionalBoolean(args, 'isFT');
  const isPaper = optionalBoolean(args, 'isPaper');
  if (Array.isArray(accounts)) message.accounts = accounts;
  if (typeof selectedAccount === 'string') message.selectedAccount = selectedAccount;
  if (isFT !== undefined) message.isFT = isFT;
  if (isPaper !== undefined) message.isPaper = isPaper;
  return message;
}

const STATUS_FLAGS = ['authenticated', 'competing', 'connected', 'established'] as const;
const STATUS_TEXTS = ['message', 'fail', 'serverName', 'serverVersion', 'username'] as const;

function status(frame: JsonObject, plus: number): StatusMessage {
  exact(plus, 'sts');
  const message: Mutable<StatusMessage> = { kind: 'sts' };
  if (!hasOwn(frame, 'args')) return message;
  const args = frame['args'];
  if (!isPlainObject(args)) throw invalidField("field 'args' of 'sts' must be an object");
  for (const flag of STATUS_FLAGS) {
    const value = optionalBoolean(args, flag);
    if (value !== undefined) message[flag] = value;
  }
  for (const key of STATUS_TEXTS) {
    const value = own(args, key);
    if (typeof value === 'string') message[key] = value;
  }
  return message;
}

function tic(frame: JsonObject, plus: number): TicMessage {
  exact(plus, 'tic');
  const message: Mutable<TicMessage> = { kind: 'tic' };
  const alive = own(frame, 'alive');
  const id = own(frame, 'id');
  const lastAccessed = own(frame, 'lastAccessed');
  if (typeof alive === 'boolean') message.alive = alive;
  if (typeof id === 'string') message.id = id;
  if (typeof lastAccessed === 'number' && Number.isFinite(lastAccessed)) message.lastAccessed = lastAccessed;
  return message;
}

function history(frame: JsonObject, topic: string, plus: number): HistoryMessage {
  const conid = plus === -1 ? undefined : readConid(topic, plus + 1, topic.length);
  if (conid === undefined) throw invalidField("topic 'smh' must be smh+<conid>, with a positive integer conid");
  const wireId = own(frame, 'serverId');
  // IBKR documents a string; other clients have seen an integer (docs/PROTOCOL.md §4.3). `umh+` needs the text.
  let serverId: string;
  if (typeof wireId === 'string' && wireId !== '') serverId = wireId;
  else if (typeof wireId === 'number' && Number.isSafeInteger(wireId) && wireId >= 0) serverId = String(wireId);
  else throw invalidField("field 'serverId' must be a non-empty string or a non-negative integer");
  const bars = requiredArray(frame, 'data', 'smh');
  const symbol = own(frame, 'symbol');
  return typeof symbol === 'string'
    ? { kind: 'smh', topic, conid, serverId, symbol, bars, body: frame }
    : { kind: 'smh', topic, conid, serverId, bars, body: frame };
}

/** `sbd` (as IBKR documents it) or `sbd+<acct>+<conid>[+<exch>]` (as IBind routes it): docs/PROTOCOL.md §4.4. */
function book(frame: JsonObject, topic: string): ServerMessage {
  const rows = requiredArray(frame, 'data', 'sbd');
  if (topic === 'sbd') return { kind: 'sbd', topic, rows };
  const [, acct = '', conidText = '', exchange, ...extra] = topic.split('+');
  const conid = readConid(conidText, 0, conidText.length);
  if (
    !isIdentifier(acct) ||
    conid === undefined ||
    extra.length > 0 ||
    (exchange !== undefined && !isIdentifier(exchange))
  ) {
    throw invalidField("topic 'sbd' must be sbd or sbd+<acct>+<conid>[+<exchange>]");
  }
  return exchange === undefined
    ? { kind: 'sbd', topic, acct, conid, rows }
    : { kind: 'sbd', topic, acct, conid, exchange, rows };
}

function topicAccount(topic: string, plus: number, code: string): string {
  if (plus === -1 || !isIdentifier(topic, plus + 1)) throw invalidField(`topic '${code}' must be ${code}+<acct>`);
  return topic.slice(plus + 1);
}

/** `ntf` and `blt`: the docs send one object, live gateways an array (docs/PROTOCOL.md §4.9). Always an array here. */
function itemList(frame: JsonObject, code: string): readonly unknown[] {
  const args = own(frame, 'args');
  if (Array.isArray(args)) return args;
  if (isPlainObject(args)) return [args];
  throw invalidField(`field 'args' of '${code}' must be an object or an array`);
}

function requiredArray(frame: JsonObject, key: string, code: string): readonly unknown[] {
  const value = own(frame, key);
  if (!Array.isArray(value)) throw invalidField(`field '${key}' of '${code}' must be an array`);
  return value;
}

function requiredObject(frame: JsonObject, key: string, code: string): JsonObject {
  const value = own(frame, key);
  if (!isPlainObject(value)) throw invalidField(`field '${key}' of '${code}' must be an object`);
  return value;
}

function optionalBoolean(object: JsonObject, key: string): boolean | undefined {
  const value = own(object, key);
  if (value !== undefined && typeof value !== 'boolean') throw invalidField(`field '${key}' must be a boolean`);
  return value;
}

function errorMessage(frame: JsonObject, topic: string | undefined): ErrorMessage {
  const message: Mutable<ErrorMessage> = { kind: 'error' };
  if (hasOwn(frame, 'error')) {
    const error = frame['error'];
    if (typeof error !== 'string') throw invalidField("field 'error' must be a string");
    message.error = redactWireText(error);
  }
  if (hasOwn(frame, 'code')) {
    const code = frame['code'];
    if (typeof code !== 'number' || !Number.isFinite(code)) throw invalidField("field 'code' must be a number");
    message.code = code;
  }
  if (topic !== undefined) message.topic = redactWireText(topic);
  return message;
}

function topicless(frame: JsonObject, text: string): ServerMessage {
  const message = own(frame, 'message');
  if (typeof message === 'string') {
    if (message === WAITING_FOR_SESSION) return { kind: 'waiting-for-session' };
    if (message.length > UNSUBSCRIBED_HISTORY.length && message.startsWith(UNSUBSCRIBED_HISTORY)) {
      return { kind: 'smh-unsubscribed', serverId: message.slice(UNSUBSCRIBED_HISTORY.length) };
    }
  }
  const result = own(frame, 'result');
  if (
    typeof result === 'string' &&
    result.length > UNSUBSCRIBED_ACCOUNT_TOPIC.length &&
    result.startsWith(UNSUBSCRIBED_ACCOUNT_TOPIC)
  ) {
    return { kind: 'unsubscribed', target: result.slice(UNSUBSCRIBED_ACCOUNT_TOPIC.length) };
  }
  return unknown(undefined, text);
}

function unknown(topic: string | undefined, text: string): UnknownMessage {
  const raw = redactWireText(text);
  return topic === undefined ? { kind: 'unknown', raw } : { kind: 'unknown', topic: redactWireText(topic), raw };
}
