/** A stand-in for the client's event surface and subscription methods, for testing CLI parts without a gateway. */
import { TypedEvents } from '../../../src/events.js';
import type { IbkrWs, IbkrWsEvents } from '../../../src/client.js';
import type { LifecycleState } from '../../../machines/index.js';
import type { HandleEvents, SubscriptionHandle, SubscriptionStatus } from '../../../src/subscriptions/index.js';

export class FakeHandle implements SubscriptionHandle<unknown> {
  readonly events = new TypedEvents<HandleEvents<unknown> & Record<string, unknown>>(() => undefined);
  status: SubscriptionStatus = 'pending';
  closed = false;
  readonly acknowledged = Promise.resolve();

  constructor(readonly key: string) {}

  on<E extends keyof HandleEvents<unknown>>(
    event: E,
    listener: (payload: HandleEvents<unknown>[E]) => void,
  ): () => void {
    return this.events.on(event, listener as never);
  }

  close(): void {
    this.closed = true;
  }

  async *[Symbol.asyncIterator](): AsyncIterableIterator<never> {}
}

export interface FakeClient {
  readonly client: IbkrWs;
  readonly events: TypedEvents<IbkrWsEvents>;
  readonly calls: Array<{ method: string; args: unknown[] }>;
  readonly handles: FakeHandle[];
  setState(state: LifecycleState, reason?: string): void;
}

export function createFakeClient(): FakeClient {
  const events = new TypedEvents<IbkrWsEvents>(() => undefined);
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const handles: FakeHandle[] = [];
  let state: LifecycleState = 'idle';
  const subscribe =
    (method: string, key: (...args: unknown[]) => string) =>
    (...args: unknown[]) => {
      calls.push({ method, args });
      const handle = new FakeHandle(key(...args));
      handles.push(handle);
      return handle;
    };
  const client = {
    on: events.on.bind(events),
    get state() {
      return state;
    },
    marketData: subscribe('marketData', (conid) => `smd+${String(conid).split('@')[0]}`),
    orders: subscribe('orders', () => 'sor'),
    pnl: subscribe('pnl', () => 'spl'),
    trades: subscribe('trades', () => 'str'),
    book: subscribe('book', (acct, conid) => `sbd+${acct}+${conid}`),
    history: subscribe('history', (conid) => `smh+${conid}`),
    accountSummary: subscribe('accountSummary', (acct) => `ssd+${acct}`),
    ledger: subscribe('ledger', (acct) => `sld+${acct}`),
  } as unknown as IbkrWs;
  return {
    client,
    events,
    calls,
    handles,
    setState(next, reason) {
      const previous = state;
      state = next;
      events.emit('state', { state: next, previous, at: Date.now(), ...(reason === undefined ? {} : { reason }) });
    },
  };
}

/** A reporter that records every call. */
export function recordingReporter() {
  const calls: Array<[string, ...unknown[]]> = [];
  return {
    calls,
    reporter: {
      attach: () => calls.push(['attach']),
      data: (topic: string, message: unknown) => calls.push(['data', topic, message]),
      subscription: (key: string, status: string, reason?: string) => calls.push(['subscription', key, status, reason]),
      gap: (key: string, reason: string) => calls.push(['gap', key, reason]),
      note: (text: string) => calls.push(['note', text]),
      event: (type: string, fields: Record<string, unknown>, text: string) => calls.push(['event', type, fields, text]),
      close: () => calls.push(['close']),
    },
  };
}
