/**
 * ClientCommand intents to the exact client wire text (test/fixtures/protocol/client-commands.jsonl, canonical lines):
 * `TOPIC+args+{json}` with compact JSON whose keys follow the intent's own key order, and the documented exceptions
 * (`tic`, `ech+hb`, bare `utr`, `umh+<serverId>`, `sbd+acct+conid[+exch]`, `ubd+acct`, `{"session":…}`).
 *
 * Positional parts are checked before they are joined with `+`: an account id such as `DU1+265598` would otherwise
 * forge a different command. A command that cannot be encoded throws ProtocolError (`invalid-field`) naming the
 * intent field, never its value; commands come from our own API, which validates user input first, so this is a
 * programming error, not a wire condition.
 */
import { ProtocolError } from './errors.js';
import { isActionName, isConid, isIdentifier } from './wire-grammar.js';
import type { ClientCommand, JsonObject } from './types.js';

type Subscribe = Extract<ClientCommand, { op: 'subscribe' }>;
type Unsubscribe = Extract<ClientCommand, { op: 'unsubscribe' }>;

const EMPTY_ARGUMENTS = '{}';

export function encodeCommand(command: ClientCommand): string {
  switch (command.op) {
    case 'tic':
      return 'tic';
    case 'echo':
      return 'ech+hb';
    case 'session':
      if (typeof command.session !== 'string' || command.session === '') throw invalid('session', 'a non-empty string');
      return JSON.stringify({ session: command.session });
    case 'request':
      return `shs+${action(command.action)}+${jsonObject(command.args, 'args')}`;
    case 'input':
      return `inp+${action(command.action)}+${jsonObject(command.args, 'args')}`;
    case 'subscribe':
      return subscribe(command);
    case 'unsubscribe':
      return unsubscribe(command);
    default:
      throw invalid('op', 'a known command');
  }
}

function subscribe(command: Subscribe): string {
  switch (command.topic) {
    case 'smd':
      return `smd+${instrument(command.conid, command.exchange)}+${JSON.stringify({ fields: strings(command.fields, 'fields') })}`;
    case 'smh':
      return `smh+${conid(command.conid)}+${jsonObject(command.params, 'params')}`;
    case 'sbd':
      return command.exchange === undefined
        ? `sbd+${identifier(command.acct, 'acct')}+${conid(command.conid)}`
        : `sbd+${identifier(command.acct, 'acct')}+${conid(command.conid)}+${identifier(command.exchange, 'exchange')}`;
    case 'sor':
      return `sor+${options(command, SOR_OPTIONS)}`;
    case 'spl':
      return `spl+${EMPTY_ARGUMENTS}`;
    case 'str':
      return `str+${options(command, STR_OPTIONS)}`;
    case 'ssd':
    case 'sld':
      return `${command.topic}+${identifier(command.acct, 'acct')}+${options(command, ACCOUNT_TOPIC_OPTIONS)}`;
    default:
      throw invalid('topic', 'a subscribable topic');
  }
}

function unsubscribe(command: Unsubscribe): string {
  switch (command.topic) {
    case 'smd':
      return `umd+${instrument(command.conid, command.exchange)}+${EMPTY_ARGUMENTS}`;
    case 'smh':
      return `umh+${identifier(command.serverId, 'serverId')}`;
    case 'sbd':
      return `ubd+${identifier(command.acct, 'acct')}`;
    case 'sor':
      return `uor+${EMPTY_ARGUMENTS}`;
    case 'spl':
      return `upl+${EMPTY_ARGUMENTS}`;
    case 'str':
      // CAMPUS-TX: `utr` is sent bare, "without a trailing +{}" (docs/PROTOCOL.md §4.1).
      return 'utr';
    case 'ssd':
      return `usd+${identifier(command.acct, 'acct')}+${EMPTY_ARGUMENTS}`;
    case 'sld':
      return `uld+${identifier(command.acct, 'acct')}+${EMPTY_ARGUMENTS}`;
    default:
      throw invalid('topic', 'a subscribable topic');
  }
}

/** An option's check: the value it puts on the wire, or a thrown ProtocolError. */
type OptionCheck = (value: unknown, name: string) => unknown;

const SOR_OPTIONS: Readonly<Record<string, OptionCheck>> = { filters: strings };
const STR_OPTIONS: Readonly<Record<string, OptionCheck>> = { realtimeUpdatesOnly: boolean, days: tradeDays };
const ACCOUNT_TOPIC_OPTIONS: Readonly<Record<string, OptionCheck>> = { keys: strings, fields: strings };

/**
 * The JSON argument of a subscription: the intent's optional keys, in the order the intent lists them (the fixture
 * corpus compares byte for byte). Absent or undefined options are left out; no options give `{}`.
 */
function options(command: object, allowed: Readonly<Record<string, OptionCheck>>): string {
  const wire: JsonObject = {};
  for (const name of Object.keys(command)) {
    const check = Object.hasOwn(allowed, name) ? allowed[name] : undefined;
    const value = (command as JsonObject)[name];
    if (check !== undefined && value !== undefined) wire[name] = check(value, name);
  }
  return JSON.stringify(wire);
}

function instrument(conidValue: number, exchange: string | undefined): string {
  return exchange === undefined ? conid(conidValue) : `${conid(conidValue)}@${identifier(exchange, 'exchange')}`;
}

function conid(value: unknown): string {
  if (!isConid(value)) throw invalid('conid', 'a positive integer');
  return String(value);
}

function identifier(value: unknown, name: string): string {
  if (typeof value !== 'string' || !isIdentifier(value)) throw invalid(name, 'letters, digits, ".", "_" or "-"');
  return value;
}

function action(value: unknown): string {
  if (typeof value !== 'string' || !isActionName(value)) throw invalid('action', 'letters, digits, "_" or "-"');
  return value;
}

function strings(value: unknown, name: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw invalid(name, 'an array of strings');
  return value;
}

function boolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalid(name, 'a boolean');
  return value;
}

/** `days`: the current day and up to six previous ones (docs/PROTOCOL.md §4.7). */
function tradeDays(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 7)
    throw invalid(name, 'an integer from 1 to 7');
  return value;
}

function jsonObject(value: unknown, name: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(name, 'an object');
  return JSON.stringify(value);
}

function invalid(field: string, expected: string): ProtocolError {
  return new ProtocolError('invalid-field', `command field '${field}' must be ${expected}`);
}
