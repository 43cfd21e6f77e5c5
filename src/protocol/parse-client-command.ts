/**
 * The server side of the client command grammar: one client frame (text) in, one ClientCommand intent out.
 *
 * The gateway reads the first three characters as the topic code (docs/PROTOCOL.md §4.1: a `{"session":…}` frame sent to an
 * authenticated socket is answered `Topic unknown '{"s'`), so parsing starts there. After the code come positional
 * parts separated by `+` and, last, an optional JSON object. Documented alternatives are accepted too: bare `spl`,
 * `upl{}` (no `+`), `utr+{}`, bare `ssd+ACCT`, JSON spread over several lines (fixtures/client-commands.jsonl).
 *
 * Anything else is `topic-unknown` with the three characters the gateway would quote, including a known code whose
 * arguments cannot be read (e.g. `smd+AAPL`): the gateway documents no other error for a client frame.
 */
import type { ClientCommand, JsonObject } from './types.js';
import { isActionName, isIdentifier, parseConid } from './wire-grammar.js';

export interface TopicUnknown {
  readonly error: 'topic-unknown';
  /** The first three characters of the frame: what the gateway quotes in its error text. */
  readonly code3: string;
}

export type ParsedClientCommand = ClientCommand | TopicUnknown;

/** Thrown inside the parser only; turned into TopicUnknown at the edge. */
class UnreadableArguments extends Error {}

interface Arguments {
  /** The `+`-separated parts before the JSON object. */
  readonly positional: readonly string[];
  /** The JSON object at the end, when there is one. */
  readonly json: JsonObject | undefined;
}

export function parseClientCommand(wire: string): ParsedClientCommand {
  const code3 = wire.slice(0, 3);
  try {
    const command = parseKnown(wire, code3);
    return command ?? { error: 'topic-unknown', code3 };
  } catch (error) {
    if (error instanceof UnreadableArguments) return { error: 'topic-unknown', code3 };
    throw error;
  }
}

function parseKnown(wire: string, code3: string): ClientCommand | undefined {
  if (wire.startsWith('{')) return parseSessionMessage(wire);
  const rest = wire.slice(3);
  switch (code3) {
    case 'tic':
      return rest === '' ? { op: 'tic' } : undefined;
    case 'ech':
      // The documented argument is `hb`; the gateway echoes whatever follows, so any argument is still an echo.
      return rest.startsWith('+') && rest.length > 1 ? { op: 'echo' } : undefined;
    case 'smd':
    case 'umd':
      return parseMarketData(code3, readArguments(rest));
    case 'smh':
    case 'umh':
      return parseHistory(code3, readArguments(rest));
    case 'sbd':
    case 'ubd':
      return parseBook(code3, readArguments(rest));
    case 'sor':
    case 'uor':
      return parseOrders(code3, readArguments(rest));
    case 'spl':
    case 'upl':
      expectPositional(readArguments(rest), 0);
      return { op: code3 === 'spl' ? 'subscribe' : 'unsubscribe', topic: 'spl' };
    case 'str':
    case 'utr':
      return parseTrades(code3, readArguments(rest));
    case 'ssd':
    case 'usd':
    case 'sld':
    case 'uld':
      return parseAccountTopic(code3, readArguments(rest));
    case 'shs':
    case 'inp':
      return parseExercise(code3, readArguments(rest));
    default:
      return undefined;
  }
}

/** `{"session":"<value>"}`: exactly one string key. */
function parseSessionMessage(wire: string): ClientCommand | undefined {
  const value = parseJsonObject(wire);
  const keys = Object.keys(value);
  const session = value['session'];
  if (keys.length !== 1 || typeof session !== 'string') return undefined;
  return { op: 'session', session };
}

/**
 * Splits what follows the topic code. `+a+b+{…}`, `+a`, `+{…}`, `{…}` (the `upl{}` spelling) and `` are all fine;
 * anything else after the code (`smdx`, `tic+`) is not this topic.
 */
function readArguments(rest: string): Arguments {
  if (rest === '') return { positional: [], json: undefined };
  let body: string;
  if (rest.startsWith('+')) body = rest.slice(1);
  else if (rest.startsWith('{')) body = rest;
  else throw new UnreadableArguments();
  const braceAt = body.indexOf('{');
  const positionalText = braceAt === -1 ? body : body.slice(0, braceAt);
  const json = braceAt === -1 ? undefined : parseJsonObject(body.slice(braceAt));
  if (positionalText === '') return { positional: [], json };
  // Before a JSON object the last positional part is closed by `+` (`smd+265598+{…}`).
  const trimmed = braceAt === -1 ? positionalText : dropTrailingPlus(positionalText);
  const positional = trimmed.split('+');
  if (positional.some((part) => part === '')) throw new UnreadableArguments();
  return { positional, json };
}

function dropTrailingPlus(text: string): string {
  if (!text.endsWith('+')) throw new UnreadableArguments();
  return text.slice(0, -1);
}

function parseJsonObject(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnreadableArguments();
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UnreadableArguments();
  return value as JsonObject;
}

