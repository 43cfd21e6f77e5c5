/**
 * The statechart's guards on typed server messages: each names one fact the
 * connection lifecycle reacts to, so the machine never pokes at message shapes itself.
 */
import type {
  EchoMessage,
  ErrorMessage,
  HeartbeatMessage,
  ServerMessage,
  StatusMessage,
  SystemSuccessMessage,
  TicMessage,
  WaitingForSessionMessage,
} from '../src/protocol/types.js';

/** The gateway's greeting: the socket is ready for subscriptions. */
export function isSystemSuccess(message: ServerMessage): message is SystemSuccessMessage {
  return message.kind === 'system-success';
}

export function isHeartbeat(message: ServerMessage): message is HeartbeatMessage {
  return message.kind === 'heartbeat';
}

/** The socket asks for `{"session":…}`. */
export function isWaitingForSession(message: ServerMessage): message is WaitingForSessionMessage {
  return message.kind === 'waiting-for-session';
}

/** `sts` saying the brokerage session is authenticated. */
export function isAuthenticatedStatus(
  message: ServerMessage,
): message is StatusMessage & { readonly authenticated: true } {
  return message.kind === 'sts' && message.authenticated === true;
}

/** `sts` saying it is not. An `sts` without `authenticated` says nothing, so it matches neither guard. */
export function isUnauthenticatedStatus(
  message: ServerMessage,
): message is StatusMessage & { readonly authenticated: false } {
  return message.kind === 'sts' && message.authenticated === false;
}

/** `sts` saying another session (TWS, the mobile app) holds the brokerage session. */
export function isCompetingStatus(message: ServerMessage): message is StatusMessage & { readonly competing: true } {
  return message.kind === 'sts' && message.competing === true;
}

export function isErrorFrame(message: ServerMessage): message is ErrorMessage {
  return message.kind === 'error';
}

/** The `ech+hb` echo: the answer to the liveness probe. */
export function isEcho(message: ServerMessage): message is EchoMessage {
  return message.kind === 'echo';
}

export function isTicReply(message: ServerMessage): message is TicMessage {
  return message.kind === 'tic';
}
