/**
 * The gateway's REST side that keeps a session alive (§1, §7.1–§7.3). Every `/v1/api/*` request keeps the brokerage
 * session from idling out; a logged-out gateway answers 401 (reauthenticate: `{"error":"not logged in"}`); the
 * maintenance window answers 503; unknown paths 404 `Unknown path` (§1.7). Methods are not enforced: the spec says
 * POST where the gateway itself uses GET (§1.2, §1.3), and both work against the real one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { GatewayFaults } from './faults.js';
import { accountsBody, brokerageStatusBody, ssoValidateBody, tickleBody } from './gateway-payloads.js';
import type { GatewayState } from './gateway-state.js';
import type { ResolvedSimulatorOptions } from './options.js';
import type { OAuthRestGate } from './oauth/oauth-rest-gate.js';
import type { MarketDataLines } from './topics/market-data-lines.js';
import type { TrafficRecord } from './traffic-record.js';

export interface RestContext {
  readonly options: ResolvedSimulatorOptions;
  readonly state: GatewayState;
  readonly faults: GatewayFaults;
  readonly record: TrafficRecord;
  readonly marketDataLines: MarketDataLines;
  /** OAuth mode's front (User-Agent, signatures, the LST endpoint, the brokerage gate); undefined for the gateway. */
  readonly oauth: OAuthRestGate | undefined;
  /** Stops the market-data streams of `conid` (all when undefined) on every socket. */
  stopMarketData(conid?: number): void;
}

interface Reply {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Record<string, string | string[]>;
}

type Route = (context: RestContext, body: string) => Reply;

const UNKNOWN_PATH: Reply = { status: 404, text: 'Unknown path' };
/** 401/503 bodies are undocumented (fixtures: "tests must decide on the status alone"): send none. */
const UNAUTHORIZED: Reply = { status: 401 };
const UNAVAILABLE: Reply = { status: 503 };
/** The largest request body read (the only one used, `{"conid":…}`, is a few bytes). */
const MAX_BODY_BYTES = 64 * 1024;

const ROUTES: Readonly<Record<string, Route>> = {
  '/tickle': tickle,
  '/iserver/auth/status': (context) =>
    context.state.loggedIn ? { status: 200, json: brokerageStatusBody(context.state.brokerage) } : UNAUTHORIZED,
  '/iserver/reauthenticate': (context) =>
    context.state.reauthenticate() === 'triggered'
      ? { status: 200, json: { message: 'triggered' } }
      : { status: 200, json: { error: 'not logged in' } },
  '/sso/validate': (context) => {
    const { state, options } = context;
    if (!state.loggedIn) return UNAUTHORIZED;
    const now = Date.now();
    return { status: 200, json: ssoValidateBody(options, state.ssoExpiresMs(now), state.loginAt, now) };
  },
  '/logout': (context) => {
    if (!context.state.loggedIn) return UNAUTHORIZED;
    context.state.logout();
    return { status: 200, json: { status: true } };
  },
  '/iserver/accounts': (context) =>
    brokerageRoute(context, () => ({ status: 200, json: accountsBody(context.options) })),
  // The day's orders; IBKR asks for this query before `sor` (§6). The simulator's orders live on each socket's `sor`
  // stream, so the REST view is the empty day a fresh paper account has.
  '/iserver/account/orders': (context) =>
    brokerageRoute(context, () => ({ status: 200, json: { orders: [], snapshot: true } })),
  '/iserver/marketdata/unsubscribeall': (context) =>
    brokerageRoute(context, () => {
      context.marketDataLines.releaseAll();
      context.stopMarketData();
      return { status: 200, json: { unsubscribed: true } };
    }),
  '/iserver/marketdata/unsubscribe': (context, body) =>
    brokerageRoute(context, () => {
      const conid = readConid(body);
      if (conid === undefined) return { status: 400, json: { error: 'conid is required', statusCode: 400 } };
      context.marketDataLines.release(String(conid));
      context.stopMarketData(conid);
      return { status: 200, json: { success: true } };
    }),
};

export function handleRestRequest(request: IncomingMessage, response: ServerResponse, context: RestContext): void {
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  request.on('end', () => {
    const reply = route(request, Buffer.concat(chunks).toString('utf8'), context);
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    writeReply(response, reply);
    context.record.emit('rest-request', { method: request.method ?? 'GET', path, status: reply.status });
  });
  request.on('error', () => response.destroy());
}

function route(request: IncomingMessage, body: string, context: RestContext): Reply {
  context.record.counters.restRequests += 1;
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  // `/v1/portal/…` is the gateway's older prefix for the same services (IBEAM calls /v1/portal/iserver/reauthenticate, §1.4).
  const prefix = ['/v1/api', '/v1/portal'].find((candidate) => path.startsWith(`${candidate}/`));
  if (prefix === undefined) return UNKNOWN_PATH;
  const servicePath = path.slice(prefix.length).replace(/\/+$/, '');
  const handler = ROUTES[servicePath];
  if (servicePath === '/tickle') context.record.counters.tickles += 1;
  if (context.faults.maintenance) return UNAVAILABLE;
  const refused = context.oauth?.handle(request, servicePath, body);
  if (refused !== undefined) return refused;
  const injectedFailure = servicePath === '/tickle' ? context.faults.takeTickleFailure() : undefined;
  if (injectedFailure !== undefined) {
    context.record.counters.failedTickles += 1;
    return { status: injectedFailure };
  }
  // Any request the gateway forwards counts as activity for the brokerage session (§3.4, §7.3).
  if (context.state.loggedIn) context.state.recordActivity();
  return handler === undefined ? UNKNOWN_PATH : handler(context, body);
}

function tickle(context: RestContext): Reply {
  const { state } = context;
  if (!state.loggedIn) return UNAUTHORIZED;
  return {
    status: 200,
    json: tickleBody(state.sessionValue, state.ssoExpiresMs(), state.brokerage),
    // Seen on live tickles (LIVE-DE, LIVE-PY, §1.9); its value is opaque and has no effect. api.ibkr.com also sets
    // the `api` cookie the OAuth socket presents.
    headers: {
      'set-cookie': [
        ...(context.oauth === undefined ? [] : [`api=${state.sessionValue}; Path=/; Secure; HttpOnly; SameSite=None`]),
        `x-sess-uuid=0.${randomBytes(8).toString('hex')}; Path=/v1/api; Secure; HttpOnly`,
      ],
    },
  };
}

/** `/iserver/*` needs the brokerage session: 401 logged out, 400 `Init session first` without it (§1.7). */
function brokerageRoute(context: RestContext, serve: () => Reply): Reply {
  if (!context.state.loggedIn) return UNAUTHORIZED;
  if (!context.state.brokerage.authenticated)
    return { status: 400, json: { error: 'Init session first', statusCode: 400 } };
  return serve();
}

function readConid(body: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const conid =
      typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['conid'] : undefined;
    const value = typeof conid === 'string' ? Number(conid) : conid;
    return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

function writeReply(response: ServerResponse, reply: Reply): void {
  const isJson = reply.json !== undefined;
  const body = isJson ? JSON.stringify(reply.json) : (reply.text ?? '');
  response.writeHead(reply.status, {
    ...(body === ''
      ? {}
      : { 'content-type': isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8' }),
    'content-length': Buffer.byteLength(body),
    ...reply.headers,
  });
  response.end(body);
}
