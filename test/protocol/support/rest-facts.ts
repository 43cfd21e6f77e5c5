/**
 * The facts of every documented REST answer, keyed as in the fixture corpus (test/fixtures/protocol/rest/*.json): test
 * support, so the corpus is checked against one reading of each endpoint. The client itself decides from the tickle
 * alone (src/protocol/rest.ts `interpretTickle`), which this reuses for the tickle and the brokerage status.
 */
import { interpretTickle } from '../../../src/protocol/rest.js';
import type { JsonObject } from '../../../src/protocol/types.js';

const NOT_LOGGED_IN = 'not logged in';
const INIT_SESSION_FIRST = 'Init session first';
const ACCESS_DENIED = 'Access Denied';
/** The gateway's own logout handler answers `\nClient logout succeeded\n` (docs/PROTOCOL.md §1.5). */
const LOGOUT_SUCCEEDED = /logout succeeded/i;
const FIELD_ID = /^\d+(_raw)?$/;

/**
 * The facts of one REST answer, keyed as in the fixture corpus. `endpoint` is `"METHOD /path"` (the method is not
 * needed: the gateway answers several paths to any method); `status` is null when unknown.
 */
export function interpretRestResponse(endpoint: string, status: number | null, body: unknown): Record<string, unknown> {
  const path = pathOf(endpoint);
  if (status === 404) return notFound(body);
  if (status !== null && status >= 500)
    return path === '/v1/api/tickle' ? { unavailable: true, session_present: false } : { unavailable: true };
  switch (path) {
    case '/v1/api/tickle':
      return tickleFacts(status, body);
    case '/v1/api/iserver/auth/status':
      return authStatus(status, body);
    case '/v1/api/iserver/reauthenticate':
      return reauthenticate(status, body);
    case '/v1/api/logout':
      return logout(status, body);
    case '/v1/api/sso/validate':
      return ssoValidate(status, body);
    case '/v1/api/iserver/accounts':
      return accounts(status, body);
    case '/v1/api/iserver/marketdata/unsubscribe':
      return flag(body, 'success', 'success');
    case '/v1/api/iserver/marketdata/unsubscribeall':
      return flag(body, 'unsubscribed', 'unsubscribed');
    case '/v1/api/iserver/marketdata/snapshot':
      return snapshot(body);
    default:
      return generic(path, status, body);
  }
}

function tickleFacts(status: number | null, body: unknown): Record<string, unknown> {
  const facts = interpretTickle(status ?? 200, body);
  return compact({
    logged_in: facts.loggedIn,
    session_present: facts.sessionPresent,
    session: facts.session,
    ssoExpires: facts.ssoExpiresMs,
    authenticated: facts.authenticated,
    competing: facts.competing,
    connected: facts.connected,
    established: facts.established,
    fail: facts.fail,
    message: facts.message,
    unavailable: facts.unavailable,
    error: facts.error,
  });
}

/** `/iserver/auth/status`: the brokerage status at the top level; a 401 means no (outer) session at all. */
function authStatus(status: number | null, body: unknown): Record<string, unknown> {
  if (status === 401) return { logged_in: false, authenticated: false };
  const object = asObject(body);
  return compact({ ...brokerageStatus(object), error: object === undefined ? undefined : stringOf(object, 'error') });
}

/** Handled by the gateway itself: `{"message":"triggered"}` or `{"error":"not logged in"}` (docs/PROTOCOL.md §1.4). */
function reauthenticate(status: number | null, body: unknown): Record<string, unknown> {
  if (status === 401) return { triggered: false, logged_in: false };
  const object = asObject(body);
  if (object === undefined) return {};
  if (valueOf(object, 'message') === 'triggered') return { triggered: true, logged_in: true };
  const error = stringOf(object, 'error');
  if (error === undefined) return {};
  return error === NOT_LOGGED_IN ? { triggered: false, logged_in: false, error } : { triggered: false, error };
}

/** `{"status":true}` (OAPI), `{"confirmed":…}` (older swagger; project decision) or the gateway's plain text. */
function logout(status: number | null, body: unknown): Record<string, unknown> {
  if (status !== null && status !== 200) return {};
  if (typeof body === 'string') return LOGOUT_SUCCEEDED.test(body) ? { logged_out: true, text: body } : { text: body };
  const object = asObject(body);
  if (object === undefined) return {};
  const loggedOut = valueOf(object, 'status');
  if (typeof loggedOut === 'boolean') return { logged_out: loggedOut };
  if (typeof valueOf(object, 'confirmed') === 'boolean') return { logged_out: true };
  return {};
}

