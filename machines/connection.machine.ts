/**
 * The life of one connection to the Client Portal Gateway, as a statechart. Read this file and visualizations/ to know
 * the whole lifecycle; the state table of README.md ("The state diagram") is the contract for the state names.
 *
 *   idle ─START→ checking-session ─authenticated→ socket.open ─opened→ socket.awaiting-session
 *        ─greeting / sts authenticated→ socket.ready.authenticated
 *        ─"waiting for session"→ socket.sending-session ─confirmed→ socket.ready.authenticated
 *   socket.ready.authenticated ─silence→ socket.ready.lingering-detected ─frame→ authenticated (false alarm)
 *                                                   ─probe timeout, then one read of the socket→ reconnect (terminated)
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
 * Liveness: the silence is learnt from the socket's heartbeats (cadence.ts); only an unanswered probe condemns, and only
 * after `confirming` let one poll phase read what a stalled event loop left in the socket (docs/RELIABILITY.md).
 *
 * Pure: no I/O here. The actors (`checkSession`, `socket`, `authorize`) and the data-plane actions (`dataPlaneReady`,
 * `dataPlaneLost`, `refreshMarketData`) are placeholders that src/client.ts replaces with `machine.provide(...)`;
 * tests provide in-memory ones. The vocabulary — actors, named actions, guards, delays, the initial context — is in
 * connection.setup.ts; this file is the arrangement of states.
 */
import { assign, emit, enqueueActions } from 'xstate';
import type { Secret } from '../src/protocol/secret.js';
import { connectionSetup, initialContext } from './connection.setup.js';
import { marketDataRefreshRegion, stabilityRegion, ticRegion, tickleRegion } from './connection.housekeeping.js';
import {
  closeReason,
  leavingReason,
  loginFacts,
  loginNotice,
  socketErrorReason,
  unavailableReason,
} from './connection.reasons.js';
import { problemOf } from './connection.authorization.js';
import { authorizationRetryFloorMs, backoffDelayMs } from './connection.defaults.js';
import { reauthenticateOnPoll } from './login-poll.js';

export type { ConnectionContext, ConnectionEmitted, ConnectionEvent, ConnectionInput } from './connection.types.js';

