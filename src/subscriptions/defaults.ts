/**
 * Every default of the subscription layer, in one place, each with the reason it has that value. docs/SUBSCRIPTIONS.md
 * lists them too. Section numbers point into docs/PROTOCOL.md.
 */
import { IbkrWsError } from '../errors.js';
import type { BufferSetting, OverflowPolicy, StreamKind, SubscriptionOptions } from './types.js';

export const SUBSCRIPTION_DEFAULTS = {
  /** `smd` snapshots come every 500 ms and `spl`/`ssd`/`sld` answer at once (§4.2, §4.6, §4.8): 5 s is ten cadences. */
  ackTimeoutMs: 5_000,
  /** Three re-sends (20 s in all) outlast a dropped frame or a slow farm; then `failed` says so instead of waiting on. */
  retries: 3,
  /** The default market data lines of a username (§4.2, §4.12); the gateway refuses the 101st silently or with an error. */
  marketDataLines: 100,
  /** "Max 5 concurrent" historical-data requests (§4.3). */
  maxHistoryStreams: 5,
  /** IBKR ends `smd` streams after 15 min (§4.2); silence that long means the refresh was lost, so re-request. */
  marketDataExpiryMs: 15 * 60_000,
  /**
   * A paused socket reads no heartbeats either: hold it at most 5 s, a fraction of the 25 s heartbeat timeout, so
   * a stuck consumer can never make the liveness watch declare a healthy socket dead. Keep it below half of
   * `timing.heartbeatTimeoutMs` when you shorten that.
   */
  maxPauseMs: 5_000,
  /** Raw commands sent while not authenticated wait here; 100 is far more than any app sends during an outage. */
  commandQueueSize: 100,
} as const;

/**
 * Buffers per consumer kind. Snapshots (a quote, a ladder, P&L, summary, ledger) drop the oldest: the newest item
 * supersedes it. Events (orders, trades, and raw messages whose meaning we do not know) are never dropped while the
 * consumer keeps up: they use backpressure.
 */
export const BUFFER_DEFAULTS: Readonly<Record<StreamKind, Required<BufferSetting>>> = {
  /** A quote is a full snapshot: 16 absorbs a burst (8 s at 500 ms) without letting a slow consumer fall behind. */
  marketData: { size: 16, overflow: 'drop-oldest' },
  /** Ladders are full snapshots every 500 ms, like quotes. */
  book: { size: 16, overflow: 'drop-oldest' },
  /** P&L at most once a second (§4.6); each message is the whole row. */
  pnl: { size: 16, overflow: 'drop-oldest' },
  /** Every 10 s (§4.8); each message is a full list. */
  accountSummary: { size: 16, overflow: 'drop-oldest' },
  /** Every 10 s (§4.8); unchanged currencies come "blank", so keep more of them. */
  ledger: { size: 64, overflow: 'drop-oldest' },
  /** One response per request (§4.3); the extra slot holds a gap marker. */
  history: { size: 4, overflow: 'drop-oldest' },
  /** Order updates carry only changed fields (§4.5): losing one corrupts the order's state, so never drop. */
  orders: { size: 1_000, overflow: 'backpressure' },
  /** An execution lost is a fill lost (IbkrConduit ADR-0002, https://github.com/cquillen/ibkr-conduit/tree/main/docs/adr): never drop. */
  trades: { size: 1_000, overflow: 'backpressure' },
  /** Unknown meaning: be conservative. */
  raw: { size: 1_000, overflow: 'backpressure' },
};

export interface ResolvedSubscriptionOptions {
  readonly ackTimeoutMs: number;
  readonly retries: number;
  readonly marketDataLines: number;
  readonly maxHistoryStreams: number;
  readonly marketDataExpiryMs: number;
  readonly maxPauseMs: number;
  readonly commandQueueSize: number;
  readonly buffers: Readonly<Record<StreamKind, Required<BufferSetting>>>;
}

const POSITIVE_INTEGERS = [
  'ackTimeoutMs',
  'marketDataLines',
  'maxHistoryStreams',
  'marketDataExpiryMs',
  'maxPauseMs',
  'commandQueueSize',
] as const;

export function resolveSubscriptionOptions(options: SubscriptionOptions = {}): ResolvedSubscriptionOptions {
  const resolved = { ...SUBSCRIPTION_DEFAULTS } as { -readonly [K in keyof typeof SUBSCRIPTION_DEFAULTS]: number };
  for (const key of [...POSITIVE_INTEGERS, 'retries'] as const) {
    const value = options[key];
    if (value !== undefined) resolved[key] = value;
  }
  for (const key of POSITIVE_INTEGERS) requirePositiveInteger(`subscriptions.${key}`, resolved[key]);
  requireNonNegativeInteger('subscriptions.retries', resolved.retries);
  const buffers = { ...BUFFER_DEFAULTS };
  for (const [kind, setting] of Object.entries(options.buffers ?? {}) as Array<
    [StreamKind, BufferSetting | undefined]
  >) {
    if (!(kind in BUFFER_DEFAULTS))
      throw new IbkrWsError('invalid-option', `subscriptions.buffers.${kind}: unknown stream kind`, {
        option: `subscriptions.buffers.${kind}`,
      });
    buffers[kind] = resolveBuffer(`subscriptions.buffers.${kind}`, BUFFER_DEFAULTS[kind], setting);
  }
  return { ...resolved, buffers };
}

/** A per-call `bufferSize`/`overflow` over the client-wide setting. */
export function resolveBuffer(
  name: string,
  base: Required<BufferSetting>,
  setting: BufferSetting | undefined,
): Required<BufferSetting> {
  const size = setting?.size ?? base.size;
  const overflow = setting?.overflow ?? base.overflow;
  requirePositiveInteger(`${name}.size`, size);
  requireOverflowPolicy(`${name}.overflow`, overflow);
  return { size, overflow };
}

export function requirePositiveInteger(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new IbkrWsError('invalid-option', `${name} must be a positive integer, got ${String(value)}`, {
      option: name,
    });
  }
}

export function requireNonNegativeInteger(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new IbkrWsError('invalid-option', `${name} must be a non-negative integer, got ${String(value)}`, {
      option: name,
    });
  }
}

function requireOverflowPolicy(name: string, value: unknown): asserts value is OverflowPolicy {
  if (value !== 'drop-oldest' && value !== 'backpressure') {
    throw new IbkrWsError('invalid-option', `${name} must be 'drop-oldest' or 'backpressure', got ${String(value)}`, {
      option: name,
    });
  }
}
