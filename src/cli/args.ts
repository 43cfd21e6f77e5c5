/**
 * Parsing of the CLI contract's shared pieces (README.md "CLI reference"): subscription SPECs, timing flags, and
 * numbers. Every failure is a UsageError (exit 2) whose message says what was wrong and what is expected.
 */
import { isIdentifier, parseConid as readConid } from '../protocol/wire-grammar.js';
import { UsageError } from './io.js';

export type CliSubscription =
  | { readonly topic: 'smd'; readonly conid: number; readonly exchange?: string; readonly fields: readonly string[] }
  | { readonly topic: 'smh'; readonly conid: number }
  | { readonly topic: 'sbd'; readonly acct: string; readonly conid: number }
  | { readonly topic: 'ssd' | 'sld'; readonly acct: string }
  | { readonly topic: 'sor' | 'spl' | 'str' };

const SPEC_HELP = 'smd:<conid>:<field,field,…>, sor, spl, str, sbd:<acct>:<conid>, ssd:<acct>, sld:<acct>, smh:<conid>';

export function parseSubscribeSpec(spec: string): CliSubscription {
  const [topic, ...parts] = spec.split(':');
  const fail = (why: string): never => {
    throw new UsageError(`--subscribe ${JSON.stringify(spec)}: ${why} (expected one of: ${SPEC_HELP})`);
  };
  const arity = (count: number): void => {
    if (parts.length !== count) fail(`${topic} takes ${count} part${count === 1 ? '' : 's'} after the topic`);
  };
  switch (topic) {
    case 'sor':
    case 'spl':
    case 'str':
      arity(0);
      return { topic };
    case 'smd': {
      arity(2);
      const [instrument = '', fieldList = ''] = parts;
      const [conidText = '', exchange] = instrument.split('@');
      const fields = fieldList.split(',').map((field) => field.trim());
      if (fields.some((field) => !/^\d+$/.test(field))) fail('fields are numeric field ids such as 31,84,86');
      return { topic, conid: parseConid(conidText, fail), ...(exchange ? { exchange } : {}), fields };
    }
    case 'smh':
      arity(1);
      return { topic, conid: parseConid(parts[0] ?? '', fail) };
    case 'sbd':
      arity(2);
      return { topic, acct: parseAccount(parts[0] ?? '', fail), conid: parseConid(parts[1] ?? '', fail) };
    case 'ssd':
    case 'sld':
      arity(1);
      return { topic, acct: parseAccount(parts[0] ?? '', fail) };
    default:
      return fail(`unknown topic '${topic}'`);
  }
}

/** The wire grammar decides (src/protocol/wire-grammar.ts); the CLI only words the verdict for the flag. */
function parseConid(text: string, fail: (why: string) => never): number {
  return readConid(text) ?? fail(`'${text}' is not a contract id (a positive integer)`);
}

function parseAccount(text: string, fail: (why: string) => never): string {
  if (!isIdentifier(text)) fail(`'${text}' is not an account id`);
  return text;
}

/** A non-negative integer number of milliseconds (or seconds, for --for). */
export function parseNonNegativeNumber(flag: string, text: string, options: { integer?: boolean } = {}): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || (options.integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} expects a non-negative ${options.integer ? 'integer' : 'number'}, got '${text}'`);
  }
  return value;
}
