/**
 * What is checked when a consumer subscribes, before anything is recorded or sent: the gateway's limits (a typed
 * error now rather than a silent refusal later, docs/PROTOCOL.md §4.12) and the per-call acknowledgement and expiry settings.
 */
import { IbkrWsError } from '../errors.js';
import { requireNonNegativeInteger, requirePositiveInteger, type ResolvedSubscriptionOptions } from './defaults.js';
import type { Registry } from './registry.js';
import type { MarketDataOptions } from './types.js';
import type { WireRequest } from './wire-requests.js';
import type { AckSettings } from './wire-subscription.js';

/** A new wire subscription must fit: market data lines, concurrent history requests. */
export function checkLimits(request: WireRequest, registry: Registry, options: ResolvedSubscriptionOptions): void {
  if (request.topic === 'smd' && registry.marketDataCount >= options.marketDataLines) {
    throw new IbkrWsError(
      'subscription-limit',
      `smd+${request.conid}: all ${options.marketDataLines} market data lines are in use (subscriptions.marketDataLines); close a stream first`,
    );
  }
  if (request.topic === 'smh' && registry.historyCount >= options.maxHistoryStreams) {
    throw new IbkrWsError(
      'subscription-limit',
      `smh+${request.conid}: ${options.maxHistoryStreams} history requests are already outstanding (the gateway allows 5 at once)`,
    );
  }
}

export function ackSettings(call: MarketDataOptions, options: ResolvedSubscriptionOptions): AckSettings {
  const ackTimeoutMs = call.ackTimeoutMs ?? options.ackTimeoutMs;
  const retries = call.retries ?? options.retries;
  requirePositiveInteger('ackTimeoutMs', ackTimeoutMs);
  requireNonNegativeInteger('retries', retries);
  return { ackTimeoutMs, retries };
}

export function expiryOf(call: MarketDataOptions, options: ResolvedSubscriptionOptions): number {
  const expiryMs = call.expiryMs ?? options.marketDataExpiryMs;
  requirePositiveInteger('expiryMs', expiryMs);
  return expiryMs;
}
