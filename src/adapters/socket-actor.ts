/**
 * The statechart's `socket` actor over `ws`: opens one WebSocket to the gateway, turns frames into typed messages,
 * and lives exactly as long as the `socket` state that invokes it.
 *
 * Two planes leave this file. Lifecycle frames (greeting, status, heartbeats, errors…) go to the machine as events.
 * Data frames (market data, orders, …) go straight to `onData`, and the machine only hears a throttled ACTIVITY
 * notice, so a market-data flood costs at most one XState event per `activityThrottleMs`.
 *
 * Teardown is the point of the design: once the cleanup has run, `disposed` is set and no listener of this socket can
 * reach the machine again, whatever ws still emits. A stale socket cannot act on a newer state.
 */
import WebSocket from 'ws';
import { fromCallback } from 'xstate';
import { decodeFrame } from '../protocol/decode.js';
import { frameText } from '../protocol/frame-text.js';
import { encodeCommand } from '../protocol/encode.js';
import { ProtocolError } from '../protocol/errors.js';
import type { ClientCommand, ServerMessage } from '../protocol/types.js';
import type { SocketCommand, SocketEvent, SocketInput } from '../protocol/session.js';
import { IbkrWsError } from '../errors.js';
import type { ConnectionDiagnostics } from '../diagnostics.js';
import { redactWireText } from '../protocol/redact-wire-text.js';
import { describeCertificateError, type ResolvedTls } from './tls.js';

/** Kinds the statechart reasons about; everything else is data. */
const LIFECYCLE_KINDS = new Set<ServerMessage['kind']>([
  'system-success',
  'heartbeat',
  'act',
  'sts',
  'waiting-for-session',
  'tic',
  'echo',
  'error',
]);

export interface SocketObserver {
  /** Data-plane messages, and error frames (a subscription may have failed). */
  onData(message: ServerMessage, socketId: number): void;
  /** A frame that could not be decoded: counted, reported, and the stream goes on. */
  onProtocolError(error: ProtocolError, socketId: number): void;
  onFrameIn(byteLength: number): void;
  onFrameOut(byteLength: number): void;
  /** Lets the client send data-plane commands and apply backpressure while this socket is open. */
  onSocketChange?(socket: LiveSocket | undefined): void;
  onTransportError?(error: IbkrWsError, socketId: number): void;
  /** Called at teardown with a promise that settles once the TCP socket is really gone (for a clean `stop()`). */
  onTeardown?(closed: Promise<void>, socketId: number): void;
}

export interface LiveSocket {
  readonly socketId: number;
  send(commands: readonly ClientCommand[]): void;
  pause(): void;
  resume(): void;
}

/** What the actor uses of a `ws` WebSocket: the real one, or a small fake in the unit tests. */
export type WebSocketLike = Pick<
  WebSocket,
  'on' | 'once' | 'send' | 'close' | 'terminate' | 'pause' | 'resume' | 'readyState'
>;

export interface SocketActorOptions {
  readonly wsUrl: URL;
  readonly tls: ResolvedTls;
  readonly userAgent: string;
  /** `plain`: `Cookie: api=<session>`; `json`: `Cookie: api={"session":"<session>"}` (docs/PROTOCOL.md §1.9: UNCERTAIN). */
  readonly cookieFormat: 'plain' | 'json';
  readonly maxFrameBytes: number;
  readonly maxPayloadBytes: number;
  readonly closeTimeoutMs: number;
  readonly activityThrottleMs: number;
  readonly observer: SocketObserver;
  /** Told of each socket's opening and closing, and of every frame in and out (its kind, topic and size). */
  readonly diagnostics?: ConnectionDiagnostics;
  /** Opens the socket; `new WebSocket(url, options)` of `ws` unless a test hands in a fake. */
  readonly openWebSocket?: (url: URL, options: WebSocket.ClientOptions) => WebSocketLike;
}

const openRealWebSocket = (url: URL, options: WebSocket.ClientOptions): WebSocketLike => new WebSocket(url, options);

