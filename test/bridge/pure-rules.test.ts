/**
 * The bridge's pure rules, without NATS or a gateway: reading control requests (typed errors per entry), the interest
 * registry (replace semantics, union of fields, leases, freezing) and the outbox (bounded, every loss counted).
 */
import { describe, expect, it } from 'vitest';
import {
  bridgeNames,
  keyOfSubscription,
  subjectOfSubscription,
  type BridgeSubscription,
} from '../../src/bridge/contract.js';
import { readEntry, readReleaseRequest, readSubscribeRequest } from '../../src/bridge/control-request.js';
import { InterestRegistry } from '../../src/bridge/interest.js';
import { EntryState } from '../../src/bridge/entry-state.js';
import { Outbox } from '../../src/bridge/outbox.js';
import { StreamState } from '../../src/bridge-client/bridge-stream.js';
import { headers as natsHeaders, MsgHdrsImpl } from '@nats-io/transport-node';
import { ContractHeaders } from '../../src/bridge/contract-headers.js';
import { splitNatsCredentials, withoutCredentials } from '../../src/bridge/nats-credentials.js';
import type { IbkrWsError } from '../../src/errors.js';

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

describe('control requests', () => {
  it('refuses unreadable requests as a whole, with typed codes', () => {
    expect(readSubscribeRequest(bytes('nope'))).toMatchObject({ ok: false, error: { code: 'malformed-json' } });
    expect(readSubscribeRequest(bytes([1]))).toMatchObject({ ok: false, error: { code: 'not-an-object' } });
    expect(readSubscribeRequest(bytes({ v: 2, consumer: 'a', subs: [] }))).toMatchObject({
      ok: false,
      error: { code: 'invalid-option' },
    });
    expect(readSubscribeRequest(bytes({ v: 1, consumer: 'a.b', subs: [] }))).toMatchObject({
      ok: false,
      error: { code: 'invalid-option' },
    });
    expect(readSubscribeRequest(bytes({ v: 1, consumer: 'a', subs: {} }))).toMatchObject({ ok: false });
    expect(readSubscribeRequest(bytes({ v: 1, consumer: 'a', leaseMs: -1, subs: [] }))).toMatchObject({ ok: false });
    expect(
      readSubscribeRequest(bytes({ v: 1, consumer: 'a', subs: new Array(1_001).fill({ topic: 'sor' }) })),
    ).toMatchObject({ ok: false });
    expect(readReleaseRequest(bytes({ v: 1, consumer: 'a' }))).toEqual({ ok: true, consumer: 'a' });
  });

  it('judges each entry on its own and normalises field names to ids', () => {
    const verdict = readSubscribeRequest(
      bytes({
        v: 1,
        consumer: 'a',
        subs: [
          { topic: 'smd', conid: 1, fields: ['last', '31', 'bid'] },
          { topic: 'nope' },
          { topic: 'sbd', acct: 'DU1', conid: 0 },
        ],
      }),
    );
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.entries[0]).toEqual({
      ok: true,
      key: 'smd+1',
      sub: { topic: 'smd', conid: 1, fields: ['31', '84'] },
    });
    expect(verdict.entries[1]).toMatchObject({ ok: false, error: { code: 'invalid-option' } });
    expect(verdict.entries[2]).toMatchObject({ ok: false, error: { code: 'invalid-option' } });
    expect(readEntry({ topic: 'smd', conid: 1, fields: ['not-a-field'] })).toMatchObject({ ok: false });
    expect(readEntry({ topic: 'smd', conid: 1.5, fields: ['31'] })).toMatchObject({ ok: false });
    expect(readEntry({ topic: 'ssd', acct: 'a b' })).toMatchObject({ ok: false });
  });

  it('maps entries to the library keys and the documented subjects', () => {
    const names = bridgeNames('main');
    const cases = [
      [{ topic: 'smd', conid: 265598, fields: ['31'] }, 'smd+265598', 'ibkr.main.md.265598'],
      [{ topic: 'sor' }, 'sor', 'ibkr.main.orders'],
      [{ topic: 'str' }, 'str', 'ibkr.main.trades'],
      [{ topic: 'spl' }, 'spl', 'ibkr.main.pnl'],
      [{ topic: 'ssd', acct: 'DU1' }, 'ssd+DU1', 'ibkr.main.summary.DU1'],
      [{ topic: 'sld', acct: 'DU1' }, 'sld+DU1', 'ibkr.main.ledger.DU1'],
      [{ topic: 'sbd', acct: 'DU1', conid: 8314 }, 'sbd+DU1+8314', 'ibkr.main.book.DU1.8314'],
    ] as const;
    for (const [sub, key, subject] of cases) {
      expect(keyOfSubscription(sub)).toBe(key);
      expect(subjectOfSubscription(names, sub)).toBe(subject);
    }
    expect(names.lvStream).toBe('IBKR_MAIN_LV');
    expect(names.stateBucket).toBe('ibkr_main_state');
    expect(() => bridgeNames('Main.x')).toThrow();
  });
});

