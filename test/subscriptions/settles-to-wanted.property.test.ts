/**
 * Random interleavings of subscribe / close / ready / not-ready / data / time against a model gateway that applies
 * exactly what the hub sends. Once settled (ready, every subscription on the wire has delivered data), what is
 * active equals what is wanted, and so does what the gateway holds; and nothing is ever offered to a socket that is
 * not ready.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClientCommand, ServerMessage } from '../../src/protocol/types.js';
import type { SubscriptionHandle } from '../../src/subscriptions/index.js';
import { createHarness, sbd, sld, smd, sor, spl, ssd, str, type Harness } from './support.js';

type Open =
  | { type: 'marketData'; conid: number; fields: string[] }
  | { type: 'orders' }
  | { type: 'pnl' }
  | { type: 'trades' }
  | { type: 'summary'; acct: string }
  | { type: 'ledger'; acct: string }
  | { type: 'book'; acct: string; conid: number };

type Action =
  | { type: 'open'; what: Open }
  | { type: 'close'; index: number }
  | { type: 'ready' }
  | { type: 'not-ready' }
  | { type: 'data'; index: number }
  | { type: 'refresh' }
  | { type: 'advance'; ms: number };

const FIELDS = ['31', '84', '86', '55'];
const ACCOUNTS = ['DU1', 'DU2'];

const openArbitrary: fc.Arbitrary<Open> = fc.oneof(
  fc.record({
    type: fc.constant('marketData' as const),
    conid: fc.integer({ min: 1, max: 4 }),
    fields: fc.subarray(FIELDS, { minLength: 1 }),
  }),
  fc.constant({ type: 'orders' as const }),
  fc.constant({ type: 'pnl' as const }),
  fc.constant({ type: 'trades' as const }),
  fc.record({ type: fc.constant('summary' as const), acct: fc.constantFrom(...ACCOUNTS) }),
  fc.record({ type: fc.constant('ledger' as const), acct: fc.constantFrom(...ACCOUNTS) }),
  fc.record({
    type: fc.constant('book' as const),
    acct: fc.constantFrom(...ACCOUNTS),
    conid: fc.integer({ min: 1, max: 2 }),
  }),
);

const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: openArbitrary.map((what) => ({ type: 'open' as const, what })) },
  { weight: 3, arbitrary: fc.nat(20).map((index) => ({ type: 'close' as const, index })) },
  { weight: 2, arbitrary: fc.constant({ type: 'ready' as const }) },
  { weight: 2, arbitrary: fc.constant({ type: 'not-ready' as const }) },
  { weight: 3, arbitrary: fc.nat(20).map((index) => ({ type: 'data' as const, index })) },
  { weight: 1, arbitrary: fc.constant({ type: 'refresh' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 30_000 }).map((ms) => ({ type: 'advance' as const, ms })) },
);

/** What the gateway holds on the current socket: wire key → market-data fields (empty for other topics). */
class ModelGateway {
  readonly held = new Map<string, Set<string>>();
  #applied = 0;

