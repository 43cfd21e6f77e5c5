/**
 * The simulator's control surface as data: every fault and query a harness in another process may call, with the
 * arguments each takes. One table serves the HTTP control API (`POST /__sim/<name>`), fault schedule files and replay,
 * so a name or an argument is validated the same way everywhere — and always before anything is changed: a bad call
 * is refused whole, the simulator is unaffected.
 */
import { MARKET_STATES, type MarketState } from '../topics/market-states.js';
import type { OAuthSimulatorControl } from '../oauth/oauth-side.js';
import type { GatewaySimulator } from '../types.js';

export type ParamType =
  | 'integer'
  | 'number'
  | 'boolean'
  | 'string'
  | 'records'
  | 'record-or-records'
  | 'notice-topic'
  | 'market-data-mode'
  | 'market-state';

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly optional?: boolean;
  /** For `integer` / `number`: inclusive bounds. */
  readonly min?: number;
  readonly max?: number;
  /** Extra check with the reason it failed, or undefined when the value is fine. */
  readonly check?: (value: never) => string | undefined;
}

export type ControlKind = 'fault' | 'query';

export interface ControlEntry {
  readonly kind: ControlKind;
  readonly params: readonly ParamSpec[];
  /** What it does, for `GET /__sim/` and the docs. */
  readonly summary: string;
  /** `'oauth'`: only a simulator in OAuth mode has it (elsewhere the call is refused, nothing changes). */
  readonly requires?: 'oauth';
  readonly run: (simulator: GatewaySimulator, args: readonly unknown[]) => unknown;
}

/** A refused control call: the HTTP API answers 400 with `message`. */
export class ControlError extends Error {
  override readonly name = 'ControlError';
}

/** RFC 6455 §7.4: 1005, 1006 and 1015 are never put in a close frame. */
function sendableCloseCode(code: number): string | undefined {
  const valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  return valid ? undefined : `${code} is not a close code a server can send (1000–1003, 1007–1014, 3000–4999)`;
}

const NONE: readonly ParamSpec[] = [];

/** The OAuth control surface, or a refusal (400 over HTTP) naming the mode a gateway-mode simulator lacks. */
function oauthOf(simulator: GatewaySimulator, name: string): OAuthSimulatorControl {
  if (simulator.oauth === undefined)
    throw new ControlError(`${name} needs the simulator in OAuth mode (auth: 'oauth', ibkr-ws sim --oauth)`);
  return simulator.oauth;
}

/** IBKR's two observed ssodh/init failures: 500 "failed to generate sso dh token" and 410 Gone. */
function ssodhStatus(status: number): string | undefined {
  return status === 500 || status === 410 ? undefined : `must be 500 or 410, got ${status}`;
}