describe('interest registry', () => {
  const smd = (fields: string[]) => ({ topic: 'smd' as const, conid: 1, fields });

  it('replaces a consumer set, counts holders, and widens fields to the union', () => {
    const registry = new InterestRegistry();
    registry.set(
      'a',
      new Map<string, BridgeSubscription>([
        ['smd+1', smd(['31'])],
        ['sor', { topic: 'sor' }],
      ]),
      1_000,
      0,
    );
    registry.set('b', new Map([['smd+1', smd(['84', '31'])]]), 1_000, 0);
    expect(registry.holders('smd+1')).toBe(2);
    expect(registry.union('smd+1')).toEqual(smd(['31', '84']));
    expect(registry.set('a', new Map([['smd+1', smd(['31'])]]), 1_000, 0)).toEqual(['sor']);
    expect(registry.holders('sor')).toBe(0);
    expect(registry.delete('b')).toEqual(['smd+1']);
    expect(registry.union('smd+1')).toEqual(smd(['31']));
  });

  it('expires unrenewed leases, never pinned ones, and restarts every lease on refresh', () => {
    const registry = new InterestRegistry();
    registry.set('a', new Map([['sor', { topic: 'sor' }]]), 1_000, 0);
    registry.set('pin', new Map([['spl', { topic: 'spl' }]]), 1_000, 0, true);
    expect(registry.expire(900)).toEqual([]);
    registry.refreshAll(900);
    expect(registry.expire(1_800)).toEqual([]);
    expect(registry.expire(1_901).map((r) => r.consumer)).toEqual(['a']);
    expect(registry.expire(99_999)).toEqual([]);
    expect(registry.keys()).toEqual(new Set(['spl']));
  });
});

describe('entry state (summary, ledger)', () => {
  it('merges entries by key, so a blank currency keeps its last balance, and starts again after a reset', () => {
    const state = new EntryState();
    expect(
      state.merge('sld+A', [
        { key: 'USD', cash: 1, timestamp: 1 },
        { key: 'EUR', cash: 2, timestamp: 1 },
      ]),
    ).toHaveLength(2);
    expect(state.merge('sld+A', [{ key: 'USD', timestamp: 2 }])).toEqual([
      { key: 'USD', cash: 1, timestamp: 2 },
      { key: 'EUR', cash: 2, timestamp: 1 },
    ]);
    state.reset('sld+A');
    expect(state.merge('sld+A', [{ key: 'USD', timestamp: 3 }])).toEqual([{ key: 'USD', timestamp: 3 }]);
  });
});

describe('outbox', () => {
  it('drops the oldest entry not yet attempted when full and counts the loss per key', () => {
    const outbox = new Outbox(2);
    const entry = (n: number) => ({ key: 'sor', subject: 's', kind: 'orders', body: { n } });
    expect(outbox.push(entry(1))).toBe(0);
    outbox.peek()!.seq = 1; // in flight: never dropped
    expect(outbox.push(entry(2))).toBe(0);
    expect(outbox.push(entry(3))).toBe(1);
    expect(outbox.push(entry(4))).toBe(1);
    expect(outbox.size).toBe(2);
    expect(outbox.dropped).toBe(2);
    expect(outbox.takeLost('sor')).toBe(2);
    expect(outbox.takeLost('sor')).toBe(0);
    expect((outbox.peek()!.body as { n: number }).n).toBe(1);
    outbox.shift();
    expect((outbox.peek()!.body as { n: number }).n).toBe(4);
  });
});

