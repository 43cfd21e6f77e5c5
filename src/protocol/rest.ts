/**
 * What a REST answer of the gateway says, as plain facts. Pure: the HTTP adapter feeds it status + parsed body.
 * Shapes and their sources: PROTOCOL.md §1.2–1.7 and test/fixtures/protocol/rest/.
 */

export interface TickleFacts {
  /** The gateway holds a logged-in session; `false` for a 401 or `{"error":"no session"}`. Undefined when unknown. */
  readonly loggedIn?: boolean;
  readonly sessionPresent: boolean;
  /** The session value: a secret; the adapter wraps it in a `Secret` at once. */
  readonly session?: string;
  readonly ssoExpiresMs?: number;
  readonly authenticated?: boolean;
  readonly competing?: boolean;
  readonly connected?: boolean;
  readonly established?: boolean;
  readonly fail?: string;
  readonly message?: string;
  /** A 5xx: retry later; says nothing about the login. */
  readonly unavailable?: boolean;
  readonly error?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const BROKERAGE_FLAGS = ['authenticated', 'competing', 'connected', 'established'] as const;
const BROKERAGE_TEXTS = ['fail', 'message'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The brokerage status block: `iserver.authStatus` in a tickle, the top level of `/iserver/auth/status`. */
export function brokerageFacts(status: unknown): Partial<Pick<TickleFacts, 'authenticated' | 'competing' | 'connected' | 'established' | 'fail' | 'message'>> {
  const facts: Mutable<Partial<TickleFacts>> = {};
  if (!isObject(status)) return facts;
  for (const flag of BROKERAGE_FLAGS) if (typeof status[flag] === 'boolean') facts[flag] = status[flag] as boolean;
  for (const text of BROKERAGE_TEXTS) if (typeof status[text] === 'string') facts[text] = status[text] as string;
  return facts;
}

export function interpretTickle(status: number, body: unknown): TickleFacts {
  if (status === 401 || status === 403) return { loggedIn: false, sessionPresent: false };
  if (status >= 500) return { sessionPresent: false, unavailable: true };
  const facts: Mutable<TickleFacts> = { sessionPresent: false };
  if (!isObject(body)) return facts;
  if (typeof body['error'] === 'string') {
    facts.error = body['error'];
    // IBeam treats a 2xx `{"error":"no session"}` as "nobody is logged in" (PROTOCOL.md §1.2).
    if (body['error'] === 'no session') facts.loggedIn = false;
  }
  if (typeof body['session'] === 'string' && body['session'] !== '') {
    facts.sessionPresent = true;
    facts.session = body['session'];
    facts.loggedIn = true;
  }
  if (typeof body['ssoExpires'] === 'number' && Number.isFinite(body['ssoExpires'])) facts.ssoExpiresMs = body['ssoExpires'];
  const iserver = body['iserver'];
  if (isObject(iserver)) Object.assign(facts, brokerageFacts(iserver['authStatus']));
  return facts;
}
