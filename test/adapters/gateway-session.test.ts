/**
 * GatewaySession, the `checkSession` actor over HTTP, against a fake transport (a table of answers per path, and the
 * requests it saw): every tickle status maps to one SessionCheck, pre-flights happen once per session value, and
 * `/iserver/reauthenticate` is asked only when it can help.
 */
import { describe, expect, it } from 'vitest';
import { GatewaySession, type GatewayHttp } from '../../src/adapters/gateway-session.js';
import type { HttpOutcome } from '../../src/adapters/http-transport.js';
import { IbkrWsError } from '../../src/errors.js';
import type { SessionCheck } from '../../src/protocol/session.js';

const SESSION = '0123456789abcdef0123456789abcdef';
const ROTATED = 'fedcba9876543210fedcba9876543210';

const json = (status: number, value: unknown): HttpOutcome => ({
  kind: 'response',
  status,
  body: { format: 'json', value },
});
const text = (status: number, value: string): HttpOutcome => ({
  kind: 'response',
  status,
  body: { format: 'text', value },
});
const failure = (code: 'timeout' | 'network' | 'gateway-bad-response' | 'tls-certificate'): HttpOutcome => ({
  kind: 'failure',
  error: new IbkrWsError(code, `fake ${code}`),
});
const tickle = (authStatus: Record<string, unknown>, session = SESSION): HttpOutcome =>
  json(200, { session, ssoExpires: 500_000, iserver: { authStatus } });

/** Answers by `METHOD path`; the last answer for a path repeats. Records every request. */
class FakeHttp implements GatewayHttp {
  readonly requests: string[] = [];
  readonly #answers = new Map<string, HttpOutcome[]>();

  answer(request: string, ...outcomes: HttpOutcome[]): this {
    this.#answers.set(request, outcomes);
    return this;
  }

  async send(method: 'GET' | 'POST', path: string): Promise<HttpOutcome> {
    const request = `${method} ${path}`;
    this.requests.push(request);
    const queue = this.#answers.get(request);
    if (queue === undefined || queue.length === 0) return json(404, { error: 'not faked' });
    return queue.length > 1 ? queue.shift()! : queue[0]!;
  }
}

function sessionOver(http: FakeHttp, wantsOrders = false) {
  const errors: IbkrWsError[] = [];
  const session = new GatewaySession(http, { onError: (error) => errors.push(error), wantsOrders: () => wantsOrders });
  return { session, errors };
}

/** The check without its Secret: comparable with toEqual. */
function plain(check: SessionCheck): Record<string, unknown> {
  return check.kind === 'authenticated' ? { ...check, session: check.session.reveal() } : { ...check };
}

const TICKLE = 'POST /v1/api/tickle';

describe('the tickle status → SessionCheck table', () => {
  it.each<[string, HttpOutcome, Record<string, unknown>, string[]]>([
    [
      'authenticated',
      tickle({ authenticated: true, competing: false, connected: true, established: true }),
      { kind: 'authenticated', session: SESSION, competing: false, established: true, ssoExpiresMs: 500_000 },
      [],
    ],
    [
      'authenticated but competing',
      tickle({ authenticated: true, competing: true, connected: true }),
      { kind: 'authenticated', session: SESSION, competing: true, ssoExpiresMs: 500_000 },
      [],
    ],
    [
      'brokerage not authenticated',
      tickle({ authenticated: false, competing: false, connected: true }),
      { kind: 'login-required', reason: 'not-authenticated', loggedIn: true, competing: false, status: 200 },
      [],
    ],
    [
      'competing session',
      tickle({ authenticated: false, competing: true, connected: true }),
      { kind: 'login-required', reason: 'competing', loggedIn: true, competing: true, status: 200 },
      [],
    ],
    [
      'HTTP 401',
      json(401, { error: 'not logged in' }),
      { kind: 'login-required', reason: 'logged-out', loggedIn: false, competing: false, status: 401 },
      [],
    ],
    [
      'HTTP 403',
      json(403, {}),
      { kind: 'login-required', reason: 'logged-out', loggedIn: false, competing: false, status: 403 },
      [],
    ],
    [
      'no session',
      json(200, { error: 'no session' }),
      { kind: 'login-required', reason: 'no-session', loggedIn: false, competing: false, status: 200 },
      [],
    ],
    [
      'HTTP 429',
      json(429, {}),
      { kind: 'unavailable', reason: 'rate-limited', status: 429, message: 'tickle rate-limited (HTTP 429)' },
      ['rate-limited'],
    ],
    [
      'HTTP 503',
      json(503, {}),
      { kind: 'unavailable', reason: 'server-error', status: 503, message: 'tickle answered HTTP 503' },
      ['gateway-unavailable'],
    ],
    [
      'a non-JSON body',
      text(200, '<html>'),
      {
        kind: 'unavailable',
        reason: 'bad-response',
        status: 200,
        message: 'unexpected tickle answer: HTTP 200, text body',
      },
      ['gateway-bad-response'],
    ],
    [
      'JSON without a session value',
      json(200, { iserver: {} }),
      { kind: 'unavailable', reason: 'bad-response', status: 200, message: 'tickle carried no session value' },
      ['gateway-bad-response'],
    ],
    ['a timeout', failure('timeout'), { kind: 'unavailable', reason: 'timeout', message: 'fake timeout' }, ['timeout']],
    [
      'a network failure',
      failure('network'),
      { kind: 'unavailable', reason: 'network', message: 'fake network' },
      ['network'],
    ],
    [
      'an oversized or broken body',
      failure('gateway-bad-response'),
      { kind: 'unavailable', reason: 'bad-response', message: 'fake gateway-bad-response' },
      ['gateway-bad-response'],
    ],
    [
      'a certificate that does not match',
      failure('tls-certificate'),
      { kind: 'unavailable', reason: 'network', message: 'fake tls-certificate' },
      ['tls-certificate'],
    ],
  ])('%s', async (_, answer, expected, errorCodes) => {
    const http = new FakeHttp().answer(TICKLE, answer);
    const { session, errors } = sessionOver(http);
    expect(plain(await session.check({ purpose: 'keep-alive', reauthenticate: false }))).toEqual(expected);
    expect(errors.map((error) => error.code)).toEqual(errorCodes);
    expect(http.requests).toEqual([TICKLE]);
  });
});