describe('the SDK stream reading messages', () => {
  const headersOf = (values: Record<string, string>) => {
    const h = natsHeaders();
    for (const [name, value] of Object.entries(values)) h.set(name, value);
    return h;
  };

  it('takes kind, run and seq from the body, and from the headers when the body lacks them', () => {
    const stream = new StreamState<Record<string, unknown>>('smd+1', 'ibkr.t.md.1', 10, () => undefined);
    const items: unknown[] = [];
    const gaps: string[] = [];
    stream.on('data', (item) => items.push(item));
    stream.on('gap', (gap) => gaps.push(gap.reason));
    // Headers that disagree with the body: the body wins (they are equal on the wire; this proves which is read).
    const wrong = headersOf({ 'Ibkr-Kind': 'gap', 'Ibkr-Bridge': 'other', 'Ibkr-Seq': '99' });
    stream.receive({
      data: bytes({ kind: 'quote', key: 'smd+1', conid: 1, v: 1, bridge: 'r1', seq: 1 }),
      headers: wrong,
    });
    stream.receive({
      data: bytes({ kind: 'quote', key: 'smd+1', conid: 1, v: 1, bridge: 'r1', seq: 2 }),
      headers: wrong,
    });
    // An older body without them: the headers say it all.
    const old = headersOf({ 'Ibkr-Kind': 'quote', 'Ibkr-Bridge': 'r1', 'Ibkr-Seq': '4' });
    stream.receive({ data: bytes({ kind: 'quote', key: 'smd+1', conid: 1, v: 1 }), headers: old });
    expect(gaps).toEqual(['missed-1']);
    expect(items).toEqual([
      { kind: 'quote', key: 'smd+1', conid: 1 },
      { kind: 'quote', key: 'smd+1', conid: 1 },
      { kind: 'quote', key: 'smd+1', conid: 1 },
    ]);
    // Same run, a seq already seen: a duplicate (a last value read after live data), dropped.
    stream.receive({ data: bytes({ kind: 'quote', key: 'smd+1', conid: 1, v: 1, bridge: 'r1', seq: 3 }) });
    expect(items).toHaveLength(3);
  });
});

describe('the contract headers', () => {
  it('write the text nats.js would write, decode back, and fall back to nats.js once changed', () => {
    const h = new ContractHeaders('quote', 'smd+265598', '3f9a1c2e', 42);
    const text = new TextDecoder().decode(h.encode());
    expect(text).toBe(new TextDecoder().decode(MsgHdrsImpl.prototype.encode.call(h)));
    expect(text).toBe(
      'NATS/1.0\r\nIbkr-Schema: 1\r\nIbkr-Kind: quote\r\nIbkr-Key: smd+265598\r\nIbkr-Bridge: 3f9a1c2e\r\nIbkr-Seq: 42\r\n\r\n',
    );
    const decoded = MsgHdrsImpl.decode(h.encode());
    expect(['Ibkr-Kind', 'Ibkr-Key', 'Ibkr-Bridge', 'Ibkr-Seq'].map((name) => decoded.get(name))).toEqual([
      'quote',
      'smd+265598',
      '3f9a1c2e',
      '42',
    ]);
    // JetStream's publish sets Nats-Msg-Id on the object it is given: it must reach the wire.
    h.set('Nats-Msg-Id', 'run-sor-7');
    expect(MsgHdrsImpl.decode(h.encode()).get('Nats-Msg-Id')).toBe('run-sor-7');
    expect(MsgHdrsImpl.decode(h.encode()).get('Ibkr-Seq')).toBe('42');
  });
});

describe('NATS URLs with credentials', () => {
  it('takes user:password or a token out of the URLs, percent-decoded, and leaves host and port', () => {
    expect(splitNatsCredentials(['nats://127.0.0.1:4222'])).toEqual({
      servers: ['nats://127.0.0.1:4222'],
      auth: undefined,
    });
    expect(
      splitNatsCredentials(['nats://bridge:p%40ss%3Aw@127.0.0.1:4222', 'tls://bridge:p%40ss%3Aw@[::1]:4223']),
    ).toEqual({
      servers: ['nats://127.0.0.1:4222', 'tls://[::1]:4223'],
      auth: { user: 'bridge', pass: 'p@ss:w' },
    });
    expect(splitNatsCredentials(['nats://s3cr3t@127.0.0.1:4222', 'nats://127.0.0.1:4223'])).toEqual({
      servers: ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223'],
      auth: { token: 's3cr3t' },
    });
  });

  it('refuses two identities for one connection, and never names the credentials', () => {
    const refused = (() => {
      try {
        splitNatsCredentials(['nats://a:pw-alpha@127.0.0.1:4222', 'nats://a:pw-beta@127.0.0.1:4223']);
      } catch (error) {
        return error as IbkrWsError;
      }
      return undefined;
    })();
    expect(refused?.code).toBe('invalid-option');
    expect(refused?.message).toContain('nats://[redacted]@127.0.0.1:4223');
    expect(refused?.message).not.toMatch(/pw-alpha|pw-beta/);
    expect(() => splitNatsCredentials(['nats://a:%zz@127.0.0.1:4222'])).toThrow(/not valid URL encoding/);
    expect(withoutCredentials('cannot reach nats://a:b@h:1 or tls://tok@h:2')).toBe(
      'cannot reach nats://[redacted]@h:1 or tls://[redacted]@h:2',
    );
  });
});
