/**
 * For the demo's output: when a fault touches every stream at once, one line says so instead of one line per
 * instrument — `subscriptions pending (closed-1000): smd+265598, smd+8314, …` and one `gap` line. Changes made in the
 * same turn of the event loop (the hub reports them together) are grouped; a microtask flushes them, so no timer is
 * left behind.
 */
import type { Reporter } from '../reporter.js';

export interface SubscriptionLineGrouper {
  subscription(key: string, status: string, reason?: string): void;
  gap(key: string, reason: string): void;
  /** Emits whatever is pending now. */
  flush(): void;
}

export function groupSubscriptionLines(emit: (line: string) => void): SubscriptionLineGrouper {
  const statuses = new Map<string, string[]>();
  const gaps = new Map<string, string[]>();
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    for (const [group, keys] of statuses) {
      const [status, reason] = JSON.parse(group) as [string, string | null];
      emit(`subscription${keys.length > 1 ? 's' : ''} ${status}${reason ? ` (${reason})` : ''}: ${keys.join(', ')}`);
    }
    for (const [reason, keys] of gaps) emit(`gap: data may be missing on ${keys.join(', ')} (${reason})`);
    statuses.clear();
    gaps.clear();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(flush);
  };

  return {
    subscription(key, status, reason) {
      const group = JSON.stringify([status, reason ?? null]);
      statuses.set(group, [...(statuses.get(group) ?? []), key]);
      schedule();
    },
    gap(key, reason) {
      gaps.set(reason, [...(gaps.get(reason) ?? []), key]);
      schedule();
    },
    flush,
  };
}

/** A line reporter whose subscription and gap lines are grouped. */
export function withGroupedSubscriptions(reporter: Reporter): Reporter {
  const grouper = groupSubscriptionLines((line) => reporter.note(line));
  return {
    ...reporter,
    subscription: grouper.subscription,
    gap: grouper.gap,
    close() {
      grouper.flush();
      reporter.close();
    },
  };
}