export const connectionMachine = connectionSetup.createMachine({
  id: 'connection',
  context: ({ input }) => initialContext(input),
  initial: 'idle',
  // STOP is accepted in every state. Leaving `socket` closes the socket 1000; leaving any state clears its timers.
  on: {
    STOP: { target: '.stopped', actions: assign({ lastReason: 'stop' }) },
    FATAL: { target: '.failed', actions: assign(({ event }) => ({ lastReason: event.code })) },
    // OAuth: renew before IBKR refuses the token. Ignored where no token is used yet or one is being obtained.
    'AUTHORIZATION.EXPIRING': {
      guard: 'isOAuth',
      target: '.authorizing',
      actions: assign({ lastReason: 'token-expiring' }),
    },
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
          {
            guard: 'authorized',
            target: 'checking-session',
            actions: assign({ authorization: 'fresh', lastReason: 'authorized' }),
          },
          {
            guard: 'authorizationRefused',
            target: 'reconnect',
            actions: assign(({ event }) => ({
              authorization: 'refused' as const,
              lastReason: `authorization-${problemOf(event.output)}`,
            })),
          },
          {
            target: 'reconnect',
            actions: assign({ authorization: 'failed', lastReason: 'authorization-unavailable' }),
          },
        ],
        onError: {
          target: 'reconnect',
          actions: assign({ authorization: 'failed', lastReason: 'authorization-failed' }),
        },
      },
    },

    'checking-session': {
      id: 'checking-session',
      invoke: {
        src: 'checkSession',
        input: { purpose: 'connect', reauthenticate: false },
        onDone: [
          {
            guard: 'freshTokenRefused',
            target: 'reconnect',
            actions: assign({ authorization: 'refused', lastReason: 'fresh-token-refused' }),
          },
          {
            guard: 'checkAuthorizationRequired',
            target: 'authorizing',
            actions: assign({ lastReason: 'token-refused' }),
          },
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
              assign(({ context, event }) => ({
                ...loginFacts(event.output),
                ...(context.oauth ? { authorization: 'proven' as const } : {}),
              })),
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
          after: {
            loginPollInterval: {
              target: 'polling',
              actions: assign(({ context }) => ({ loginPolls: context.loginPolls + 1 })),
            },
          },
        },
        polling: {
          invoke: {
            src: 'checkSession',
            input: ({ context }) => ({
              purpose: 'login-poll' as const,
              reauthenticate:
                context.autoReauthenticate &&
                context.gatewayLoggedIn &&
                !context.competing &&
                reauthenticateOnPoll(context),
            }),
            onDone: [
              {
                guard: 'checkAuthenticated',
                target: '#socket',
                // A person logged in: this is a fresh start, not a retry.
                actions: [{ type: 'adoptSession', params: { reason: 'logged-in' } }, 'resetAttempts'],
              },
              {
                guard: 'checkAuthorizationRequired',
                target: '#authorizing',
                actions: assign({ lastReason: 'token-refused' }),
              },
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
          on: {
            'SOCKET.OPENED': {
              guard: 'fromCurrentSocket',
              target: 'awaiting-session',
              actions: assign({ lastReason: 'socket-opened' }),
            },
          },
          after: { openTimeout: { target: '#reconnect', actions: assign({ lastReason: 'open-timeout' }) } },
        },

        'awaiting-session': {
          on: {
            'SOCKET.MESSAGE': [
              { guard: 'isGreeting', target: '#authenticated', actions: assign({ lastReason: 'greeting' }) },
              {
                guard: 'isWaitingForSession',
                target: 'sending-session',
                actions: assign({ lastReason: 'waiting-for-session' }),
              },
              {
                guard: 'isAuthLost',
                target: '#checking-session',
                actions: assign({ lastReason: 'not-authenticated' }),
              },
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
          entry: [
            { type: 'dataPlaneReady', params: ({ context }) => ({ socketId: context.socketId }) },
            'emitAuthenticated',
          ],
          exit: { type: 'dataPlaneLost', params: ({ context, event }) => ({ reason: leavingReason(context, event) }) },
          states: {
            authenticated: {
              id: 'authenticated',
              type: 'parallel',
              on: {
                'SOCKET.MESSAGE': {
                  guard: 'isAuthLost',
                  target: '#checking-session',
                  actions: assign({ lastReason: 'auth-lost' }),
                },
              },
              states: {
                liveness: {
                  initial: 'watching',
                  states: {
                    watching: {
                      // Every sign of life restarts the watch (the silence runs from the last frame); a heartbeat also
                      // teaches the cadence. Data frames arrive throttled (at most one ACTIVITY event per second).
                      on: {
                        'SOCKET.MESSAGE': {
                          guard: 'isSignOfLife',
                          target: 'watching',
                          reenter: true,
                          actions: 'observeBeat',
                        },
                        'SOCKET.ACTIVITY': { guard: 'isSignOfLife', target: 'watching', reenter: true },
                      },
                      after: { silence: { target: '#lingering-detected', actions: assign({ lastReason: 'silence' }) } },
                    },
                  },
                },
                // tic, tickle (with OAuth's background renewal), market-data refresh, stability: connection.housekeeping.ts
                tic: ticRegion,
                tickle: tickleRegion,
                subscriptions: marketDataRefreshRegion,
                stability: stabilityRegion,
              },
            },

            'lingering-detected': {
              id: 'lingering-detected',
              initial: 'probing',
              entry: emit(({ context }) => ({ type: 'lingering' as const, socketId: context.socketId })),
              on: {
                'SOCKET.MESSAGE': [
                  { guard: 'isAuthLost', target: '#checking-session', actions: assign({ lastReason: 'auth-lost' }) },
                  {
                    guard: 'isSignOfLife',
                    target: '#authenticated',
                    actions: ['observeBeat', 'emitFalseAlarm', assign({ lastReason: 'false-alarm' })],
                  },
                ],
                'SOCKET.ACTIVITY': {
                  guard: 'isSignOfLife',
                  target: '#authenticated',
                  actions: ['emitFalseAlarm', assign({ lastReason: 'false-alarm' })],
                },
              },
              states: {
                probing: { entry: 'sendProbe', after: { probeTimeout: 'confirming' } },
                // Any frame in either is a false alarm. A late probe timer (a stall) may fire ahead of an answer in the buffer.
                confirming: {
                  after: { readBuffered: { target: 'condemned', actions: assign({ lastReason: 'probe-timeout' }) } },
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
          enqueue.emit({
            type: 'reconnect',
            attempt: context.attempt,
            delayMs: context.backoffDelayMs,
            reason: context.lastReason ?? 'unknown',
          });
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
