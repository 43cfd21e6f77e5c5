/**
 * What `ibkr-ws sim` prints while it runs: for people, one line per socket opened or closed and per fault fired; with
 * `--json`, one JSON object per line for harnesses in any language:
 *
 *   {"event":"listening","url":…,"ws":…,"ca":…,"port":…,"control":…,"at":…}
 *   {"event":"socket-opened","socket":1,"path":"/v1/api/ws","at":…}
 *   {"event":"socket-ready","socket":1,"at":…}
 *   {"event":"socket-closed","socket":1,"code":1000,"at":…}
 *   {"event":"fault","name":"closeSockets","args":[1000],"source":"api"|"schedule"|"replay","at":…}
 *   {"event":"rest","method":"POST","path":"/v1/api/tickle","status":200,"at":…}
 *   {"event":"oauth-request","endpoint":"live-session-token","method":"POST","path":"/v1/api/oauth/live_session_token",
 *    "outcome":"rejected","reason":"signature","at":…}                                            (--oauth only)
 *   {"event":"stopped","signal":"SIGTERM","at":…}
 *
 * `at` is epoch milliseconds. Nothing printed carries the session value (no frame text, no REST body), and an
 * `oauth-request` carries the verdict only: the path without its query, never a header, token, nonce or signature.
 */
import type { FaultEvent, GatewaySimulator, OAuthRequestEvent } from '../simulator/index.js';

export interface SimPrinter {
  /** One event, as a JSON line or a human line. */
  event(name: string, fields: Record<string, unknown>, human?: string): void;
}

export function createSimPrinter(stdout: (line: string) => void, json: boolean): SimPrinter {
  return {
    event(name, fields, human) {
      if (json) stdout(JSON.stringify({ event: name, ...fields, at: Date.now() }));
      else if (human !== undefined) stdout(human);
    },
  };
}

/** Prints the simulator's events until the returned function is called. */
export function printSimulatorEvents(simulator: Pick<GatewaySimulator, 'on'>, printer: SimPrinter): () => void {
  const offs = [
    simulator.on('connection', ({ connectionId, path }) =>
      printer.event('socket-opened', { socket: connectionId, path }, `socket ${connectionId} opened (${path})`),
    ),
    simulator.on('ready', ({ connectionId }) => printer.event('socket-ready', { socket: connectionId })),
    simulator.on('disconnect', ({ connectionId, code }) =>
      printer.event('socket-closed', { socket: connectionId, code }, `socket ${connectionId} closed (${code})`),
    ),
    simulator.on('rest-request', ({ method, path, status }) => printer.event('rest', { method, path, status })),
    simulator.on('fault', (fault) =>
      printer.event('fault', faultFields(fault), `fault ${fault.name}${formatArgs(fault.args)} (${fault.source})`),
    ),
    // JSON only: people get the `oauth:` lines of src/cli/sim-oauth.ts instead.
    simulator.on('oauth-request', (event) => printer.event('oauth-request', oauthRequestFields(event))),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** Picked field by field (not spread), so a field added to the event later cannot leak into the output unseen. */
function oauthRequestFields(event: OAuthRequestEvent): Record<string, unknown> {
  return {
    endpoint: event.endpoint,
    method: event.method,
    path: event.path,
    outcome: event.outcome,
    ...(event.variant === undefined ? {} : { variant: event.variant }),
    ...(event.reason === undefined ? {} : { reason: event.reason }),
  };
}

function faultFields(fault: FaultEvent): Record<string, unknown> {
  return { name: fault.name, args: fault.args.map(shorten), source: fault.source };
}

/** A raw frame can be megabytes: print its start and its length. */
function shorten(value: unknown): unknown {
  return typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}… (${value.length} chars)` : value;
}

export function formatArgs(args: readonly unknown[]): string {
  return args.length === 0 ? '' : ` ${JSON.stringify(args.map(shorten))}`;
}
