/**
 * The real connection statechart with in-memory adapters, for inspector tests that need no network: the session
 * check answers "authenticated" with a known session value, and the socket opens and greets at once. `linger()`
 * stops the socket's frames so the machine's own timers walk it through lingering-detected and reconnect.
 */
import { createActor, fromCallback, fromPromise, type InspectionEvent } from 'xstate';
import { connectionMachine } from '../../../machines/index.js';
import { Secret } from '../../../src/protocol/secret.js';
import type {
  SessionCheck,
  SessionCheckInput,
  SocketCommand,
  SocketEvent,
  SocketInput,
} from '../../../src/protocol/session.js';
import type { ServerMessage } from '../../../src/protocol/types.js';

export const SYNTHETIC_SESSION = 'feedfacecafebeef0123456789abcdef';

export function startSyntheticConnection(inspect: (event: InspectionEvent) => void) {
  let silent = false;
  const machine = connectionMachine.provide({
    actors: {
      checkSession: fromPromise<SessionCheck, SessionCheckInput>(async () => ({
        kind: 'authenticated',
        session: new Secret(SYNTHETIC_SESSION),
        competing: false,
      })),
      socket: fromCallback<SocketCommand, SocketInput, SocketEvent>(({ input, sendBack }) => {
        silent = false;
        // The greeting is scheduled from the open, never beside it: timers of different durations do not fire in
        // duration order under load (a 10 ms timer joins the list of an earlier 10 ms one and can run before a 5 ms
        // one), and a greeting before the open is one no real socket sends.
        const timers: NodeJS.Timeout[] = [];
        timers.push(
          setTimeout(() => {
            sendBack({ type: 'SOCKET.OPENED', socketId: input.socketId });
            timers.push(
              setTimeout(
                () =>
                  sendBack({
                    type: 'SOCKET.MESSAGE',
                    socketId: input.socketId,
                    message: { kind: 'system-success', username: 'user123' } as ServerMessage,
                  }),
                5,
              ),
            );
          }, 5),
        );
        const heartbeat = setInterval(() => {
          if (!silent)
            sendBack({
              type: 'SOCKET.MESSAGE',
              socketId: input.socketId,
              message: { kind: 'heartbeat', hb: 1 } as ServerMessage,
            });
        }, 50);
        return () => {
          for (const timer of timers) clearTimeout(timer);
          clearInterval(heartbeat);
        };
      }),
    },
  });
  const actor = createActor(machine, {
    input: {
      random: () => 1,
      timing: {
        heartbeatTimeoutMs: 300,
        probeTimeoutMs: 150,
        backoffInitialMs: 50,
        backoffMaxMs: 50,
        tickleIntervalMs: 60_000,
      },
    },
    inspect,
  });
  actor.start();
  actor.send({ type: 'START' });
  return {
    actor,
    linger() {
      silent = true;
    },
    stop() {
      actor.send({ type: 'STOP' });
      actor.stop();
    },
  };
}
