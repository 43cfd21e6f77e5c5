/**
 * The contract between the connection statechart and its two adapters, as pure types: what a session check answers
 * (the HTTP adapter's result), and the events and commands that cross the socket actor's boundary. The machine in
 * `machines/` imports only these types; `src/adapters/` implements them over undici and ws.
 */
import type { Secret } from './secret.js';
import type { ServerMessage } from './types.js';

/** Why a session check was made: the adapter pre-flights `/iserver/accounts` only when connecting. */
export type SessionCheckPurpose = 'connect' | 'login-poll' | 'keep-alive';

export interface SessionCheckInput {
  readonly purpose: SessionCheckPurpose;
  /** Ask the gateway to reclaim the brokerage session (`/iserver/reauthenticate`) when it is logged in but not authenticated. */
  readonly reauthenticate: boolean;
}

/** What one REST tickle (plus, at most, a reauthenticate) says about the gateway's session. */
export type SessionCheck =
  | {
      readonly kind: 'authenticated';
      /** The tickle `session` value: wrapped, so that nothing can print it. */
      readonly session: Secret;
      readonly competing: boolean;
      readonly established?: boolean;
      readonly ssoExpiresMs?: number;
    }
  | {
      readonly kind: 'login-required';
      /** `logged-out` (401), `no-session`, `not-authenticated` (brokerage down) or `competing`. */
      readonly reason: 'logged-out' | 'no-session' | 'not-authenticated' | 'competing';
      /** Whether the gateway itself holds a login (a browser login happened). */
      readonly loggedIn: boolean;
      readonly competing: boolean;
      readonly status?: number;
    }
  | {
      /** OAuth mode only: the call needs a (new) live session token — none yet, or IBKR answered 401 to the signed call. */
      readonly kind: 'authorization-required';
      readonly reason: 'no-token' | 'token-refused';
    }
  | {
      readonly kind: 'unavailable';
      /** Retry later: says nothing about the login. */
      readonly reason: 'network' | 'timeout' | 'server-error' | 'rate-limited' | 'bad-response';
      readonly status?: number;
      readonly message: string;
    };

/** What the machine gives each socket it opens. */
export interface SocketInput {
  /** Increases with every socket: events of an older socket carry an older id and are ignored. */
  readonly socketId: number;
  readonly session: Secret;
}

/**
 * Socket → machine. Only lifecycle frames arrive as messages; data frames surface as throttled ACTIVITY. `at` is when
 * the adapter read the frame (monotonic ms, `performance.now()`): the liveness watch learns the heartbeat cadence from
 * it (machines/cadence.ts); an event without it teaches nothing.
 */
export type SocketEvent =
  | { readonly type: 'SOCKET.OPENED'; readonly socketId: number }
  | {
      readonly type: 'SOCKET.MESSAGE';
      readonly socketId: number;
      readonly message: ServerMessage;
      readonly at?: number;
    }
  | { readonly type: 'SOCKET.ACTIVITY'; readonly socketId: number; readonly at?: number }
  | { readonly type: 'SOCKET.CLOSED'; readonly socketId: number; readonly code: number; readonly reason: string }
  | {
      readonly type: 'SOCKET.ERROR';
      readonly socketId: number;
      readonly error: { readonly code: string; readonly message: string };
    };

/** Machine → socket. Data-plane commands do not pass through the machine: the client sends them on the live socket. */
export type SocketCommand =
  | { readonly type: 'SOCKET.SEND_TIC' }
  | { readonly type: 'SOCKET.SEND_PROBE' }
  | { readonly type: 'SOCKET.SEND_SESSION' }
  /** Destroy the TCP connection at teardown: a lingering socket may never answer a close handshake. */
  | { readonly type: 'SOCKET.TERMINATE' };