export const CONTROL_TABLE: Readonly<Record<string, ControlEntry>> = {
  linger: {
    kind: 'fault',
    params: NONE,
    summary: 'every open socket goes silent with TCP open',
    run: (sim) => sim.linger(),
  },
  resume: { kind: 'fault', params: NONE, summary: 'lingering sockets speak again', run: (sim) => sim.resume() },
  dropConnections: {
    kind: 'fault',
    params: NONE,
    summary: 'destroy every socket without a close frame (clients see 1006)',
    run: (sim) => sim.dropConnections(),
  },
  closeSockets: {
    kind: 'fault',
    params: [
      {
        name: 'code',
        type: 'integer',
        optional: true,
        check: sendableCloseCode as (value: never) => string | undefined,
      },
    ],
    summary: 'close every socket with code (default 1000), no reason',
    run: (sim, [code]) => sim.closeSockets(code as number | undefined),
  },
  logout: {
    kind: 'fault',
    params: NONE,
    summary: 'the gateway session ends: REST 401, sts authenticated:false, close 1000',
    run: (sim) => sim.logout(),
  },
  login: { kind: 'fault', params: NONE, summary: 'a person logs in again', run: (sim) => sim.login() },
  expireBrokerageSession: {
    kind: 'fault',
    params: NONE,
    summary: 'the brokerage session times out now',
    run: (sim) => sim.expireBrokerageSession(),
  },
  competingSession: {
    kind: 'fault',
    params: NONE,
    summary: 'another login with the same username',
    run: (sim) => sim.competingSession(),
  },
  // The new value is a secret in real life: the answer does not carry it (a client reads it from /v1/api/tickle).
  rotateSession: {
    kind: 'fault',
    params: NONE,
    summary: 'a new tickle session value',
    run: (sim) => void sim.rotateSession(),
  },
  maintenance: {
    kind: 'fault',
    params: [{ name: 'on', type: 'boolean' }],
    summary: 'restart window: REST 503, sockets closed 1000 now and on every accept',
    run: (sim, [on]) => sim.maintenance(on as boolean),
  },
  sendRaw: {
    kind: 'fault',
    params: [
      { name: 'data', type: 'string' },
      { name: 'binary', type: 'boolean', optional: true },
      { name: 'base64', type: 'boolean', optional: true },
    ],
    summary: 'exact bytes to every open socket (base64: true for non-UTF-8 bytes)',
    run: (sim, [data, binary, base64]) => {
      const bytes = base64 === true ? new Uint8Array(Buffer.from(data as string, 'base64')) : (data as string);
      sim.sendRaw(bytes, binary === undefined ? {} : { binary: binary as boolean });
    },
  },
  slowHandshake: {
    kind: 'fault',
    params: [{ name: 'delayMs', type: 'integer', min: 0, max: 600_000 }],
    summary: 'hold back every following upgrade response (0 = off)',
    run: (sim, [delayMs]) => sim.slowHandshake(delayMs as number),
  },
  failNextTickles: {
    kind: 'fault',
    params: [
      { name: 'count', type: 'integer', min: 0, max: 1_000_000 },
      { name: 'status', type: 'integer', optional: true, min: 400, max: 599 },
    ],
    summary: 'the next count tickles fail with status (default 401)',
    run: (sim, [count, status]) => sim.failNextTickles(count as number, status as number | undefined),
  },
  setRequireSessionMessage: {
    kind: 'fault',
    params: [{ name: 'required', type: 'boolean' }],
    summary: 'new sockets wait for {"session":…}',
    run: (sim, [required]) => sim.setRequireSessionMessage(required as boolean),
  },
  setMarketDataMode: {
    kind: 'fault',
    params: [{ name: 'mode', type: 'market-data-mode' }],
    summary: "'interval' (paced) or 'flood' (as fast as sockets drain)",
    run: (sim, [mode]) => sim.setMarketDataMode(mode as 'interval' | 'flood'),
  },
  setMarketState: {
    kind: 'fault',
    params: [
      { name: 'conid', type: 'integer', min: 1 },
      { name: 'state', type: 'market-state' },
    ],
    summary: "a contract's market: 'realtime', 'delayed', 'halted' or 'closed'",
    run: (sim, [conid, state]) => sim.setMarketState(conid as number, state as MarketState),
  },
  pushOrders: {
    kind: 'fault',
    params: [{ name: 'orders', type: 'records', optional: true }],
    summary: 'order updates to sor subscribers (default: the synthetic order’s next step)',
    run: (sim, [orders]) => sim.pushOrders(orders as Record<string, unknown>[] | undefined),
  },
  pushTrades: {
    kind: 'fault',
    params: [{ name: 'trades', type: 'records', optional: true }],
    summary: 'trades to str subscribers (default: a fill of the synthetic order)',
    run: (sim, [trades]) => sim.pushTrades(trades as Record<string, unknown>[] | undefined),
  },
  pushNotice: {
    kind: 'fault',
    params: [
      { name: 'topic', type: 'notice-topic' },
      { name: 'args', type: 'record-or-records' },
    ],
    summary: 'a notification (ntf) or bulletin (blt) to every ready socket',
    run: (sim, [topic, args]) => sim.pushNotice(topic as 'ntf' | 'blt', args as Record<string, unknown>),
  },
  // OAuth mode only (auth: 'oauth'): IBKR's side of the direct path.
  expireLiveSessionToken: {
    kind: 'fault',
    params: NONE,
    requires: 'oauth',
    summary: 'OAuth: every live session token stops working now (signed calls 401, sockets close)',
    run: (sim) => oauthOf(sim, 'expireLiveSessionToken').expireLiveSessionToken(),
  },
  setConsumerActivated: {
    kind: 'fault',
    params: [{ name: 'on', type: 'boolean' }],
    requires: 'oauth',
    summary: 'OAuth: false = the consumer is not activated yet (every call 401 invalid consumer)',
    run: (sim, [on]) => oauthOf(sim, 'setConsumerActivated').setConsumerActivated(on as boolean),
  },
  failSsodhInit: {
    kind: 'fault',
    params: [
      { name: 'status', type: 'integer', check: ssodhStatus as (value: never) => string | undefined },
      { name: 'count', type: 'integer', optional: true, min: 0, max: 1_000_000 },
    ],
    requires: 'oauth',
    summary: 'OAuth: the next count (default 1; 0 resets) ssodh/init calls answer status (500 or 410)',
    run: (sim, [status, count]) =>
      oauthOf(sim, 'failSsodhInit').failSsodhInit(status as 500 | 410, count as number | undefined),
  },
  counters: { kind: 'query', params: NONE, summary: 'the traffic counters', run: (sim) => sim.counters },
  connections: {
    kind: 'query',
    params: NONE,
    summary: 'every connection with its client frames (secrets redacted)',
    run: (sim) => sim.connections,
  },
  state: {
    kind: 'query',
    params: NONE,
    summary: 'login, brokerage status, maintenance, resources in use, open sockets',
    run: (sim) => ({ ...sim.state, sockets: sim.sockets }),
  },
};

