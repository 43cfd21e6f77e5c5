/**
 * The life of one connection to the Client Portal Gateway, as a statechart. Read this file and visualizations/ to know
 * the whole lifecycle; the state table of README.md ("The state diagram") is the contract for the state names.
 *
 *   idle ─START→ checking-session ─authenticated→ socket.open ─opened→ socket.awaiting-session
 *        ─greeting / sts authenticated→ socket.ready.authenticated
 *        ─"waiting for session"→ socket.sending-session ─confirmed→ socket.ready.authenticated
 *   socket.ready.authenticated ─silence→ socket.ready.lingering-detected ─frame→ authenticated (false alarm)
 *                                                                        ─probe timeout→ reconnect (socket terminated)
 *   any socket failure → reconnect ─backoff→ checking-session;  auth loss → checking-session → login-required
 *   FATAL (a failure retrying cannot heal, e.g. a certificate that does not match the pin) → failed, from anywhere
 *   OAuth mode only (docs/OAUTH.md): START, a token near expiry, or a signed call answered 401 → authorizing
 *        ─authorized→ checking-session;  refused → reconnect (backoff never below the authorization retry floor).
 *        While authenticated, the same renewal runs in the background (tickle region, `renewing`): the socket stays.
 *
 * Why a `socket` parent: the socket actor is invoked there, so it lives exactly as long as the phases that need it
 * (open … lingering-detected). Leaving `socket` for any reason stops the actor, which closes (or terminates) the real
 * socket: a stale socket cannot outlive its state (statelyai/xstate#4952). Every socket gets a new id; events of an
 * older one are ignored by `fromCurrentSocket`.
 *
 * Why a `ready` parent inside it: "the data plane is ready" is this one state. Its entry hands the subscription layer
 * the authenticated socket (`dataPlaneReady`), its exit takes it away (`dataPlaneLost`, with the reason). A false
 * alarm goes from `lingering-detected` back to `authenticated` inside `ready`: no exit, so no gap. The public names
 * stay `authenticated` and `lingering-detected` (lifecycle-states.ts maps the paths); `ready` is not a phase of its own.
 *
 * Pure: no I/O here. The two actors (`checkSession`, `socket`) and the data-plane actions (`dataPlaneReady`,
 * `dataPlaneLost`, `refreshMarketData`) are placeholders that src/client.ts replaces with `machine.provide(...)`;
 * tests provide in-memory ones.
 */
