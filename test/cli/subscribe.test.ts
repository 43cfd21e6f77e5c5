/** `--subscribe SPEC` opens the matching client subscription and reports its data, statuses and gaps. */
import { describe, expect, it } from 'vitest';
import { parseSubscribeSpec } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/io.js';
import { openSubscription } from '../../src/cli/subscribe.js';
import { IbkrWsError } from '../../src/errors.js';
import { createFakeClient, recordingReporter } from './support/fake-client.js';

describe('openSubscription', () => {
  it.each([
    ['smd:265598:31,84,86', 'marketData', [265598, ['31', '84', '86']]],
    ['smd:265598@ISLAND:31', 'marketData', ['265598@ISLAND', ['31']]],
    ['sor', 'orders', []],
    ['spl', 'pnl', []],
    ['str', 'trades', []],
    ['sbd:DU1234567:265598', 'book', ['DU1234567', 265598]],
    ['ssd:DU1234567', 'accountSummary', ['DU1234567']],
    ['sld:DU1234567', 'ledger', ['DU1234567']],
    ['smh:265598', 'history', [265598]],
  ] as const)('maps %s to client.%s', (spec, method, args) => {
    const fake = createFakeClient();
    openSubscription(fake.client, parseSubscribeSpec(spec), recordingReporter().reporter);
    expect(fake.calls).toEqual([{ method, args }]);
  });

  it('reports the initial status, then data, changes and gaps under the wire key', () => {
    const fake = createFakeClient();
    const { reporter, calls } = recordingReporter();
    openSubscription(fake.client, parseSubscribeSpec('smd:265598:31'), reporter);
    const handle = fake.handles[0]!;
    handle.events.emit('status', { key: handle.key, status: 'active' });
    handle.events.emit('data', { kind: 'quote', fields: { 31: '189.60' } });
    handle.events.emit('gap', { kind: 'gap', key: handle.key, reason: 'closed-1000', at: 1 });
    handle.events.emit('status', { key: handle.key, status: 'pending', reason: 'closed-1000' });
    expect(calls).toEqual([
      ['subscription', 'smd+265598', 'pending', undefined],
      ['subscription', 'smd+265598', 'active', undefined],
      ['data', 'smd+265598', { kind: 'quote', fields: { 31: '189.60' } }],
      ['gap', 'smd+265598', 'closed-1000'],
      ['subscription', 'smd+265598', 'pending', 'closed-1000'],
    ]);
  });

  it('prints no repeated status and never `closed` (the stopped state tells the end)', () => {
    const fake = createFakeClient();
    const { reporter, calls } = recordingReporter();
    openSubscription(fake.client, parseSubscribeSpec('sor'), reporter);
    const handle = fake.handles[0]!;
    handle.events.emit('status', { key: 'sor', status: 'pending' });
    handle.events.emit('status', { key: 'sor', status: 'closed' });
    expect(calls.filter((call) => call[0] === 'subscription')).toEqual([['subscription', 'sor', 'pending', undefined]]);
  });

  it('closes the handle and stops reporting when closed', () => {
    const fake = createFakeClient();
    const { reporter, calls } = recordingReporter();
    const opened = openSubscription(fake.client, parseSubscribeSpec('spl'), reporter);
    opened.close();
    fake.handles[0]!.events.emit('data', { kind: 'pnl' });
    expect(fake.handles[0]!.closed).toBe(true);
    expect(calls.some((call) => call[0] === 'data')).toBe(false);
  });

  it("turns the client's invalid-option verdict into a usage error (exit 2)", () => {
    const fake = createFakeClient();
    (fake.client as unknown as { pnl: () => never }).pnl = () => {
      throw new IbkrWsError('invalid-option', 'pnl: nope');
    };
    expect(() => openSubscription(fake.client, parseSubscribeSpec('spl'), recordingReporter().reporter)).toThrow(
      UsageError,
    );
  });
});
