/**
 * What the connection statechart is made of, apart from its states: the actors it invokes, its named actions, guards
 * and delays, and its initial context. machines/connection.machine.ts arranges them into the lifecycle; read that
 * file for the story and this one for the vocabulary. Pure: the actors are placeholders src/client.ts provides.
 */
import { assign, emit, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import type {
  SessionCheck,
  SessionCheckInput,
  SocketCommand,
  SocketEvent,
  SocketInput,
} from '../src/protocol/session.js';
import type { Authorization, AuthorizeInput } from '../src/protocol/authorization.js';
import type { ConnectionContext, ConnectionEmitted, ConnectionEvent, ConnectionInput } from './connection.types.js';
import { checkOf } from './connection.reasons.js';
import { authorizationOf } from './connection.authorization.js';
import {
  isAuthenticatedStatus,
  isSystemSuccess,
  isUnauthenticatedStatus,
  isWaitingForSession,
  isErrorFrame,
} from './message-guards.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMING, type ConnectionTiming } from './connection.defaults.js';
import { EMPTY_CADENCE, learnFrom } from './cadence.js';
import { CONNECTION_DELAYS } from './connection.delays.js';

export type { ConnectionContext, ConnectionEmitted, ConnectionEvent, ConnectionInput } from './connection.types.js';

/** The statechart's vocabulary: `connectionSetup.createMachine(...)` in connection.machine.ts uses every name. */
export const connectionSetup = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
    emitted: {} as ConnectionEmitted,
  },
  actors: {
    /** One REST tickle (and at most a reauthenticate): provided by src/adapters/gateway-session.ts. */
    checkSession: fromPromise<SessionCheck, SessionCheckInput>(async () => {
      throw new Error('connectionMachine: provide the checkSession actor');
    }),
    /** The WebSocket for one `socket` state: provided by src/adapters/socket-actor.ts. */
    socket: fromCallback<SocketCommand, SocketInput, SocketEvent>(() => {
      throw new Error('connectionMachine: provide the socket actor');
    }),
    /** OAuth: live session token + brokerage session: provided by src/adapters/oauth-session.ts. */
    authorize: fromPromise<Authorization, AuthorizeInput>(async () => {
      throw new Error('connectionMachine: provide the authorize actor');
    }),
  },
  actions: {
    /** `ready` entered: the subscription layer gets this socket and (re)sends what is wanted. Provided by the client. */
    dataPlaneReady: (_, _params: { socketId: number }) => {},
    /** `ready` left: nothing may be sent any more, every stream gets a gap marker. Provided by the client. */
    dataPlaneLost: (_, _params: { reason: string }) => {},
    /** Re-request every market-data stream before IBKR expires it. Provided by the client. */
    refreshMarketData: () => {},
    sendTic: sendTo('socket', { type: 'SOCKET.SEND_TIC' }),
    sendProbe: sendTo('socket', { type: 'SOCKET.SEND_PROBE' }),
    sendSession: sendTo('socket', { type: 'SOCKET.SEND_SESSION' }),
    /** A lingering socket may never answer a close handshake: destroy it when its state ends. */
    terminateSocket: sendTo('socket', { type: 'SOCKET.TERMINATE' }),
    resetAttempts: assign({ attempt: 0 }),
    /** The check found an authenticated session: keep its value and give the next socket a new id. */
    adoptSession: assign(({ context, event }, params: { reason: string }) => {
      const check = checkOf(event);
      return {
        session: check.kind === 'authenticated' ? check.session : context.session,
        competing: false,
        gatewayLoggedIn: true,
        authorization: context.oauth ? ('proven' as const) : context.authorization,
        socketId: context.socketId + 1,
        lastReason: params.reason,
        cadence: EMPTY_CADENCE,
        loginPolls: 0,
      };
    }),
    /** A heartbeat read at `at` teaches the cadence; any other frame only proves life. */
    observeBeat: assign(({ context, event }) => ({ cadence: learnFrom(context.cadence, event) })),
    emitAuthenticated: emit(({ context }) => ({ type: 'authenticated' as const, socketId: context.socketId })),
    emitFalseAlarm: emit(({ context }) => ({ type: 'false-alarm' as const, socketId: context.socketId })),
  },
  guards: {
    fromCurrentSocket: ({ context, event }) => 'socketId' in event && event.socketId === context.socketId,
    isGreeting: ({ context, event }) =>
      event.type === 'SOCKET.MESSAGE' &&
      event.socketId === context.socketId &&
      (isSystemSuccess(event.message) || isAuthenticatedStatus(event.message)),
    isWaitingForSession: ({ context, event }) =>
      event.type === 'SOCKET.MESSAGE' && event.socketId === context.socketId && isWaitingForSession(event.message),
    isAuthLost: ({ context, event }) =>
      event.type === 'SOCKET.MESSAGE' && event.socketId === context.socketId && isUnauthenticatedStatus(event.message),
    isSessionRejected: ({ context, event }) =>
      event.type === 'SOCKET.MESSAGE' && event.socketId === context.socketId && isErrorFrame(event.message),
    /** Any sign of life from the current socket, except the one frame that means the opposite. */
    isSignOfLife: ({ context, event }) =>
      (event.type === 'SOCKET.ACTIVITY' && event.socketId === context.socketId) ||
      (event.type === 'SOCKET.MESSAGE' &&
        event.socketId === context.socketId &&
        !isUnauthenticatedStatus(event.message)),
    checkAuthenticated: ({ event }) => checkOf(event).kind === 'authenticated',
    checkLoginRequired: ({ event }) => checkOf(event).kind === 'login-required',
    sessionRotated: ({ context, event }) => {
      const check = checkOf(event);
      return check.kind === 'authenticated' && context.session !== undefined && !check.session.equals(context.session);
    },
    attemptsExhausted: ({ context }) => context.attempt > context.maxAttempts,
    isOAuth: ({ context }) => context.oauth,
    authorized: ({ event }) => authorizationOf(event).kind === 'authorized',
    authorizationRefused: ({ event }) => authorizationOf(event).kind === 'rejected',
    /** Only the OAuth adapter answers so; a gateway-mode machine treats it like any unusable answer. */
    checkAuthorizationRequired: ({ context, event }) =>
      context.oauth && checkOf(event).kind === 'authorization-required',
    /** The token just obtained is refused as well: renewing again at once would loop. */
    freshTokenRefused: ({ context, event }) =>
      context.oauth && context.authorization === 'fresh' && checkOf(event).kind === 'authorization-required',
    needsAuthorization: ({ context }) =>
      context.oauth && context.authorization !== 'fresh' && context.authorization !== 'proven',
  },
  delays: CONNECTION_DELAYS,
});

/** The context a new actor starts with: defaults filled from connection.defaults.ts, nothing learnt yet. */
export function initialContext(input: ConnectionInput): ConnectionContext {
  return {
    timing: { ...DEFAULT_TIMING, ...definedOnly(input.timing ?? {}) },
    maxAttempts: input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    autoReauthenticate: input.autoReauthenticate ?? true,
    random: input.random ?? Math.random,
    session: undefined,
    socketId: 0,
    attempt: 0,
    backoffDelayMs: 0,
    lastReason: undefined,
    competing: false,
    gatewayLoggedIn: false,
    learnCadence: input.learnCadence ?? true,
    cadence: EMPTY_CADENCE,
    loginPolls: 0,
    oauth: input.oauth ?? false,
    authorization: 'none',
  };
}

function definedOnly(timing: Partial<ConnectionTiming>): Partial<ConnectionTiming> {
  return Object.fromEntries(
    Object.entries(timing).filter(([, value]) => value !== undefined),
  ) as Partial<ConnectionTiming>;
}
