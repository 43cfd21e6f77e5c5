/**
 * The reasons the statechart records when it leaves a state (`lastReason`, shown by the CLI and in state events), and
 * the facts it reads from a session check. Pure functions of events and context.
 */
import type { SessionCheck } from '../src/protocol/session.js';
import type { ConnectionContext, ConnectionEvent } from './connection.types.js';
import { authorizationLeavingReason } from './connection.authorization.js';

/** The output of a finished `checkSession` (guards see the done event through the machine's event union). */
export function checkOf(event: unknown): SessionCheck {
  return (event as { output: SessionCheck }).output;
}

export const closeReason = (code: number): string => `closed-${code}`;
export const socketErrorReason = (code: string): string => `socket-error:${code}`;

/**
 * Why `ready` is being left, for its exit action. XState v5 runs exit actions before the transition's own actions, so
 * `lastReason` still holds the previous reason then: the reason comes from the event that leaves, with the same
 * strings the transitions record. The one exception is the probe timeout, which leaves through `condemned`'s eventless
 * transition after `lastReason` was set in the step before.
 */
export function leavingReason(context: ConnectionContext, event: { type: string }): string {
  const left = event as ConnectionEvent;
  switch (left.type) {
    case 'SOCKET.CLOSED':
      return closeReason(left.code);
    case 'SOCKET.ERROR':
      return socketErrorReason(left.error.code);
    case 'SOCKET.MESSAGE':
      // The only frame that leaves `ready` is the one saying the socket is no longer authenticated.
      return 'auth-lost';
    case 'STOP':
      return 'stop';
    case 'FATAL':
      return left.code;
    default:
      break;
  }
  // OAuth: a background renewal (`renewing`) that ends the socket says why itself.
  if (event.type === 'xstate.done.actor.authorize') return authorizationLeavingReason(event);
  if (event.type === 'xstate.error.actor.authorize') return 'authorization-failed';
  if (event.type.startsWith('xstate.done.actor.')) {
    const check = checkOf(event);
    if (check.kind === 'authorization-required') return 'token-refused';
    return check.kind === 'authenticated' ? 'session-rotated' : 'auth-lost';
  }
  return context.lastReason ?? 'unknown';
}

export function loginFacts(output: SessionCheck): Partial<ConnectionContext> {
  if (output.kind !== 'login-required') return {};
  return {
    competing: output.competing,
    gatewayLoggedIn: output.loggedIn,
    lastReason: `login-required:${output.reason}`,
  };
}

export function loginNotice(output: SessionCheck): { reason: string; competing: boolean } {
  return output.kind === 'login-required'
    ? { reason: output.reason, competing: output.competing }
    : { reason: 'unknown', competing: false };
}

export function unavailableReason(output: SessionCheck): string {
  return output.kind === 'unavailable' ? `gateway-${output.reason}` : 'session-check-failed';
}
