/**
 * Traces of the connection's life through `@opentelemetry/api` (a no-op until the application registers a
 * TracerProvider; the API's proxy tracer picks it up even after the client was made):
 *
 * - `ibkr_ws.connect`: one span per connection attempt, from `checking-session` to `authenticated` (status OK) or to
 *   the state that ended it (`reconnect`, `login-required`, `failed`, `stopped`: status ERROR, with the reason). The
 *   intermediate states are span events.
 * - children of the attempt: one CLIENT span per REST call (`POST /v1/api/tickle`, timed by the diagnostics tap's
 *   `startedAt`/`durationMs`) and `ibkr_ws.socket.handshake` (socket opening → opened, or closed before it opened).
 * - `ibkr_ws.session`: the authenticated life of a socket, linked to the attempt that made it, with span events
 *   `lingering`, `false-alarm` and `session-rotated`; it ends with the reason the socket was given up. REST calls made
 *   during it (the keep-alive tickle) are its children.
 *
 * Attributes are states, the statechart's reasons, error codes, paths without query strings, status and close codes:
 * never a session value, cookie or frame text.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import type { RestCallRecord, SocketClosedRecord, SocketLifecycleRecord } from '../diagnostics.js';
import { ATTRIBUTE } from './metric-names.js';
import type { ObservedClient } from './source.js';

export const SPAN = {
  attempt: 'ibkr_ws.connect',
  session: 'ibkr_ws.session',
  handshake: 'ibkr_ws.socket.handshake',
} as const;

/** States that end an attempt without a socket. */
const ENDS_ATTEMPT = new Set(['reconnect', 'login-required', 'failed', 'stopped']);
/** States of an attempt: entering one with no attempt open starts one (after a login, the client goes to `open`). */
const IN_ATTEMPT = new Set(['checking-session', 'open', 'awaiting-session', 'sending-session']);

export interface ConnectionTracing {
  attach(client: ObservedClient): void;
  restCall(record: RestCallRecord): void;
  socketOpening(record: SocketLifecycleRecord): void;
  socketOpened(record: SocketLifecycleRecord): void;
  socketClosed(record: SocketClosedRecord): void;
  /** The span the client is in now (session, else attempt), for log correlation. */
  current(): SpanContext | undefined;
}