/** `RESULT`, `EXPIRES` (ms), `LOGIN_TYPE` (1 live, 2 paper), `USER_NAME`; a 401 is an invalid or expired session. */
function ssoValidate(status: number | null, body: unknown): Record<string, unknown> {
  if (status === 401) return { sso_valid: false, logged_in: false };
  const object = asObject(body);
  if (object === undefined) return {};
  const result = valueOf(object, 'RESULT');
  const expires = valueOf(object, 'EXPIRES');
  const loginType = valueOf(object, 'LOGIN_TYPE');
  return compact({
    sso_valid: typeof result === 'boolean' ? result : undefined,
    expires_ms: typeof expires === 'number' && Number.isFinite(expires) ? expires : undefined,
    login_type: loginType === 1 || loginType === 2 ? loginType : undefined,
    user_name: stringOf(object, 'USER_NAME'),
  });
}

/** `/iserver/accounts`: a 400 ("no bridge", "Init session first") means the brokerage session is not started. */
function accounts(status: number | null, body: unknown): Record<string, unknown> {
  const object = asObject(body);
  const error = object === undefined ? undefined : stringOf(object, 'error');
  if (status === 400 || error === INIT_SESSION_FIRST) return compact({ brokerage_ready: false, error });
  if (object === undefined) return {};
  const accountList = valueOf(object, 'accounts');
  const isPaper = valueOf(object, 'isPaper');
  const isFT = valueOf(object, 'isFT');
  return compact({
    accounts:
      Array.isArray(accountList) && accountList.every((item) => typeof item === 'string') ? accountList : undefined,
    selectedAccount: stringOf(object, 'selectedAccount'),
    isPaper: typeof isPaper === 'boolean' ? isPaper : undefined,
    isFT: typeof isFT === 'boolean' ? isFT : undefined,
    error,
  });
}

/** The snapshot pre-flight: the first call opens the streams and carries no field values (docs/PROTOCOL.md §6). */
function snapshot(body: unknown): Record<string, unknown> {
  if (!Array.isArray(body)) return {};
  const conids: unknown[] = [];
  let hasValues = false;
  for (const entry of body) {
    const object = asObject(entry);
    conids.push(object === undefined ? null : (valueOf(object, 'conid') ?? null));
    if (object !== undefined && Object.keys(object).some((key) => FIELD_ID.test(key))) hasValues = true;
  }
  return { conids, has_values: hasValues };
}

/** A gateway 404: `Access Denied` when the caller's IP is not allowed (conf.yaml `ips.allow`), else an unknown path. */
function notFound(body: unknown): Record<string, unknown> {
  if (typeof body !== 'string') return { access_denied: false };
  return { access_denied: body.trim() === ACCESS_DENIED, text: body };
}

/** Any other path: a 401 is no login; under `/iserver`, a 400 or "Init session first" is no brokerage session. */
function generic(path: string, status: number | null, body: unknown): Record<string, unknown> {
  const object = asObject(body);
  const error = object === undefined ? undefined : stringOf(object, 'error');
  const iserver = path.startsWith('/v1/api/iserver/');
  return compact({
    logged_in: status === 401 ? false : undefined,
    brokerage_ready: iserver && (status === 400 || error === INIT_SESSION_FIRST) ? false : undefined,
    error,
  });
}

function flag(body: unknown, key: string, fact: string): Record<string, unknown> {
  const object = asObject(body);
  const value = object === undefined ? undefined : valueOf(object, key);
  return typeof value === 'boolean' ? { [fact]: value } : {};
}

/** The brokerage status keys (`authenticated`, `competing`, …) of an object, read as the tickle's `iserver.authStatus`. */
function brokerageStatus(status: JsonObject | undefined): Record<string, unknown> {
  if (status === undefined) return {};
  const { authenticated, competing, connected, established, fail, message } = interpretTickle(200, {
    iserver: { authStatus: status },
  });
  return compact({ authenticated, competing, connected, established, fail, message });
}

function pathOf(endpoint: string): string {
  const space = endpoint.indexOf(' ');
  const target = space === -1 ? endpoint : endpoint.slice(space + 1);
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function valueOf(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function stringOf(object: JsonObject, key: string): string | undefined {
  const value = valueOf(object, key);
  return typeof value === 'string' ? value : undefined;
}

function compact(facts: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(facts)) if (value !== undefined) result[key] = value;
  return result;
}