function expectPositional(args: Arguments, count: number, optional = 0): readonly string[] {
  if (args.positional.length < count || args.positional.length > count + optional) throw new UnreadableArguments();
  return args.positional;
}

function parseMarketData(code3: 'smd' | 'umd', args: Arguments): ClientCommand {
  const [instrument = ''] = expectPositional(args, 1);
  const [conidText = '', exchange, ...extra] = instrument.split('@');
  if (extra.length > 0) throw new UnreadableArguments();
  const conid = readConid(conidText);
  const exchangePart = exchange === undefined ? {} : { exchange: readMatching(exchange, isIdentifier) };
  if (code3 === 'umd') return { op: 'unsubscribe', topic: 'smd', conid, ...exchangePart };
  const fields = args.json?.['fields'] ?? [];
  if (!isStringArray(fields)) throw new UnreadableArguments();
  return { op: 'subscribe', topic: 'smd', conid, ...exchangePart, fields };
}

function parseHistory(code3: 'smh' | 'umh', args: Arguments): ClientCommand {
  const [first = ''] = expectPositional(args, 1);
  if (code3 === 'umh') {
    if (args.json !== undefined && Object.keys(args.json).length > 0) throw new UnreadableArguments();
    return { op: 'unsubscribe', topic: 'smh', serverId: readMatching(first, isIdentifier) };
  }
  return { op: 'subscribe', topic: 'smh', conid: readConid(first), params: args.json ?? {} };
}

function parseBook(code3: 'sbd' | 'ubd', args: Arguments): ClientCommand {
  if (code3 === 'ubd') {
    const [acct = ''] = expectPositional(args, 1);
    return { op: 'unsubscribe', topic: 'sbd', acct: readMatching(acct, isIdentifier) };
  }
  const [acct = '', conid = '', exchange] = expectPositional(args, 2, 1);
  return {
    op: 'subscribe',
    topic: 'sbd',
    acct: readMatching(acct, isIdentifier),
    conid: readConid(conid),
    ...(exchange === undefined ? {} : { exchange: readMatching(exchange, isIdentifier) }),
  };
}

function parseOrders(code3: 'sor' | 'uor', args: Arguments): ClientCommand {
  expectPositional(args, 0);
  if (code3 === 'uor') return { op: 'unsubscribe', topic: 'sor' };
  const filters = args.json?.['filters'];
  if (filters === undefined) return { op: 'subscribe', topic: 'sor' };
  // CAMPUS-TX describes the filter as "a single status string"; the array spelling is what the docs print.
  if (typeof filters === 'string') return { op: 'subscribe', topic: 'sor', filters: [filters] };
  if (!isStringArray(filters)) throw new UnreadableArguments();
  return { op: 'subscribe', topic: 'sor', filters };
}

function parseTrades(code3: 'str' | 'utr', args: Arguments): ClientCommand {
  expectPositional(args, 0);
  if (code3 === 'utr') return { op: 'unsubscribe', topic: 'str' };
  const realtimeUpdatesOnly = args.json?.['realtimeUpdatesOnly'];
  const days = args.json?.['days'];
  if (realtimeUpdatesOnly !== undefined && typeof realtimeUpdatesOnly !== 'boolean') throw new UnreadableArguments();
  if (days !== undefined && !(typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= 7)) {
    throw new UnreadableArguments();
  }
  return {
    op: 'subscribe',
    topic: 'str',
    ...(realtimeUpdatesOnly === undefined ? {} : { realtimeUpdatesOnly }),
    ...(days === undefined ? {} : { days }),
  };
}

function parseAccountTopic(code3: 'ssd' | 'usd' | 'sld' | 'uld', args: Arguments): ClientCommand {
  const [acctText = ''] = expectPositional(args, 1);
  const acct = readMatching(acctText, isIdentifier);
  const topic = code3 === 'ssd' || code3 === 'usd' ? 'ssd' : 'sld';
  if (code3 === 'usd' || code3 === 'uld') return { op: 'unsubscribe', topic, acct };
  const keys = args.json?.['keys'];
  const fields = args.json?.['fields'];
  if ((keys !== undefined && !isStringArray(keys)) || (fields !== undefined && !isStringArray(fields))) {
    throw new UnreadableArguments();
  }
  return {
    op: 'subscribe',
    topic,
    acct,
    ...(keys === undefined ? {} : { keys }),
    ...(fields === undefined ? {} : { fields }),
  };
}

function parseExercise(code3: 'shs' | 'inp', args: Arguments): ClientCommand {
  const [action = ''] = expectPositional(args, 1);
  const argsObject = args.json ?? {};
  const actionName = readMatching(action, isActionName);
  return code3 === 'shs'
    ? { op: 'request', topic: 'shs', action: actionName, args: argsObject }
    : { op: 'input', topic: 'inp', action: actionName, args: argsObject };
}

function readConid(text: string): number {
  const conid = parseConid(text);
  if (conid === undefined) throw new UnreadableArguments();
  return conid;
}

function readMatching(text: string, rule: (text: string) => boolean): string {
  if (!rule(text)) throw new UnreadableArguments();
  return text;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
