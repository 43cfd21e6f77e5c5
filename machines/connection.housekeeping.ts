/**
 * The housekeeping of an authenticated socket, as the parallel regions of `socket.ready.authenticated` beside the
 * liveness watch (which stays in connection.machine.ts: it is the story). Each runs on its own timer while the socket
 * is authenticated and stops with it:
 *
 * - `tic`: a `tic` frame keeps IBKR's session alive from the socket side;
 * - `tickle`: the REST tickle keeps the session alive and tells a rotated or lost session; in OAuth mode a live
 *   session token near expiry is renewed here (`renewing`), in the background, so the socket is kept;
 * - `subscriptions`: every market-data stream is re-requested before IBKR expires it;
 * - `stability`: a socket that stayed up long enough resets the reconnect attempts.
 */
import { assign, emit } from 'xstate';
import { connectionSetup } from './connection.setup.js';
import { problemOf } from './connection.authorization.js';

export const ticRegion = connectionSetup.createStateConfig({
  initial: 'waiting',
  states: {
    waiting: { after: { ticInterval: { target: 'waiting', reenter: true, actions: 'sendTic' } } },
  },
});

export const tickleRegion = connectionSetup.createStateConfig({
  initial: 'waiting',
  // OAuth: a token near expiry is renewed here, in the background, so the socket is kept (a socket
  // outlives a renewal; only an expired token ends it). Tickles wait while it runs.
  on: {
    'AUTHORIZATION.EXPIRING': {
      guard: 'isOAuth',
      target: '.renewing',
      actions: assign({ lastReason: 'token-expiring' }),
    },
  },
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
          {
            guard: 'freshTokenRefused',
            target: '#authorizing',
            actions: assign({ lastReason: 'fresh-token-refused' }),
          },
          // IBKR refused the signed tickle: renew once, keeping the socket that still delivers.
          {
            guard: 'checkAuthorizationRequired',
            target: 'renewing',
            actions: assign({ lastReason: 'token-refused' }),
          },
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
          {
            guard: 'authorized',
            target: 'waiting',
            actions: assign({ authorization: 'fresh', lastReason: 'token-renewed' }),
          },
          {
            guard: 'authorizationRefused',
            target: '#reconnect',
            actions: assign(({ event }) => ({
              authorization: 'refused' as const,
              lastReason: `authorization-${problemOf(event.output)}`,
            })),
          },
          { target: '#authorizing', actions: assign({ lastReason: 'authorization-unavailable' }) },
        ],
        onError: { target: '#authorizing', actions: assign({ lastReason: 'authorization-failed' }) },
      },
    },
  },
});

export const marketDataRefreshRegion = connectionSetup.createStateConfig({
  initial: 'syncing',
  states: {
    syncing: {
      after: { marketDataRefresh: { target: 'syncing', reenter: true, actions: 'refreshMarketData' } },
    },
  },
});

export const stabilityRegion = connectionSetup.createStateConfig({
  initial: 'settling',
  states: {
    settling: { after: { stableAfter: { target: 'stable', actions: 'resetAttempts' } } },
    stable: {},
  },
});
