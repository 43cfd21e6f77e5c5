/**
 * Turns a flight record (the client's view) into the gateway's part to play back: per socket, the frames it sent and
 * when (relative to the socket's opening), and the close it made; per REST path, the answers it gave and how long it
 * took. Pure: the replay server (replay-server.ts) does the I/O.
 *
 * Two things the record cannot say directly are inferred from what the client did next:
 * - who closed a socket: the gateway, when the socket closed while the client still stood in a socket phase; the
 *   client itself (probe timeout, stop) when it had already left that phase;
 * - what a 200 tickle said: `authenticated`, unless the client then reported `login-required` (its reason says
 *   `not-authenticated`, `competing` or `no-session`), or dropped an authenticated socket for `auth-lost` with no
 *   `sts` in between; a tickle followed by `session-rotated` hands out a new session value.
 *
 * REST answers are tied to the gateway's own actions, not to the clock: each recorded call belongs to the "gap" after
 * the n-th frame or close the gateway had sent by then; a replayed call is answered from the same gap (in order, the
 * last one repeating), so a client that polls a little faster or slower still hears 401 after the logout and 200
 * after the login.
 */
import type { FlightRecord, RecordEvent, StatusFlags } from '../../recorder/index.js';

type FrameEvent = Extract<RecordEvent, { type: 'frame' }>;

export interface ScriptedFrame {
  readonly kind: string;
  readonly topic?: string;
  readonly bytes: number;
  readonly sts?: StatusFlags;
  readonly text?: string;
}

export type SocketAction =
  | { readonly atMs: number; readonly type: 'frame'; readonly frame: ScriptedFrame }
  /** code 1006 = drop the TCP connection; 1005 = a close frame without a code. */
  | { readonly atMs: number; readonly type: 'close'; readonly code: number };

export interface SocketScript {
  readonly socket: number;
  /** The upgrade answer was this late (a slow handshake); 0 when it was prompt. */
  readonly handshakeDelayMs: number;
  /** The upgrade never completed: refuse it (drop the connection). */
  readonly refused: boolean;
  readonly actions: readonly SocketAction[];
}

export type TickleVerdict = 'authenticated' | 'not-authenticated' | 'competing' | 'no-session';

export interface RestAnswer {
  readonly gap: number;
  readonly status?: number;
  /** `timeout`: never answer; anything else: drop the connection. */
  readonly error?: string;
  readonly delayMs: number;
  /** For a 200 tickle (and auth/status): what the body says. */
  readonly verdict: TickleVerdict;
  /** Hand out a new session value with this answer. */
  readonly rotate: boolean;
}

export interface ReplayScript {
  readonly sockets: readonly SocketScript[];
  /** By REST path (`/v1/api/tickle`), in recorded order. */
  readonly rest: ReadonlyMap<string, readonly RestAnswer[]>;
  /** The state names the client went through, for people and tests. */
  readonly states: readonly string[];
}

/** The phases in which the client holds a socket (the public lifecycle names of LIFECYCLE_STATES). */
const SOCKET_PHASES = new Set(['open', 'awaiting-session', 'sending-session', 'authenticated', 'lingering-detected']);
/** Below this, a handshake was just a handshake. */
const SLOW_HANDSHAKE_MS = 100;

export function buildReplayScript(record: FlightRecord): ReplayScript {
  const events = record.events;
  const sockets = buildSockets(events);
  const serverActionTimes = sockets
    .flatMap((script) => script.actions.map((action) => action.atMs + openedAtOf(events, script.socket)))
    .sort((a, b) => a - b);
  return {
    sockets,
    rest: buildRest(events, serverActionTimes),
    states: events.filter((event) => event.type === 'state').map((event) => (event as { state: string }).state),
  };
}

function openedAtOf(events: readonly RecordEvent[], socket: number): number {
  const opened = events.find((event) => event.type === 'socket-opened' && event.socket === socket);
  const opening = events.find((event) => event.type === 'socket-opening' && event.socket === socket);
  return opened?.t ?? opening?.t ?? 0;
}

