/**
 * Recovery time, fault → data again: from the moment the client stopped being ready (the socket went silent, closed,
 * or the session was lost) to the moment it is ready again — authenticated with every wanted subscription active,
 * which for market data means its first quote on the new socket arrived. Only losses that gave the socket up count:
 * a false alarm (the probe was answered) and a stream that expired on a healthy socket are not recoveries.
 */
import type { HealthTracker } from './health.js';
import type { ObservedClient } from './source.js';

export interface Recovery {
  readonly durationMs: number;
  /** Why the socket was given up: the statechart's reason (`probe-timeout`, `close-1000`, `auth-lost`, …). */
  readonly reason: string;
}

const HOLDS_SOCKET = new Set(['authenticated', 'lingering-detected']);

export function watchRecoveries(
  client: ObservedClient,
  health: HealthTracker,
  onRecovery: (recovery: Recovery) => void,
): void {
  let everReady = false;
  let lostAt: number | undefined;
  let reason: string | undefined;
  health.onChange((change) => {
    if (!change.ready) {
      if (everReady && change.state !== 'stopped') lostAt = change.at;
      return;
    }
    everReady = true;
    if (lostAt !== undefined && reason !== undefined) onRecovery({ durationMs: change.at - lostAt, reason });
    lostAt = undefined;
    reason = undefined;
  });
  client.on('state', (change) => {
    if (lostAt === undefined) return;
    if (change.state === 'stopped' || change.state === 'failed') {
      lostAt = undefined;
      reason = undefined;
    } else if (reason === undefined && !HOLDS_SOCKET.has(change.state)) {
      reason = change.reason ?? change.state;
    }
  });
}
