/**
 * One WebSocket connection, behaving as a gateway socket does (§2, §3, §7.4–§7.7):
 *
 * - `connecting` for `greetingDelayMs` (the gateway opens its upstream link): client frames are dropped and counted;
 * - then, logged in: greeting `system` success, `act`, full `sts` → `ready`, a heartbeat every interval;
 *   not logged in (or `requireSessionMessage`): `{"message":"waiting for session"}` → `awaiting-session` until a
 *   valid `{"session":…}`, answered `sts` `authenticated:true` + `system` success (OAUTH-DOC order, §2.1);
 * - `ready`: `tic`, `ech+hb`, topics; a `{"session":…}` or an unknown code gets `Topic unknown '<3 chars>'`.
 *
 * Faults that act on open sockets live here: linger (silent, TCP open), terminate (1006), close (1000, no reason).
 */
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { parseClientCommand, type ParsedClientCommand } from '../protocol/parse-client-command.js';
import type { GatewayChange, GatewayState } from './gateway-state.js';
import type { SimulatorLog } from './log.js';
import type { MarketDataMode, ResolvedSimulatorOptions } from './options.js';
import * as frames from './server-frames.js';
import { Timers } from './timers.js';
import type { FloodOutlet } from './topics/market-data.js';
import { SocketTopics, type GatewayResources } from './topics/socket-topics.js';
import type { TrafficRecord } from './traffic-record.js';
import type { ClientFrameOutcome } from './types.js';

type Phase = 'connecting' | 'awaiting-session' | 'ready' | 'closed';

export interface SocketSessionContext {
  readonly options: ResolvedSimulatorOptions;
  readonly state: GatewayState;
  readonly record: TrafficRecord;
  readonly resources: GatewayResources;
  readonly log: SimulatorLog;
  /** Read at accept time: the control can change it for later sockets. */
  readonly requireSessionMessage: boolean;
  /** The pace of market data when the socket opens (the control changes open sockets itself). */
  readonly marketDataMode: MarketDataMode;
}

export class SocketSession {
  readonly id: number;
  readonly #ws: WebSocket;
  readonly #socket: Duplex;
  readonly #context: SocketSessionContext;
  readonly #timers = new Timers();
  readonly #topics: SocketTopics;
  #phase: Phase = 'connecting';
  #lingering = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #silenceTimer: NodeJS.Timeout | undefined;
  #lastClientFrameAt = Date.now();
  readonly #onClosed: (session: SocketSession) => void;

  constructor(
    ws: WebSocket,
    socket: Duplex,
    path: string,
    context: SocketSessionContext,
    onClosed: (session: SocketSession) => void,
  ) {
    this.#ws = ws;
    this.#socket = socket;
    this.#context = context;
    this.#onClosed = onClosed;
    this.id = context.record.openConnection(path);
    this.#topics = new SocketTopics(this.#outlet(), context.resources, context.marketDataMode);
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', (code) => this.#onClose(code));
    ws.on('error', (error) =>
      context.log('debug', 'simulator socket error', { connectionId: this.id, error: error.message }),
    );
    this.#timers.setTimeout(() => this.#greet(), context.options.greetingDelayMs);
    this.#armSilenceTimer();
  }

  get ready(): boolean {
    return this.#phase === 'ready';
  }

  get topics(): SocketTopics {
    return this.#topics;
  }

  linger(): void {
    this.#lingering = true;
  }

  resume(): void {
    this.#lingering = false;
  }

  /** Destroys the TCP connection without a close frame: the client sees 1006. */
  terminate(): void {
    this.#ws.terminate();
  }

  /** For the simulator's close(): stops every timer now (the close event comes later) and drops the connection. */
  dispose(): void {
    this.#topics.clear();
    this.#timers.close();
    this.#ws.terminate();
  }