export function createConnectionTracing(tracer: Tracer): ConnectionTracing {
  let attempt: Span | undefined;
  /**
   * An attempt is known from its state event, but its first REST request was sent a moment before that event was
   * delivered: the span is created at its first child (or event, or end) and starts at the earlier of the two times.
   */
  let pending: { readonly at: number; readonly reason: string | undefined } | undefined;
  let attempts = 0;
  let session: Span | undefined;
  /** The previous session, linked from the attempt that replaces it. */
  let lastSession: SpanContext | undefined;
  const handshakes = new Map<number, Span>();

  function openAttempt(earliest: number): Span | undefined {
    if (attempt !== undefined || pending === undefined) return attempt;
    const { at, reason } = pending;
    pending = undefined;
    attempts++;
    const links: Link[] = lastSession === undefined ? [] : [{ context: lastSession }];
    attempt = tracer.startSpan(
      SPAN.attempt,
      {
        kind: SpanKind.INTERNAL,
        startTime: Math.min(at, earliest),
        links,
        attributes: {
          [ATTRIBUTE.attempt]: attempts,
          ...(reason === undefined ? {} : { 'ibkr_ws.start_reason': reason }),
        },
      },
      ROOT_CONTEXT,
    );
    return attempt;
  }

  function endAttempt(at: number, state: string, reason: string | undefined): void {
    if (openAttempt(at) === undefined || attempt === undefined) return;
    attempt.setAttribute('ibkr_ws.outcome', state);
    if (reason !== undefined) attempt.setAttribute(ATTRIBUTE.reason, reason);
    if (state === 'authenticated') attempt.setStatus({ code: SpanStatusCode.OK });
    else if (state !== 'stopped' || reason !== 'stop')
      attempt.setStatus({ code: SpanStatusCode.ERROR, message: reason ?? state });
    for (const span of handshakes.values()) span.end(at);
    handshakes.clear();
    attempt.end(at);
    attempt = undefined;
  }

  function endSession(at: number, reason: string | undefined): void {
    if (session === undefined) return;
    if (reason !== undefined) session.setAttribute(ATTRIBUTE.reason, reason);
    if (reason !== 'stop') session.setStatus({ code: SpanStatusCode.ERROR, message: reason ?? 'ended' });
    session.end(at);
    lastSession = session.spanContext();
    session = undefined;
  }

  /** Our spans are parented explicitly: whatever context the caller's code happened to be in does not leak in. */
  function parentOf(span: Span | undefined): Context {
    return span === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, span);
  }

  return {
    attach(client) {
      client.on('state', (change) => {
        const holdsSocket = change.state === 'authenticated' || change.state === 'lingering-detected';
        if (!holdsSocket) endSession(change.at, change.reason);
        const inAttempt = attempt !== undefined || pending !== undefined;
        if (IN_ATTEMPT.has(change.state) && !inAttempt) pending = { at: change.at, reason: change.reason };
        else if (inAttempt && IN_ATTEMPT.has(change.state)) {
          openAttempt(change.at)?.addEvent(
            'state',
            {
              [ATTRIBUTE.state]: change.state,
              ...(change.reason === undefined ? {} : { [ATTRIBUTE.reason]: change.reason }),
            },
            change.at,
          );
        }
        if (change.state === 'authenticated' && inAttempt) {
          const made = (openAttempt(change.at) as Span).spanContext();
          endAttempt(change.at, change.state, change.reason);
          session = tracer.startSpan(
            SPAN.session,
            { kind: SpanKind.INTERNAL, startTime: change.at, links: [{ context: made }] },
            ROOT_CONTEXT,
          );
        } else if (ENDS_ATTEMPT.has(change.state) && inAttempt) {
          endAttempt(change.at, change.state, change.reason);
        }
      });
      client.on('lingering', (event) => session?.addEvent('lingering', event.at));
      client.on('false-alarm', (event) => session?.addEvent('false-alarm', event.at));
      client.on('session-rotated', (event) => session?.addEvent('session-rotated', event.at));
    },
    restCall(record) {
      const parent = openAttempt(record.startedAt) ?? session;
      const span = tracer.startSpan(
        `${record.method} ${record.path}`,
        {
          kind: SpanKind.CLIENT,
          startTime: record.startedAt,
          attributes: {
            [ATTRIBUTE.method]: record.method,
            [ATTRIBUTE.path]: record.path,
            ...(record.status === undefined ? {} : { [ATTRIBUTE.statusCode]: record.status }),
            ...(record.errorCode === undefined ? {} : { [ATTRIBUTE.errorType]: record.errorCode }),
          },
        },
        parentOf(parent),
      );
      if (record.errorCode !== undefined || (record.status !== undefined && record.status >= 400)) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: record.errorCode ?? String(record.status) });
      }
      span.end(record.startedAt + record.durationMs);
    },
    socketOpening(record) {
      const parent = openAttempt(record.at);
      if (parent === undefined) return;
      const span = tracer.startSpan(
        SPAN.handshake,
        { startTime: record.at, attributes: { [ATTRIBUTE.socketId]: record.socketId } },
        parentOf(parent),
      );
      handshakes.set(record.socketId, span);
    },
    socketOpened(record) {
      const span = handshakes.get(record.socketId);
      if (span === undefined) return;
      handshakes.delete(record.socketId);
      span.end(record.at);
    },
    socketClosed(record) {
      const span = handshakes.get(record.socketId);
      if (span === undefined) return;
      handshakes.delete(record.socketId);
      span.setAttribute(ATTRIBUTE.closeCode, record.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: `closed ${record.code} before it opened` });
      span.end(record.at);
    },
    current() {
      const span = session ?? attempt;
      return span?.spanContext();
    },
  };
}
