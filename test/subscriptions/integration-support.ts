/**
 * Helpers for the subscription integration tests (test/integration/subscriptions-*.test.ts): a tap that consumes a
 * handle's iterator in the background and records every item, gap markers included, in order.
 */
import { isGap, type Gap, type SubscriptionHandle } from '../../src/subscriptions/index.js';
import type { ClientFrameRecord, GatewaySimulator } from '../../src/simulator/index.js';
import { eventually } from '../support/harness.js';

export interface Tap<T> {
  readonly handle: SubscriptionHandle<T>;
  readonly items: Array<T | Gap>;
  readonly done: Promise<void>;
  data(): T[];
  gaps(): Gap[];
  /** Resolves once a data item has arrived after the latest gap marker (and at least one gap exists). */
  dataAfterGap(what: string, timeoutMs?: number): Promise<void>;
  /** Resolves once `count` more data items than now have arrived. */
  moreData(count: number, what: string, timeoutMs?: number): Promise<void>;
}

export function tap<T>(handle: SubscriptionHandle<T>): Tap<T> {
  const items: Array<T | Gap> = [];
  const done = (async () => {
    for await (const item of handle) items.push(item);
  })();
  // The tests assert on `done` where they care; an iterator that throws must not crash the run meanwhile.
  done.catch(() => undefined);
  const data = (): T[] => items.filter((item): item is T => !isGap(item));
  return {
    handle,
    items,
    done,
    data,
    gaps: () => items.filter(isGap),
    dataAfterGap: (what, timeoutMs) =>
      eventually(
        () => {
          const lastGap = items.findLastIndex((item) => isGap(item));
          return lastGap >= 0 && items.slice(lastGap + 1).some((item) => !isGap(item));
        },
        what,
        timeoutMs,
      ),
    moreData(count, what, timeoutMs) {
      const target = data().length + count;
      return eventually(() => data().length >= target, what, timeoutMs);
    },
  };
}

/** Every client frame the simulator recorded, over every connection it remembers. */
export function clientFrames(simulator: GatewaySimulator): ClientFrameRecord[] {
  return simulator.connections.flatMap((connection) => connection.frames);
}

/** Frames that carried a subscribe intent. */
export function subscribeFrames(simulator: GatewaySimulator): ClientFrameRecord[] {
  return clientFrames(simulator).filter((frame) => 'op' in frame.command && frame.command.op === 'subscribe');
}

/** Resolves once an open socket of the simulator has handled a client frame starting with `prefix` (e.g. `sor`). */
export function openSocketHolds(simulator: GatewaySimulator, prefix: string): Promise<void> {
  return eventually(
    () =>
      simulator.connections.some(
        (connection) =>
          connection.closedAt === undefined &&
          connection.frames.some((frame) => frame.text.startsWith(prefix) && frame.outcome === 'handled'),
      ),
    `an open socket holding ${prefix}`,
  );
}