export const CONTROL_NAMES: readonly string[] = Object.keys(CONTROL_TABLE);

export function controlEntry(name: string): ControlEntry {
  const entry = Object.hasOwn(CONTROL_TABLE, name) ? CONTROL_TABLE[name] : undefined;
  if (entry === undefined) throw new ControlError(`unknown control '${name}'; known: ${CONTROL_NAMES.join(', ')}`);
  return entry;
}

/**
 * The positional arguments of a call, checked against its entry: a JSON array (positional), an object (by name), or
 * nothing. Throws ControlError naming the first problem.
 */
export function validateControlArgs(name: string, raw: unknown): unknown[] {
  const { params } = controlEntry(name);
  let args: unknown[];
  if (raw === undefined || raw === null) args = [];
  else if (Array.isArray(raw)) {
    if (raw.length > params.length)
      throw new ControlError(
        `${name} takes at most ${params.length} argument${params.length === 1 ? '' : 's'}, got ${raw.length}`,
      );
    args = [...raw];
  } else if (typeof raw === 'object') {
    const named = raw as Record<string, unknown>;
    const unknown = Object.keys(named).filter((key) => !params.some((param) => param.name === key));
    if (unknown.length > 0) {
      const known = params.length === 0 ? 'none' : params.map((param) => param.name).join(', ');
      throw new ControlError(
        `${name}: unknown argument ${unknown.map((key) => `'${key}'`).join(', ')} (arguments: ${known})`,
      );
    }
    args = params.map((param) => named[param.name]);
  } else {
    throw new ControlError(`${name}: arguments must be a JSON array or object`);
  }
  params.forEach((param, index) => {
    const value = args[index] === null ? undefined : args[index];
    args[index] = value;
    if (value === undefined) {
      if (!param.optional) throw new ControlError(`${name}: argument '${param.name}' is required`);
      return;
    }
    const problem = checkValue(param, value);
    if (problem !== undefined) throw new ControlError(`${name}: argument '${param.name}' ${problem}`);
  });
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  return args;
}

function checkValue(param: ParamSpec, value: unknown): string | undefined {
  switch (param.type) {
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number, got ${describe(value)}`;
      if (param.type === 'integer' && !Number.isSafeInteger(value)) return `must be an integer, got ${value}`;
      if (param.min !== undefined && value < param.min) return `must be at least ${param.min}, got ${value}`;
      if (param.max !== undefined && value > param.max) return `must be at most ${param.max}, got ${value}`;
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return `must be true or false, got ${describe(value)}`;
      break;
    case 'string':
      if (typeof value !== 'string') return `must be a string, got ${describe(value)}`;
      break;
    case 'records':
      if (!Array.isArray(value) || !value.every(isRecord)) return `must be an array of objects, got ${describe(value)}`;
      break;
    case 'record-or-records':
      if (!isRecord(value) && !(Array.isArray(value) && value.every(isRecord)))
        return `must be an object or an array of objects, got ${describe(value)}`;
      break;
    case 'notice-topic':
      if (value !== 'ntf' && value !== 'blt') return `must be 'ntf' or 'blt', got ${describe(value)}`;
      break;
    case 'market-state':
      if (!(MARKET_STATES as readonly unknown[]).includes(value))
        return `must be one of ${MARKET_STATES.map((state) => `'${state}'`).join(', ')}, got ${describe(value)}`;
      break;
    case 'market-data-mode':
      if (value !== 'interval' && value !== 'flood') return `must be 'interval' or 'flood', got ${describe(value)}`;
      break;
  }
  return param.check?.(value as never);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : String(value);
}