  apply(sent: readonly ClientCommand[]): void {
    for (const command of sent.slice(this.#applied)) this.#applyOne(command);
    this.#applied = sent.length;
  }

  newSocket(): void {
    this.held.clear();
  }

  #applyOne(command: ClientCommand): void {
    if (command.op !== 'subscribe' && command.op !== 'unsubscribe') return;
    const key = wireKey(command);
    if (command.op === 'subscribe') {
      const fields = this.held.get(key) ?? new Set<string>();
      if (command.topic === 'smd') for (const field of command.fields) fields.add(field);
      this.held.set(key, fields);
    } else if (command.topic === 'sbd') {
      for (const held of [...this.held.keys()]) if (held.startsWith(`sbd+${command.acct}+`)) this.held.delete(held);
    } else {
      this.held.delete(key);
    }
  }
}

function wireKey(command: Extract<ClientCommand, { op: 'subscribe' | 'unsubscribe' }>): string {
  switch (command.topic) {
    case 'smd':
      return `smd+${command.conid}`;
    case 'sbd':
      return command.op === 'subscribe' ? `sbd+${command.acct}+${command.conid}` : `sbd+${command.acct}`;
    case 'ssd':
    case 'sld':
      return `${command.topic}+${command.acct}`;
    case 'smh':
      return 'smh';
    default:
      return command.topic;
  }
}

function dataFor(key: string): ServerMessage {
  const [topic, acct, conid] = key.split('+');
  switch (topic) {
    case 'smd':
      return smd(Number(acct), { '31': '1' });
    case 'sor':
      return sor({ orderId: 1 });
    case 'spl':
      return spl();
    case 'str':
      return str({ execution_id: '1' });
    case 'ssd':
      return ssd(acct ?? '');
    case 'sld':
      return sld(acct ?? '');
    default:
      return sbd(acct ?? '', Number(conid));
  }
}

interface Opened {
  readonly handle: SubscriptionHandle<unknown>;
  readonly fields: readonly string[];
}

function open(harness: Harness, what: Open): Opened {
  const facade = harness.facade;
  switch (what.type) {
    case 'marketData':
      return { handle: facade.marketData(what.conid, what.fields) as SubscriptionHandle<unknown>, fields: what.fields };
    case 'orders':
      return { handle: facade.orders() as SubscriptionHandle<unknown>, fields: [] };
    case 'pnl':
      return { handle: facade.pnl() as SubscriptionHandle<unknown>, fields: [] };
    case 'trades':
      return { handle: facade.trades() as SubscriptionHandle<unknown>, fields: [] };
    case 'summary':
      return { handle: facade.accountSummary(what.acct) as SubscriptionHandle<unknown>, fields: [] };
    case 'ledger':
      return { handle: facade.ledger(what.acct) as SubscriptionHandle<unknown>, fields: [] };
    case 'book':
      return { handle: facade.book(what.acct, what.conid) as SubscriptionHandle<unknown>, fields: [] };
  }
}

function run(actions: readonly Action[]): void {
  const harness = createHarness({ ackTimeoutMs: 5_000, retries: 2, marketDataExpiryMs: 60_000 });
  const gateway = new ModelGateway();
  const opened: Opened[] = [];
  const step = (action: Action): void => {
    switch (action.type) {
      case 'open':
        opened.push(open(harness, action.what));
        break;
      case 'close': {
        const [closing] = opened.splice(action.index % Math.max(1, opened.length), 1);
        closing?.handle.close();
        break;
      }
      case 'ready':
        if (!harness.socketReady) gateway.newSocket();
        harness.ready();
        break;
      case 'not-ready':
        harness.notReady();
        break;
      case 'data': {
        // The gateway only ever sends data for what it holds on this socket.
        const held = [...gateway.held.keys()];
        const key = held[action.index % Math.max(1, held.length)];
        if (harness.socketReady && key !== undefined) harness.hub.onMessage(dataFor(key));
        break;
      }
      case 'refresh':
        harness.hub.refreshMarketData();
        break;
      case 'advance':
        harness.clock.advance(action.ms);
        break;
    }
    gateway.apply(harness.sent);
    expect(harness.refused).toEqual([]);
    // Nothing claims to be active on a socket that is gone.
    if (!harness.socketReady)
      for (const row of harness.facade.subscriptions()) expect(['pending', 'failed']).toContain(row.status);
  };
  for (const action of actions) step(action);

  // Settle: a ready socket, and every subscription on the wire acknowledges with data.
  if (!harness.socketReady) step({ type: 'ready' });
  for (const key of [...gateway.held.keys()]) harness.hub.onMessage(dataFor(key));

  const wanted = new Set(opened.map(({ handle }) => handle.key));
  const snapshot = harness.facade.subscriptions();
  expect(new Set(snapshot.filter((row) => row.status === 'active').map((row) => row.key))).toEqual(wanted);
  expect(new Set(snapshot.map((row) => row.key))).toEqual(wanted);
  expect(new Set(gateway.held.keys())).toEqual(wanted);
  for (const { handle, fields } of opened) {
    expect(handle.status).toBe('active');
    for (const field of fields) expect(gateway.held.get(handle.key)?.has(field)).toBe(true);
  }
  harness.hub.stop();
  expect(harness.clock.pendingTimers).toBe(0);
}

describe('the hub settles to what is wanted', () => {
  it('after any interleaving of subscribe, close, ready, not-ready, data and time, active equals wanted, nothing went to a socket that was not ready, and nothing was active without one', () => {
    fc.assert(
      fc.property(fc.array(actionArbitrary, { minLength: 5, maxLength: 80, size: 'max' }), (actions) => run(actions)),
      { numRuns: 300 },
    );
  });

  it('holds for a long sequence with many outages', () => {
    const actions: Action[] = [];
    for (let round = 0; round < 20; round++) {
      actions.push({ type: 'open', what: { type: 'marketData', conid: (round % 4) + 1, fields: ['31'] } });
      actions.push({ type: 'ready' }, { type: 'data', index: round }, { type: 'not-ready' });
      if (round % 3 === 0) actions.push({ type: 'close', index: round });
    }
    run(actions);
  });
});
