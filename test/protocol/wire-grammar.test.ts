/**
 * One definition per wire-grammar rule (src/protocol/wire-grammar.ts), and every part of the project that checks a
 * conid or an account id agrees with it: the encoder, the client's subscription methods, the simulator's command
 * parser and the CLI's `--subscribe` parser.
 */
import { describe, expect, it } from 'vitest';
import { parseSubscribeSpec } from '../../src/cli/args.js';
import { encodeCommand } from '../../src/protocol/encode.js';
import { parseClientCommand } from '../../src/protocol/parse-client-command.js';
import { isActionName, isConid, isIdentifier, parseConid } from '../../src/protocol/wire-grammar.js';
import { createFacade, type SubscriptionOpener } from '../../src/subscriptions/index.js';

const ACCOUNT_IDS: ReadonlyArray<readonly [string, boolean]> = [
  ['DU1234567', true],
  ['U1.sub_2-a', true],
  ['', false],
  ['DU1+DU2', false],
  ['DU1@X', false],
  ['DU 1', false],
  ['DÜ1', false],
  ['{"a":1}', false],
];

const CONID_TEXTS: ReadonlyArray<readonly [string, number | undefined]> = [
  ['265598', 265598],
  ['1', 1],
  ['0', undefined],
  ['-5', undefined],
  ['1.5', undefined],
  ['abc', undefined],
  ['', undefined],
  ['9007199254740993', undefined],
  ['12345678901234567', undefined],
];

/** The facade over an opener that records the wire requests it is asked to open. */
function facadeRecording(): { facade: ReturnType<typeof createFacade>; opened: unknown[] } {
  const opened: unknown[] = [];
  const opener: SubscriptionOpener = {
    open: (_kind, request) => {
      opened.push(request);
      return {} as never;
    },
    openRaw: () => ({}) as never,
    subscriptions: () => [],
  };
  return { facade: createFacade(opener), opened };
}

describe('the wire grammar', () => {
  it.each(ACCOUNT_IDS)('account id %j is %s', (text, valid) => {
    expect(isIdentifier(text)).toBe(valid);
  });

  it.each(CONID_TEXTS)('conid text %j reads as %s', (text, conid) => {
    expect(parseConid(text)).toBe(conid);
  });

  it('conids as values are positive safe integers', () => {
    expect([265598, 1, 0, -1, 1.5, Number.NaN, 2 ** 53, '265598'].map(isConid)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('action names are identifiers without a dot', () => {
    expect(['exercise', 'a_b-c', 'a.b', ''].map(isActionName)).toEqual([true, true, false, false]);
  });
});

describe('everyone who checks an account id agrees with the grammar', () => {
  it.each(ACCOUNT_IDS)('%j: encoder, subscription method, simulator parser and CLI say %s', (acct, valid) => {
    const encodes = (() => {
      try {
        encodeCommand({ op: 'subscribe', topic: 'ssd', acct });
        return true;
      } catch {
        return false;
      }
    })();
    const { facade } = facadeRecording();
    const subscribes = (() => {
      try {
        facade.accountSummary(acct);
        return true;
      } catch {
        return false;
      }
    })();
    const parsed = parseClientCommand(`ssd+${acct}+{}`);
    const cli = (() => {
      try {
        parseSubscribeSpec(`ssd:${acct}`);
        return true;
      } catch {
        return false;
      }
    })();
    expect({ encodes, subscribes, cli }).toEqual({ encodes: valid, subscribes: valid, cli: valid });
    // The parser reads `+` as a separator, so an id containing one is another command; a valid id round-trips.
    if (valid) expect(parsed).toMatchObject({ op: 'subscribe', topic: 'ssd', acct });
  });
});

describe('everyone who checks a conid agrees with the grammar', () => {
  it.each(CONID_TEXTS)('%j: encoder, subscription method, simulator parser and CLI agree (%s)', (text, conid) => {
    const valid = conid !== undefined;
    const { facade } = facadeRecording();
    const subscribes = (() => {
      try {
        facade.marketData(`${text}@ISLAND` as `${number}@${string}`, ['31']);
        return true;
      } catch {
        return false;
      }
    })();
    const cli = (() => {
      try {
        parseSubscribeSpec(`smh:${text}`);
        return true;
      } catch {
        return false;
      }
    })();
    const parsed = parseClientCommand(`smh+${text}+{}`);
    expect({ subscribes, cli, parsed: 'op' in parsed }).toEqual({ subscribes: valid, cli: valid, parsed: valid });
    if (valid)
      expect(encodeCommand({ op: 'subscribe', topic: 'smh', conid: conid!, params: {} })).toBe(`smh+${conid}+{}`);
    const encoding = () => encodeCommand({ op: 'subscribe', topic: 'smh', conid: Number(text), params: {} });
    if (valid) expect(encoding).not.toThrow();
    else expect(encoding).toThrow(/conid/);
  });
});