function buildSockets(events: readonly RecordEvent[]): SocketScript[] {
  const order: number[] = [];
  const actions = new Map<number, SocketAction[]>();
  const openingAt = new Map<number, number>();
  const openedAt = new Map<number, number>();
  let state = 'idle';
  for (const event of events) {
    switch (event.type) {
      case 'state':
        state = event.state;
        break;
      case 'socket-opening':
        order.push(event.socket);
        openingAt.set(event.socket, event.t);
        actions.set(event.socket, []);
        break;
      case 'socket-opened':
        openedAt.set(event.socket, event.t);
        break;
      case 'frame':
        if (event.dir === 'in')
          actions
            .get(event.socket)
            ?.push({ atMs: offset(event.t, event.socket), type: 'frame', frame: scripted(event) });
        break;
      case 'socket-closed':
        // The client still stood in a socket phase: the close came from the gateway.
        if (SOCKET_PHASES.has(state) && openedAt.has(event.socket)) {
          actions.get(event.socket)?.push({ atMs: offset(event.t, event.socket), type: 'close', code: event.code });
        }
        break;
      default:
        break;
    }
  }
  function offset(t: number, socket: number): number {
    return Math.max(0, t - (openedAt.get(socket) ?? openingAt.get(socket) ?? t));
  }
  return order.map((socket) => {
    const opening = openingAt.get(socket) ?? 0;
    const opened = openedAt.get(socket);
    const delay = opened === undefined ? 0 : opened - opening;
    return {
      socket,
      handshakeDelayMs: delay >= SLOW_HANDSHAKE_MS ? delay : 0,
      refused: opened === undefined,
      actions: (actions.get(socket) ?? []).sort((a, b) => a.atMs - b.atMs),
    };
  });
}

function scripted(event: FrameEvent): ScriptedFrame {
  return {
    kind: event.kind,
    ...(event.topic === undefined ? {} : { topic: event.topic }),
    bytes: event.bytes,
    ...(event.sts === undefined ? {} : { sts: event.sts }),
    ...(event.text === undefined ? {} : { text: event.text }),
  };
}

function buildRest(events: readonly RecordEvent[], serverActionTimes: readonly number[]): Map<string, RestAnswer[]> {
  const rest = new Map<string, RestAnswer[]>();
  let state = 'idle';
  let lastLoginReason: TickleVerdict = 'not-authenticated';
  events.forEach((event, index) => {
    if (event.type === 'state') state = event.state;
    if (event.type === 'login-required') lastLoginReason = loginVerdict(event.reason);
    if (event.type !== 'rest') return;
    const isTickle = event.path.endsWith('/tickle');
    const after = isTickle ? followUp(events, index) : { verdict: undefined, rotate: false };
    const verdict: TickleVerdict = after.verdict ?? (state === 'login-required' ? lastLoginReason : 'authenticated');
    const answers = rest.get(event.path) ?? [];
    answers.push({
      gap: countAtOrBefore(serverActionTimes, event.t),
      ...(event.status === undefined ? {} : { status: event.status }),
      ...(event.error === undefined ? {} : { error: event.error }),
      delayMs: Math.max(0, event.ms),
      verdict,
      rotate: after.rotate,
    });
    rest.set(event.path, answers);
  });
  return rest;
}

/** What the client did after this tickle, up to its next tickle. */
function followUp(
  events: readonly RecordEvent[],
  index: number,
): { verdict: TickleVerdict | undefined; rotate: boolean } {
  let verdict: TickleVerdict | undefined;
  let rotate = false;
  let statusFrameSeen = false;
  for (const event of events.slice(index + 1)) {
    if (event.type === 'rest' && event.path.endsWith('/tickle')) break;
    if (event.type === 'session-rotated') rotate = true;
    if (event.type === 'frame' && event.dir === 'in' && event.kind === 'sts' && event.sts?.authenticated === false)
      statusFrameSeen = true;
    if (event.type === 'login-required') verdict ??= loginVerdict(event.reason);
    if (event.type === 'state' && event.state === 'open') verdict ??= 'authenticated';
    if (event.type === 'state' && event.reason === 'auth-lost' && !statusFrameSeen) verdict ??= 'not-authenticated';
  }
  return { verdict, rotate };
}

function loginVerdict(reason: string): TickleVerdict {
  return reason === 'competing' || reason === 'no-session' ? reason : 'not-authenticated';
}

/** How many of the sorted times are ≤ t (binary search). */
function countAtOrBefore(times: readonly number[], t: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((times[middle] as number) <= t) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The answer for the `index`-th call to a path in `gap`: that gap's calls in order (the last repeats); an empty gap takes the next gap's first answer, or the last answer of all. */
export function pickRestAnswer(answers: readonly RestAnswer[], gap: number, index: number): RestAnswer | undefined {
  const inGap = answers.filter((answer) => answer.gap === gap);
  if (inGap.length > 0) return inGap[Math.min(index, inGap.length - 1)];
  return answers.find((answer) => answer.gap > gap) ?? answers.at(-1);
}
