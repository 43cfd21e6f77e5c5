/**
 * Opens one CLI `--subscribe SPEC` on the client and wires the handle to the reporter: every data item, every status
 * change and every gap. The CLI listens (`on('data')`) rather than iterating: a listener never fills a buffer, so a
 * slow terminal can never drop quotes or pause the socket.
 */
import type { IbkrWs } from '../client.js';
import { IbkrWsError } from '../errors.js';
import type { SubscriptionHandle, SubscriptionStatus } from '../subscriptions/index.js';
import type { CliSubscription } from './args.js';
import { UsageError } from './io.js';
import type { Reporter } from './reporter.js';

/** The part of the client this module needs: its subscription methods. */
export type SubscribingClient = Pick<
  IbkrWs,
  'marketData' | 'orders' | 'pnl' | 'trades' | 'book' | 'history' | 'accountSummary' | 'ledger'
>;

export interface OpenedSubscription {
  readonly key: string;
  readonly handle: SubscriptionHandle<unknown>;
  /** Stops reporting (the handle stays open). Idempotent. */
  detach(): void;
  /** Detaches the reporter and closes the handle. Idempotent. */
  close(): void;
}

export function openSubscription(
  client: SubscribingClient,
  spec: CliSubscription,
  reporter: Reporter,
): OpenedSubscription {
  let handle: SubscriptionHandle<unknown>;
  try {
    handle = subscribe(client, spec);
  } catch (error) {
    // The client validates arguments too; its verdict on a CLI spec is a usage error (exit 2), not a crash.
    if (error instanceof IbkrWsError && error.code === 'invalid-option')
      throw new UsageError(`--subscribe: ${error.message}`);
    throw error;
  }
  let lastStatus: SubscriptionStatus | undefined;
  const report = (status: SubscriptionStatus, reason?: string): void => {
    // `closed` is the end of the run, told by the final `stopped` state; the contract's statuses are the other four.
    if (status === 'closed' || status === lastStatus) return;
    lastStatus = status;
    reporter.subscription(handle.key, status, reason);
  };
  report(handle.status);
  const offs = [
    handle.on('status', (change) => report(change.status, change.reason)),
    handle.on('gap', (gap) => reporter.gap(gap.key, gap.reason)),
    handle.on('data', (item) => reporter.data(handle.key, item)),
  ];
  let closed = false;
  const detach = (): void => {
    for (const off of offs.splice(0)) off();
  };
  return {
    key: handle.key,
    handle,
    detach,
    close() {
      if (closed) return;
      closed = true;
      detach();
      handle.close();
    },
  };
}

function subscribe(client: SubscribingClient, spec: CliSubscription): SubscriptionHandle<unknown> {
  switch (spec.topic) {
    case 'smd':
      return client.marketData(
        spec.exchange === undefined ? spec.conid : `${spec.conid}@${spec.exchange}`,
        spec.fields,
      );
    case 'sor':
      return client.orders();
    case 'spl':
      return client.pnl();
    case 'str':
      return client.trades();
    case 'sbd':
      return client.book(spec.acct, spec.conid);
    case 'smh':
      return client.history(spec.conid);
    case 'ssd':
      return client.accountSummary(spec.acct);
    case 'sld':
      return client.ledger(spec.acct);
  }
}
