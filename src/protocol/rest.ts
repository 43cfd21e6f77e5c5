/**
 * Pure interpretation of the gateway's tickle answer into facts (docs/PROTOCOL.md §1.2): what the HTTP adapter decides
 * with. (The fixture corpus's facts for every other endpoint are test support: test/protocol/support/rest-facts.ts.)
 *
 * A fact is reported only when the answer decides it: a 5xx says nothing about the login, a failed tickle
 * (`{"error":"failed to process request"}`) nothing about the session, and `ssoExpires: 0` next to a session value
 * leaves open whether the SSO session is alive (docs/PROTOCOL.md §1.2: "0 when not authenticated").
 */
import type { JsonObject } from './types.js';

/** What one `/v1/api/tickle` answer says. `session` is the secret that authenticates a socket: never log it. */
export interface TickleFacts {
  /** The gateway holds a logged-in session. Absent when the answer does not decide it. */
  loggedIn?: boolean;
  sessionPresent: boolean;
  session?: string;
  /** Milliseconds until the SSO session expires (`ssoExpires`). */
  ssoExpiresMs?: number;
  authenticated?: boolean;
  competing?: boolean;
  connected?: boolean;
  established?: boolean;
  fail?: string;
  message?: string;
  /** A 5xx: retry later. */
  unavailable?: boolean;
  /** The body's `error` text. */
  error?: string;
}

/** The brokerage status keys of `iserver.authStatus` (tickle) and of `/iserver/auth/status`. */
type BrokerageFacts = Pick<
  TickleFacts,
  'authenticated' | 'competing' | 'connected' | 'established' | 'fail' | 'message'
>;

const NO_SESSION = 'no session';

export function interpretTickle(status: number, body: unknown): TickleFacts {
  if (status === 401 || status === 403) return { loggedIn: false, sessionPresent: false };
  if (status >= 500) return { unavailable: true, sessionPresent: false };
  const object = asObject(body);
  if (object === undefined) return { sessionPresent: false };
  const facts: TickleFacts = { sessionPresent: false };
  const error = stringOf(object, 'error');
  if (error !== undefined) {
    facts.error = error;
    if (error === NO_SESSION) facts.loggedIn = false;
  }
  const session = stringOf(object, 'session');
  if (session !== undefined && session !== '') {
    facts.sessionPresent = true;
    facts.session = session;
  }
  const ssoExpires = valueOf(object, 'ssoExpires');
  if (typeof ssoExpires === 'number' && Number.isFinite(ssoExpires) && ssoExpires >= 0) facts.ssoExpiresMs = ssoExpires;
  // A session value is a login, unless the SSO countdown already reads 0.
  if (facts.sessionPresent && facts.ssoExpiresMs !== 0) facts.loggedIn = true;
  const iserver = asObject(valueOf(object, 'iserver'));
  const brokerage = brokerageStatus(asObject(iserver === undefined ? undefined : valueOf(iserver, 'authStatus')));
  return { ...facts, ...brokerage };
}

function brokerageStatus(status: JsonObject | undefined): BrokerageFacts {
  const facts: BrokerageFacts = {};
  if (status === undefined) return facts;
  for (const key of ['authenticated', 'competing', 'connected', 'established'] as const) {
    const value = valueOf(status, key);
    if (typeof value === 'boolean') facts[key] = value;
  }
  for (const key of ['fail', 'message'] as const) {
    const value = stringOf(status, key);
    if (value !== undefined) facts[key] = value;
  }
  return facts;
}

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** Own properties only: REST bodies are parsed JSON too, and `__proto__` may be one of their keys. */
function valueOf(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function stringOf(object: JsonObject, key: string): string | undefined {
  const value = valueOf(object, key);
  return typeof value === 'string' ? value : undefined;
}
