/**
 * The OAuth `authorize` actor's answer as the statechart reads it (docs/OAUTH.md): pure helpers for its guards and
 * for the reasons it records.
 */
import type { Authorization } from '../src/protocol/authorization.js';

/** The output of a finished `authorize` (guards see the done event through the machine's event union). */
export function authorizationOf(event: unknown): Authorization {
  return (event as { output: Authorization }).output;
}

export function problemOf(output: Authorization): string {
  return output.kind === 'rejected' ? output.problem : 'unavailable';
}

/** Why a background renewal left `ready`: refused (`authorization-<problem>`) or not reachable. */
export function authorizationLeavingReason(event: unknown): string {
  return `authorization-${problemOf(authorizationOf(event))}`;
}
