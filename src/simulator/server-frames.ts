/**
 * The gateway's own WebSocket frames (not topic data): greeting, heartbeat, status, `tic` reply, handshake messages
 * and errors, shaped as docs/PROTOCOL.md §2–§4 shows them.
 */
import type { ResolvedSimulatorOptions } from './options.js';
import type { BrokerageStatus } from './gateway-state.js';
import { accountsBody, SERVER_INFO } from './gateway-payloads.js';

type Identity = Pick<ResolvedSimulatorOptions, 'username' | 'accountId' | 'isPaper' | 'isFT'>;
export type ServerFrame = Record<string, unknown>;

/** `{"topic":"system","success":<user>,"isFT":…,"isPaper":…}`: the socket is ready (LIVE-PY / LIVE-DE shape, §2.2). */
export function systemSuccessFrame(identity: Identity): ServerFrame {
  return { topic: 'system', success: identity.username, isFT: identity.isFT, isPaper: identity.isPaper };
}

/** `act`: the account definition, "very close to /iserver/accounts" (§2.3). */
export function accountFrame(identity: Identity): ServerFrame {
  return { topic: 'act', args: accountsBody(identity) };
}

/** The full `sts` of the live greeting (LIVE-NET, §2.2), reflecting the current brokerage status. */
export function fullStatusFrame(status: BrokerageStatus): ServerFrame {
  return {
    topic: 'sts',
    args: {
      connected: status.connected,
      authenticated: status.authenticated,
      established: status.established,
      competing: status.competing,
      message: '',
      fail: '',
    },
  };
}

export function statusFrame(args: Record<string, unknown>): ServerFrame {
  return { topic: 'sts', args };
}

/** The extra `sts` variants LIVE-DE and IBIND saw after the greeting (§2.2), for clients that must ignore them. */
export function statusVariantFrames(identity: Identity): ServerFrame[] {
  return [
    statusFrame({ serverName: SERVER_INFO.serverName, serverVersion: SERVER_INFO.serverVersion }),
    statusFrame({ username: identity.username }),
    statusFrame({ message: '' }),
  ];
}

export function heartbeatFrame(now = Date.now()): ServerFrame {
  return { topic: 'system', hb: now };
}

/** The `tic` reply; `id` is the tickle session (§3.3). */
export function ticFrame(session: string, lastAccessed: number): ServerFrame {
  return { topic: 'tic', alive: true, id: session, lastAccessed };
}

export const WAITING_FOR_SESSION_FRAME: ServerFrame = { message: 'waiting for session' };

/** `{"error":"Topic unknown '<3 chars>'","code":1}` (§4.10, reconstructed from IBIND-I25). */
export function topicUnknownFrame(code3: string): ServerFrame {
  return { error: `Topic unknown '${code3}'`, code: 1 };
}

/** An error about one subscription, carried on its topic (TS-STREAM checks `error` on `smd+` topics, §4.2). */
export function topicErrorFrame(topic: string, error: string): ServerFrame {
  return { topic, error };
}

/** The literal echo of `ech+hb`: the only non-JSON server frame (§3.2). */
export const ECHO_TEXT = 'ech+hb';