import { assign, emit, enqueueActions, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import type { Secret } from '../src/protocol/secret.js';
import type { SessionCheck, SessionCheckInput, SocketCommand, SocketEvent, SocketInput } from '../src/protocol/session.js';
import type { Authorization, AuthorizeInput } from '../src/protocol/authorization.js';
import type { ConnectionContext, ConnectionEmitted, ConnectionEvent, ConnectionInput } from './connection.types.js';
import { checkOf, closeReason, leavingReason, loginFacts, loginNotice, socketErrorReason, unavailableReason } from './connection.reasons.js';
import { authorizationOf, problemOf } from './connection.authorization.js';
import { isAuthenticatedStatus, isSystemSuccess, isUnauthenticatedStatus, isWaitingForSession, isErrorFrame } from './message-guards.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMING, authorizationRetryFloorMs, backoffDelayMs, type ConnectionTiming } from './connection.defaults.js';

export type { ConnectionContext, ConnectionEmitted, ConnectionEvent, ConnectionInput } from './connection.types.js';

export const connectionMachine = setup({
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
      };
    }),
    emitAuthenticated: emit(({ context }) => ({ type: 'authenticated' as const, socketId: context.socketId })),
    emitFalseAlarm: emit(({ context }) => ({ type: 'false-alarm' as const, socketId: context.socketId })),
  },
  guards: {
    fromCurrentSocket: ({ context, event }) => 'socketId' in event && event.socketId === context.socketId,
    isGreeting: ({ context, event }) =>
      event.type === 'SOCKET.MESSAGE' && event.socketId === context.socketId && (isSystemSuccess(event.message) || isAuthenticatedStatus(event.message)),
    isWaitingForSession: ({ context, event }) =>
      event.type === 'SOCKET.MESSAGE' && event.socketId === context.socketId && isWaitingForSession(event.message),
    isAuthLost: ({ context, event }) =>
      event.type === 'SOCKET.MESSAGE' && event.socketId === context.socketId && isUnauthenticatedStatus(event.message),
    isSessionRejected: ({ context, event }) =>
      event.type === 'SOCKET.MESSAGE' && event.socketId === context.socketId && isErrorFrame(event.message),
    /** Any sign of life from the current socket, except the one frame that means the opposite. */
    isSignOfLife: ({ context, event }) =>
      (event.type === 'SOCKET.ACTIVITY' && event.socketId === context.socketId) ||
      (event.type === 'SOCKET.MESSAGE' && event.socketId === context.socketId && !isUnauthenticatedStatus(event.message)),
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
    checkAuthorizationRequired: ({ context, event }) => context.oauth && checkOf(event).kind === 'authorization-required',
    /** The token just obtained is refused as well: renewing again at once would loop. */
    freshTokenRefused: ({ context, event }) => context.oauth && context.authorization === 'fresh' && checkOf(event).kind === 'authorization-required',
    needsAuthorization: ({ context }) => context.oauth && context.authorization !== 'fresh' && context.authorization !== 'proven',
  },
  delays: {
    heartbeatTimeout: ({ context }) => context.timing.heartbeatTimeoutMs,
    probeTimeout: ({ context }) => context.timing.probeTimeoutMs,
    openTimeout: ({ context }) => context.timing.openTimeoutMs,
    readyTimeout: ({ context }) => context.timing.readyTimeoutMs,
    ticInterval: ({ context }) => context.timing.ticIntervalMs,
    tickleInterval: ({ context }) => context.timing.tickleIntervalMs,
    loginPollInterval: ({ context }) => context.timing.loginPollIntervalMs,
    marketDataRefresh: ({ context }) => context.timing.marketDataRefreshMs,
    stableAfter: ({ context }) => context.timing.stableAfterMs,
    backoff: ({ context }) => context.backoffDelayMs,
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
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
    oauth: input.oauth ?? false,
    authorization: 'none',
  }),
  initial: 'idle',
  // STOP is accepted in every state. Leaving `socket` closes the socket 1000; leaving any state clears its timers.
  on: {
    STOP: { target: '.stopped', actions: assign({ lastReason: 'stop' }) },
    FATAL: { target: '.failed', actions: assign(({ event }) => ({ lastReason: event.code })) },
    // OAuth: renew before IBKR refuses the token. Ignored where no token is used yet or one is being obtained.
    'AUTHORIZATION.EXPIRING': { guard: 'isOAuth', target: '.authorizing', actions: assign({ lastReason: 'token-expiring' }) },
  },
  states: {
    idle: {
      on: {
        START: [
          { guard: 'isOAuth', target: 'authorizing', actions: assign({ lastReason: 'start' }) },
          { target: 'checking-session', actions: assign({ lastReason: 'start' }) },
        ],
        'AUTHORIZATION.EXPIRING': {},
      },
    },

    authorizing: {
      id: 'authorizing',
      on: { 'AUTHORIZATION.EXPIRING': {} },
      invoke: {
        id: 'authorize',
        src: 'authorize',
        input: ({ context }) => ({ reason: context.lastReason ?? 'start' }),
        onDone: [
          { guard: 'authorized', target: 'checking-session', actions: assign({ authorization: 'fresh', lastReason: 'authorized' }) },
          {
            guard: 'authorizationRefused',
            target: 'reconnect',
            actions: assign(({ event }) => ({ authorization: 'refused' as const, lastReason: `authorization-${problemOf(event.output)}` })),
          },
          { target: 'reconnect', actions: assign({ authorization: 'failed', lastReason: 'authorization-unavailable' }) },
        ],
        onError: { target: 'reconnect', actions: assign({ authorization: 'failed', lastReason: 'authorization-failed' }) },
      },
    },

    'checking-session': {
      id: 'checking-session',
      invoke: {
        src: 'checkSession',
        input: { purpose: 'connect', reauthenticate: false },
        onDone: [
          { guard: 'freshTokenRefused', target: 'reconnect', actions: assign({ authorization: 'refused', lastReason: 'fresh-token-refused' }) },
          { guard: 'checkAuthorizationRequired', target: 'authorizing', actions: assign({ lastReason: 'token-refused' }) },
          {
            guard: 'checkAuthenticated',
            target: '#socket',
            actions: { type: 'adoptSession', params: { reason: 'session-authenticated' } },
          },
          {
            guard: 'checkLoginRequired',
            target: 'login-required',
            actions: [
              // On the OAuth path the signed tickle was answered: the token works, only the brokerage session is missing.
              assign(({ context, event }) => ({ ...loginFacts(event.output), ...(context.oauth ? { authorization: 'proven' as const } : {}) })),
              emit(({ event }) => ({ type: 'login-required' as const, ...loginNotice(event.output) })),
            ],
          },
          { target: 'reconnect', actions: assign(({ event }) => ({ lastReason: unavailableReason(event.output) })) },
        ],
        onError: { target: 'reconnect', actions: assign({ lastReason: 'session-check-failed' }) },
      },
    },

    'login-required': {
      // Nobody is logged in (or the brokerage session is gone): poll until a person logs in, at a pace far below
      // the tickle rate limit. Reauthenticate only when the gateway holds a login and nobody competes for it.
      initial: 'waiting',
      states: {
        waiting: {
          after: { loginPollInterval: 'polling' },
        },
        polling: {
          invoke: {
            src: 'checkSession',
            input: ({ context }) => ({
              purpose: 'login-poll' as const,
              reauthenticate: context.autoReauthenticate && context.gatewayLoggedIn && !context.competing,
            }),
            onDone: [
              {
                guard: 'checkAuthenticated',
                target: '#socket',
                // A person logged in: this is a fresh start, not a retry.
                actions: [{ type: 'adoptSession', params: { reason: 'logged-in' } }, 'resetAttempts'],
              },
              { guard: 'checkAuthorizationRequired', target: '#authorizing', actions: assign({ lastReason: 'token-refused' }) },
              {
                guard: 'checkLoginRequired',
                target: 'waiting',
                actions: assign(({ event }) => loginFacts(event.output)),
              },
              // The gateway is unreachable while we wait for a login: keep polling at the same pace.
              { target: 'waiting' },
            ],
            onError: { target: 'waiting' },
          },
        },
      },
    },

    socket: {
      id: 'socket',
      initial: 'open',
      invoke: {
        id: 'socket',
        src: 'socket',
        input: ({ context }) => ({ socketId: context.socketId, session: context.session as Secret }),
      },
      on: {
        'SOCKET.CLOSED': {
          guard: 'fromCurrentSocket',
          target: 'reconnect',
          actions: assign(({ event }) => ({ lastReason: closeReason(event.code) })),
        },
        'SOCKET.ERROR': {
          guard: 'fromCurrentSocket',
          target: 'reconnect',
          actions: assign(({ event }) => ({ lastReason: socketErrorReason(event.error.code) })),
        },
      },
      states: {
        open: {
          on: { 'SOCKET.OPENED': { guard: 'fromCurrentSocket', target: 'awaiting-session', actions: assign({ lastReason: 'socket-opened' }) } },
          after: { openTimeout: { target: '#reconnect', actions: assign({ lastReason: 'open-timeout' }) } },
        },

        'awaiting-session': {
          on: {
            'SOCKET.MESSAGE': [
              { guard: 'isGreeting', target: '#authenticated', actions: assign({ lastReason: 'greeting' }) },
              { guard: 'isWaitingForSession', target: 'sending-session', actions: assign({ lastReason: 'waiting-for-session' }) },
              { guard: 'isAuthLost', target: '#checking-session', actions: assign({ lastReason: 'not-authenticated' }) },
            ],
          },
          after: { readyTimeout: { target: '#reconnect', actions: assign({ lastReason: 'ready-timeout' }) } },
        },

        'sending-session': {
          // Only ever entered because the server asked: the session message is never sent unprompted (an
          // authenticated socket answers it with `Topic unknown`).
          entry: 'sendSession',
          on: {
            'SOCKET.MESSAGE': [
              { guard: 'isGreeting', target: '#authenticated', actions: assign({ lastReason: 'session-accepted' }) },
              { guard: 'isSessionRejected', target: '#reconnect', actions: assign({ lastReason: 'session-rejected' }) },
              { guard: 'isAuthLost', target: '#checking-session', actions: assign({ lastReason: 'session-rejected' }) },
            ],
          },
          after: { readyTimeout: { target: '#reconnect', actions: assign({ lastReason: 'ready-timeout' }) } },
        },

        ready: {
          id: 'ready',
          initial: 'authenticated',
          entry: [{ type: 'dataPlaneReady', params: ({ context }) => ({ socketId: context.socketId }) }, 'emitAuthenticated'],
          exit: { type: 'dataPlaneLost', params: ({ context, event }) => ({ reason: leavingReason(context, event) }) },
          states: {
            authenticated: {
              id: 'authenticated',
              type: 'parallel',
              on: {
                'SOCKET.MESSAGE': { guard: 'isAuthLost', target: '#checking-session', actions: assign({ lastReason: 'auth-lost' }) },
              },
              states: {
                liveness: {
                  initial: 'watching',
                  states: {
                    watching: {
                      // Every sign of life restarts the watch. Data frames arrive here throttled (at most one ACTIVITY
                      // event per second), so a market-data flood never floods the statechart.
                      on: {
                        'SOCKET.MESSAGE': { guard: 'isSignOfLife', target: 'watching', reenter: true },
                        'SOCKET.ACTIVITY': { guard: 'isSignOfLife', target: 'watching', reenter: true },
                      },
                      after: { heartbeatTimeout: { target: '#lingering-detected', actions: assign({ lastReason: 'silence' }) } },
                    },
                  },
                },
                tic: {
                  initial: 'waiting',
                  states: {
                    waiting: { after: { ticInterval: { target: 'waiting', reenter: true, actions: 'sendTic' } } },
                  },
                },
                tickle: {
                  initial: 'waiting',
                  // OAuth: a token near expiry is renewed here, in the background, so the socket is kept (a socket
                  // outlives a renewal; only an expired token ends it). Tickles wait while it runs.
                  on: { 'AUTHORIZATION.EXPIRING': { guard: 'isOAuth', target: '.renewing', actions: assign({ lastReason: 'token-expiring' }) } },
                  states: {
                    waiting: { after: { tickleInterval: 'tickling' } },
                    tickling: {
                      invoke: {
                        src: 'checkSession',
                        input: { purpose: 'keep-alive', reauthenticate: false },
                        onDone: [
                          {
                            guard: 'sessionRotated',
                            target: '#reconnect',
                            actions: [
                              assign(({ context, event }) => ({
                                session: event.output.kind === 'authenticated' ? event.output.session : context.session,
                                lastReason: 'session-rotated',
                              })),
                              emit({ type: 'session-rotated' as const }),
                            ],
                          },
                          {
                            guard: 'checkAuthenticated',
                            target: 'waiting',
                            actions: assign(({ context }) => (context.oauth ? { authorization: 'proven' as const } : {})),
                          },
                          // A token renewed a moment ago is refused too: no second renewal at once, start over.
                          { guard: 'freshTokenRefused', target: '#authorizing', actions: assign({ lastReason: 'fresh-token-refused' }) },
                          // IBKR refused the signed tickle: renew once, keeping the socket that still delivers.
                          { guard: 'checkAuthorizationRequired', target: 'renewing', actions: assign({ lastReason: 'token-refused' }) },
                          {
                            guard: 'checkLoginRequired',
                            target: '#checking-session',
                            actions: assign({ lastReason: 'auth-lost' }),
                          },
                          // A REST blip (5xx, timeout) does not condemn a socket that still delivers.
                          { target: 'waiting' },
                        ],
                        onError: { target: 'waiting' },
                      },
                    },
                    renewing: {
                      on: { 'AUTHORIZATION.EXPIRING': {} },
                      invoke: {
                        id: 'authorize',
                        src: 'authorize',
                        input: ({ context }) => ({ reason: context.lastReason ?? 'token-expiring' }),
                        onDone: [
                          { guard: 'authorized', target: 'waiting', actions: assign({ authorization: 'fresh', lastReason: 'token-renewed' }) },
                          {
                            guard: 'authorizationRefused',
                            target: '#reconnect',
                            actions: assign(({ event }) => ({ authorization: 'refused' as const, lastReason: `authorization-${problemOf(event.output)}` })),
                          },
                          { target: '#authorizing', actions: assign({ lastReason: 'authorization-unavailable' }) },
                        ],
                        onError: { target: '#authorizing', actions: assign({ lastReason: 'authorization-failed' }) },
                      },
                    },
                  },
                },
                subscriptions: {
                  initial: 'syncing',
                  states: {
                    syncing: { after: { marketDataRefresh: { target: 'syncing', reenter: true, actions: 'refreshMarketData' } } },
                  },
                },
                stability: {
                  initial: 'settling',
                  states: {
                    settling: { after: { stableAfter: { target: 'stable', actions: 'resetAttempts' } } },
                    stable: {},
                  },
                },
              },
            },

            'lingering-detected': {
              id: 'lingering-detected',
              initial: 'probing',
              entry: emit(({ context }) => ({ type: 'lingering' as const, socketId: context.socketId })),
              states: {
                probing: {
                  entry: 'sendProbe',
                  on: {
                    'SOCKET.MESSAGE': [
                      { guard: 'isAuthLost', target: '#checking-session', actions: assign({ lastReason: 'auth-lost' }) },
                      { guard: 'isSignOfLife', target: '#authenticated', actions: ['emitFalseAlarm', assign({ lastReason: 'false-alarm' })] },
                    ],
                    'SOCKET.ACTIVITY': { guard: 'isSignOfLife', target: '#authenticated', actions: ['emitFalseAlarm', assign({ lastReason: 'false-alarm' })] },
                  },
                  after: { probeTimeout: { target: 'condemned', actions: assign({ lastReason: 'probe-timeout' }) } },
                },
                condemned: {
                  // Terminate while the socket actor still exists: a lingering socket may never answer a close
                  // handshake, so it is destroyed rather than closed. Then straight on to a fresh socket.
                  entry: 'terminateSocket',
                  always: { target: '#reconnect' },
                },
              },
            },
          },
        },
      },
    },

    reconnect: {
      id: 'reconnect',
      // Exponential backoff with full jitter; `failed` once the attempts are spent (never, by default).
      entry: [
        assign(({ context }) => {
          const attempt = context.attempt + 1;
          const jittered = backoffDelayMs(context.timing, attempt, context.random);
          const floor = context.authorization === 'refused' ? authorizationRetryFloorMs(context.timing, attempt) : 0;
          return { attempt, backoffDelayMs: Math.max(jittered, floor) };
        }),
        enqueueActions(({ context, enqueue }) => {
          if (context.attempt > context.maxAttempts) return;
          enqueue.emit({ type: 'reconnect', attempt: context.attempt, delayMs: context.backoffDelayMs, reason: context.lastReason ?? 'unknown' });
        }),
      ],
      always: { guard: 'attemptsExhausted', target: 'failed' },
      // The wait ends in a check (a 401 there renews) or in `authorizing`: a renewal notice must not cut it short.
      on: { 'AUTHORIZATION.EXPIRING': {} },
      after: {
        backoff: [
          { guard: 'needsAuthorization', target: 'authorizing', actions: assign({ lastReason: 'backoff-elapsed' }) },
          { target: 'checking-session', actions: assign({ lastReason: 'backoff-elapsed' }) },
        ],
      },
    },

    failed: {
      // Exhausted attempts counted one past maxAttempts; a FATAL failure comes with the attempts made so far.
      entry: emit(({ context }) => ({
        type: 'failed' as const,
        attempts: context.attempt > context.maxAttempts ? context.attempt - 1 : context.attempt,
        reason: context.lastReason ?? 'unknown',
      })),
      on: {
        RETRY: [
          { guard: 'needsAuthorization', target: 'authorizing', actions: assign({ attempt: 0, lastReason: 'retry' }) },
          { target: 'checking-session', actions: assign({ attempt: 0, lastReason: 'retry' }) },
        ],
        'AUTHORIZATION.EXPIRING': {},
      },
    },

    stopped: { type: 'final' },
  },
});

function definedOnly(timing: Partial<ConnectionTiming>): Partial<ConnectionTiming> {
  return Object.fromEntries(Object.entries(timing).filter(([, value]) => value !== undefined)) as Partial<ConnectionTiming>;
}