describe('pre-flights and reauthentication', () => {
  const authenticated = tickle({ authenticated: true, competing: false, connected: true });

  it('a connect check queries /iserver/accounts once per session value, and again after it rotated', async () => {
    const http = new FakeHttp()
      .answer(TICKLE, authenticated, authenticated, tickle({ authenticated: true }, ROTATED))
      .answer('GET /v1/api/iserver/accounts', json(200, { accounts: ['DU1'] }));
    const { session } = sessionOver(http);
    await session.check({ purpose: 'connect', reauthenticate: false });
    await session.check({ purpose: 'connect', reauthenticate: false });
    await session.check({ purpose: 'connect', reauthenticate: false });
    expect(http.requests).toEqual([
      TICKLE,
      'GET /v1/api/iserver/accounts',
      TICKLE,
      TICKLE,
      'GET /v1/api/iserver/accounts',
    ]);
  });

  it('a keep-alive check makes no pre-flight at all', async () => {
    const http = new FakeHttp().answer(TICKLE, authenticated);
    await sessionOver(http, true).session.check({ purpose: 'keep-alive', reauthenticate: false });
    expect(http.requests).toEqual([TICKLE]);
  });

  it("queries the day's orders on connect when orders are wanted, and counts that as done for this session", async () => {
    const http = new FakeHttp()
      .answer(TICKLE, authenticated)
      .answer('GET /v1/api/iserver/accounts', json(200, { accounts: ['DU1'] }))
      .answer('GET /v1/api/iserver/account/orders', json(200, { orders: [] }));
    const { session } = sessionOver(http, true);
    expect(session.ordersPreflighted).toBe(false);
    await session.check({ purpose: 'connect', reauthenticate: false });
    expect(session.ordersPreflighted).toBe(true);
    await session.preflightOrders();
    expect(http.requests.filter((request) => request.endsWith('/orders'))).toHaveLength(1);
  });

  it('reports an orders pre-flight that is not answered 200, and tries it again next time', async () => {
    const http = new FakeHttp()
      .answer(TICKLE, authenticated)
      .answer('GET /v1/api/iserver/accounts', json(200, {}))
      .answer('GET /v1/api/iserver/account/orders', json(500, {}), json(200, {}));
    const { session, errors } = sessionOver(http, true);
    await session.check({ purpose: 'connect', reauthenticate: false });
    expect(errors.map((error) => error.code)).toEqual(['gateway-bad-response']);
    expect(session.ordersPreflighted).toBe(false);
    await session.preflightOrders();
    expect(session.ordersPreflighted).toBe(true);
  });

  it('asks /iserver/reauthenticate when logged in but not authenticated, and never while a session competes', async () => {
    const http = new FakeHttp()
      .answer(
        TICKLE,
        tickle({ authenticated: false, competing: false }),
        tickle({ authenticated: false, competing: true }),
      )
      .answer('POST /v1/api/iserver/reauthenticate', json(200, { message: 'triggered' }));
    const { session } = sessionOver(http);
    await session.check({ purpose: 'login-poll', reauthenticate: true });
    await session.check({ purpose: 'login-poll', reauthenticate: true });
    expect(http.requests).toEqual([TICKLE, 'POST /v1/api/iserver/reauthenticate', TICKLE]);
  });

  it('does not reauthenticate when the machine does not ask for it', async () => {
    const http = new FakeHttp().answer(TICKLE, tickle({ authenticated: false, competing: false }));
    await sessionOver(http).session.check({ purpose: 'login-poll', reauthenticate: false });
    expect(http.requests).toEqual([TICKLE]);
  });
});