export function createSocketActor(options: SocketActorOptions) {
  return fromCallback<SocketCommand, SocketInput, SocketEvent>(({ input, sendBack, receive }) => {
    const { socketId, session } = input;
    const { observer } = options;
    let disposed = false;
    // -Infinity, not 0: performance.now() counts from process start, so 0 would swallow the first frames of a young process.
    let lastActivityAt = Number.NEGATIVE_INFINITY;

    const cookieValue =
      options.cookieFormat === 'json' ? JSON.stringify({ session: session.reveal() }) : session.reveal();
    // `closeTimeout` is a ws client option its type declarations do not list yet (ws/lib/websocket.js).
    const clientOptions: WebSocket.ClientOptions & { closeTimeout: number } = {
      headers: { Cookie: `api=${cookieValue}`, 'User-Agent': options.userAgent },
      ca: options.tls.ca,
      rejectUnauthorized: options.tls.rejectUnauthorized,
      // IBKR occasionally emits non-UTF-8 bytes; ws would kill the socket (https://github.com/Voyz/ibind/issues/148). The codec decodes leniently.
      skipUTF8Validation: true,
      maxPayload: options.maxPayloadBytes,
      closeTimeout: options.closeTimeoutMs,
      perMessageDeflate: false,
      // Cookies go to the configured gateway only: never follow a redirect elsewhere.
      followRedirects: false,
    };
    const ws = (options.openWebSocket ?? openRealWebSocket)(options.wsUrl, clientOptions);
    options.diagnostics?.socketOpening?.({ socketId, at: Date.now() });

    const emit = (event: SocketEvent): void => {
      if (!disposed) sendBack(event);
    };

    const diagnostics = options.diagnostics;
    const sendText = (text: string, kind: string, topic?: string): void => {
      if (disposed || ws.readyState !== WebSocket.OPEN) return;
      ws.send(text);
      const bytes = Buffer.byteLength(text);
      observer.onFrameOut(bytes);
      if (diagnostics?.frame !== undefined) {
        diagnostics.frame({
          direction: 'out',
          socketId,
          kind,
          ...(topic === undefined ? {} : { topic }),
          bytes,
          at: Date.now(),
          ...(diagnostics.framePayloads === true ? { text: redactWireText(text) } : {}),
        });
      }
    };

    const live: LiveSocket = {
      socketId,
      send: (commands) => {
        for (const command of commands) {
          // A command the encoder refuses (e.g. an account id with a `+`) is reported and skipped, never thrown into
          // the subscription layer mid-resend.
          let text: string;
          try {
            text = encodeCommand(command);
          } catch (error) {
            if (!(error instanceof ProtocolError)) throw error;
            observer.onTransportError?.(
              new IbkrWsError('unencodable-command', `command not sent: ${error.message}`),
              socketId,
            );
            continue;
          }
          sendText(text, command.op, 'topic' in command ? command.topic : undefined);
        }
      },
      pause: () => {
        if (!disposed) ws.pause();
      },
      resume: () => {
        if (!disposed) ws.resume();
      },
    };

    ws.on('open', () => {
      if (disposed) return;
      observer.onSocketChange?.(live);
      options.diagnostics?.socketOpened?.({ socketId, at: Date.now() });
      emit({ type: 'SOCKET.OPENED', socketId });
    });

    // One options object per socket, not one per frame.
    const decodeOptions = { maxFrameBytes: options.maxFrameBytes };
    ws.on('message', (data: WebSocket.RawData) => {
      if (disposed) return;
      const byteLength = Array.isArray(data)
        ? data.reduce((sum, part) => sum + part.length, 0)
        : (data as Buffer).byteLength;
      observer.onFrameIn(byteLength);
      const result = decodeFrame(data as Buffer | Buffer[] | ArrayBuffer, decodeOptions);
      if (diagnostics?.frame !== undefined) reportFrameIn(data, byteLength, result.ok ? result.message : undefined);
      if (!result.ok) {
        observer.onProtocolError(result.error, socketId);
        // Undecodable bytes still prove the socket is alive.
        notifyActivity();
        return;
      }
      const message = result.message;
      if (LIFECYCLE_KINDS.has(message.kind)) {
        if (message.kind === 'error') observer.onData(message, socketId);
        // A tic reply's `id` is the session value: the statechart never reads it, and its events reach inspectors.
        emit({
          type: 'SOCKET.MESSAGE',
          socketId,
          message: message.kind === 'tic' ? { ...message, id: undefined } : message,
          at: performance.now(),
        });
        return;
      }
      observer.onData(message, socketId);
      notifyActivity();
    });

    function reportFrameIn(data: WebSocket.RawData, bytes: number, message: ServerMessage | undefined): void {
      const topic = message !== undefined && 'topic' in message ? message.topic : undefined;
      let text: string | undefined;
      if (diagnostics?.framePayloads === true) {
        const decoded = frameText(data as Buffer | Buffer[] | ArrayBuffer, Number.MAX_SAFE_INTEGER);
        text = typeof decoded === 'string' ? redactWireText(decoded) : undefined;
      }
      diagnostics?.frame?.({
        direction: 'in',
        socketId,
        kind: message?.kind ?? 'undecodable',
        ...(typeof topic === 'string' ? { topic } : {}),
        bytes,
        at: Date.now(),
        ...(text === undefined ? {} : { text }),
      });
    }

    function notifyActivity(): void {
      const now = performance.now();
      if (now - lastActivityAt < options.activityThrottleMs) return;
      lastActivityAt = now;
      emit({ type: 'SOCKET.ACTIVITY', socketId, at: now });
    }

    ws.on('close', (code: number, reason: Buffer) => {
      options.diagnostics?.socketClosed?.({
        socketId,
        code,
        reason: reason.toString('utf8').slice(0, 123),
        at: Date.now(),
      });
      emit({ type: 'SOCKET.CLOSED', socketId, code, reason: reason.toString('utf8').slice(0, 123) });
    });

    ws.on('error', (error: Error) => {
      const described =
        describeCertificateError(error) ??
        new IbkrWsError('socket-error', `gateway socket: ${(error as NodeJS.ErrnoException).code ?? error.message}`, {
          cause: error,
        });
      if (!disposed) observer.onTransportError?.(described, socketId);
      emit({ type: 'SOCKET.ERROR', socketId, error: { code: described.code, message: described.message } });
    });

    // ws answers pings itself (autoPong); an unexpected upgrade response (401, 502 from a proxy) becomes an error event.
    ws.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      const error = new IbkrWsError('socket-error', `gateway refused the socket upgrade with HTTP ${status}`);
      if (!disposed) observer.onTransportError?.(error, socketId);
      emit({ type: 'SOCKET.ERROR', socketId, error: { code: error.code, message: error.message } });
      ws.terminate();
    });

    let terminateAtTeardown = false;

    receive((command) => {
      if (disposed) return;
      switch (command.type) {
        case 'SOCKET.SEND_TIC':
          sendText(encodeCommand({ op: 'tic' }), 'tic');
          break;
        case 'SOCKET.SEND_PROBE':
          sendText(encodeCommand({ op: 'echo' }), 'echo');
          break;
        case 'SOCKET.SEND_SESSION':
          sendText(encodeCommand({ op: 'session', session: session.reveal() }), 'session');
          break;
        case 'SOCKET.TERMINATE':
          terminateAtTeardown = true;
          break;
      }
    });

    return () => {
      disposed = true;
      observer.onSocketChange?.(undefined);
      // Listeners stay attached but silent (every one checks `disposed`); the extra error listener makes sure a late
      // error (e.g. "closed before the connection was established") is never unhandled.
      ws.on('error', () => {});
      const closed = new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) resolve();
        else ws.once('close', () => resolve());
      });
      observer.onTeardown?.(closed, socketId);
      if (terminateAtTeardown || ws.readyState === WebSocket.CONNECTING) {
        ws.terminate();
      } else if (ws.readyState === WebSocket.OPEN) {
        ws.close(1000);
      }
    };
  });
}