  /** Closes with `code` and no reason, like the gateway when its upstream link ends (§5). */
  close(code = 1000): void {
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) this.#ws.close(code);
  }

  /** Sends exact bytes, bypassing JSON and linger (a fault is sent on purpose). */
  sendRaw(data: string | Uint8Array, binary: boolean): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(typeof data === 'string' && binary ? Buffer.from(data, 'utf8') : data, { binary });
    this.#context.record.counters.serverFrames += 1;
  }

  /** Sends a JSON frame on a ready socket (unsolicited topics such as `ntf`, `blt`). */
  pushToReady(message: Record<string, unknown>): void {
    if (this.#phase === 'ready') this.#send(message);
  }

  onGatewayChange(change: GatewayChange): void {
    // A socket still connecting greets with the new state; one waiting for a session has no session to lose.
    if (this.#phase !== 'ready') return;
    switch (change.kind) {
      case 'brokerage-lost':
        this.#topics.clear();
        if (change.silent) this.linger();
        else this.#send(frames.statusFrame(change.statusArgs));
        break;
      case 'brokerage-restored':
        this.#send(frames.fullStatusFrame(this.#context.state.brokerage));
        break;
      case 'logged-out':
        this.#topics.clear();
        this.#send(frames.statusFrame({ authenticated: false }));
        this.close(1000);
        break;
    }
  }

  #outlet(): FloodOutlet {
    const session = this;
    return {
      send: (message, onWritten) => session.#send(message, onWritten),
      get bufferedAmount() {
        return session.#ws.bufferedAmount;
      },
      timers: this.#timers,
      options: this.#context.options,
      whenDrained: (callback) => {
        if (session.#socket.writableNeedDrain) session.#socket.once('drain', callback);
        else session.#timers.setImmediate(callback);
      },
    };
  }

  #send(message: Record<string, unknown>, onWritten?: () => void): boolean {
    if (this.#phase === 'closed' || this.#lingering || this.#ws.readyState !== this.#ws.OPEN) return false;
    this.#sendText(JSON.stringify(message), onWritten);
    return true;
  }

  #sendText(text: string, onWritten?: () => void): void {
    const binary = this.#context.options.frames === 'binary';
    this.#ws.send(binary ? Buffer.from(text, 'utf8') : text, { binary }, onWritten);
    this.#context.record.counters.serverFrames += 1;
  }

  #greet(): void {
    const { state, options, requireSessionMessage } = this.#context;
    if (this.#phase !== 'connecting') return;
    if (!state.loggedIn || requireSessionMessage) {
      this.#phase = 'awaiting-session';
      this.#send(frames.WAITING_FOR_SESSION_FRAME);
      return;
    }
    this.#phase = 'ready';
    this.#context.record.emit('ready', { connectionId: this.id });
    this.#send(frames.systemSuccessFrame(options));
    this.#send(frames.accountFrame(options));
    this.#send(frames.fullStatusFrame(state.brokerage));
    if (options.statusVariants) for (const variant of frames.statusVariantFrames(options)) this.#send(variant);
    this.#startHeartbeat();
  }

  #startHeartbeat(): void {
    this.#heartbeat ??= this.#timers.setInterval(() => {
      if (this.#send(frames.heartbeatFrame())) this.#context.record.counters.heartbeats += 1;
    }, this.#context.options.heartbeatIntervalMs);
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    const text = rawToText(data);
    const command = parseClientCommand(text);
    const beforeGreeting = this.#phase === 'connecting';
    this.#lastClientFrameAt = Date.now();
    let outcome: ClientFrameOutcome;
    if (beforeGreeting) outcome = 'dropped-before-greeting';
    else if (this.#lingering) outcome = 'ignored-lingering';
    else
      outcome =
        this.#phase === 'awaiting-session'
          ? this.#handleWhileAwaiting(command, text)
          : this.#handleReady(command, text);
    this.#context.record.recordClientFrame({
      connectionId: this.id,
      text,
      binary: isBinary,
      at: this.#lastClientFrameAt,
      beforeGreeting,
      command,
      outcome,
    });
  }

  #handleWhileAwaiting(command: ParsedClientCommand, text: string): ClientFrameOutcome {
    if ('error' in command) return 'ignored-awaiting-session';
    if (command.op === 'echo') {
      this.#sendEcho(text);
      return 'handled';
    }
    if (command.op !== 'session') return 'ignored-awaiting-session';
    const { state, options } = this.#context;
    if (!state.loggedIn || command.session !== state.sessionValue) {
      // Undocumented (§2.2): an `sts` saying "not authenticated" is the signal clients already handle.
      this.#send(frames.statusFrame({ authenticated: false }));
      return 'rejected-session';
    }
    this.#phase = 'ready';
    this.#context.record.emit('ready', { connectionId: this.id });
    this.#send(frames.statusFrame({ authenticated: true }));
    this.#send(frames.systemSuccessFrame(options));
    this.#startHeartbeat();
    return 'handled';
  }

  #handleReady(command: ParsedClientCommand, text: string): ClientFrameOutcome {
    if ('error' in command || command.op === 'session') {
      // A session message on an authenticated socket is read as topic `{"s` (IBIND-I25, §2.2).
      this.#send(frames.topicUnknownFrame('error' in command ? command.code3 : text.slice(0, 3)));
      return 'topic-unknown';
    }
    switch (command.op) {
      case 'tic':
        return this.#answerTic();
      case 'echo':
        this.#sendEcho(text);
        return 'handled';
      default:
        return this.#topics.handle(command, this.#context.state.brokerage.authenticated);
    }
  }

  #answerTic(): ClientFrameOutcome {
    const { state, options } = this.#context;
    const now = Date.now();
    if (options.ticCountsAsActivity) state.recordActivity(now);
    const reply = frames.ticFrame(state.sessionValue, now);
    for (let count = 0; count < options.ticReplies; count++) this.#send(reply);
    return 'handled';
  }

  /** The echo is the client's own text, verbatim (`ech+hb`, §3.2). */
  #sendEcho(text: string): void {
    if (this.#phase !== 'closed' && !this.#lingering && this.#ws.readyState === this.#ws.OPEN) this.#sendText(text);
  }

  /** §3.6's optional knob: close 1000 after `closeAfterClientSilenceMs` without a client frame. */
  #armSilenceTimer(): void {
    const limit = this.#context.options.closeAfterClientSilenceMs;
    if (limit === 0) return;
    this.#silenceTimer = this.#timers.setTimeout(
      () => {
        if (Date.now() - this.#lastClientFrameAt >= limit) this.close(1000);
        else this.#armSilenceTimer();
      },
      Math.max(0, this.#lastClientFrameAt + limit - Date.now()),
    );
  }

  #onClose(code: number): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#timers.clear(this.#silenceTimer);
    this.#topics.clear();
    this.#timers.close();
    this.#context.record.closeConnection(this.id, code);
    this.#onClosed(this);
  }
}

/** Client frames decoded leniently: invalid UTF-8 becomes U+FFFD, never an exception. */
function rawToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
