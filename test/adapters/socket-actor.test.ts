/**
 * The socket actor over a fake `ws` socket (an EventEmitter with the few methods the actor calls): teardown closes
 * 1000 or terminates, settles once the TCP socket is gone, and after it nothing of that socket reaches the machine;
 * frames split into the lifecycle plane (events) and the data plane (observer, throttled ACTIVITY).
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createActor, setup, type AnyActorRef } from 'xstate';
import {
  createSocketActor,
  type LiveSocket,
  type SocketObserver,
  type WebSocketLike,
} from '../../src/adapters/socket-actor.js';
import type { IbkrWsError } from '../../src/errors.js';
import { Secret } from '../../src/protocol/secret.js';
import type { SocketCommand, SocketEvent } from '../../src/protocol/session.js';
import type { ServerMessage } from '../../src/protocol/types.js';

const SESSION = '0123456789abcdef0123456789abcdef';

class FakeWebSocket extends EventEmitter {
  readyState: number = WebSocket.CONNECTING;
  readonly sent: string[] = [];
  readonly calls: string[] = [];
  readonly options: WebSocket.ClientOptions;

  constructor(options: WebSocket.ClientOptions) {
    super();
    this.options = options;
  }
  open(): void {
    this.readyState = WebSocket.OPEN;
    this.emit('open');
  }
  frame(json: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(json)));
  }
  /** The TCP socket is really gone. */
  closed(code = 1000): void {
    this.readyState = WebSocket.CLOSED;
    this.emit('close', code, Buffer.from(''));
  }
  send(text: string): void {
    this.sent.push(text);
  }
  close(code?: number): void {
    this.calls.push(`close ${code}`);
    this.readyState = WebSocket.CLOSING;
  }
  terminate(): void {
    this.calls.push('terminate');
    this.readyState = WebSocket.CLOSING;
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
}

interface Rig {
  readonly ws: FakeWebSocket;
  readonly events: SocketEvent[];
  readonly data: ServerMessage[];
  readonly errors: IbkrWsError[];
  readonly teardowns: Promise<void>[];
  readonly live: Array<LiveSocket | undefined>;
  send(command: SocketCommand): void;
  stop(): void;
}

const started: AnyActorRef[] = [];
afterEach(() => {
  for (const actor of started.splice(0)) actor.stop();
});

function rig(activityThrottleMs = 1_000): Rig {
  const events: SocketEvent[] = [];
  const data: ServerMessage[] = [];
  const errors: IbkrWsError[] = [];
  const teardowns: Promise<void>[] = [];
  const live: Array<LiveSocket | undefined> = [];
  let ws: FakeWebSocket | undefined;
  const observer: SocketObserver = {
    onData: (message) => data.push(message),
    onProtocolError: () => {},
    onFrameIn: () => {},
    onFrameOut: () => {},
    onSocketChange: (socket) => live.push(socket),
    onTransportError: (error) => errors.push(error),
    onTeardown: (closed) => teardowns.push(closed),
  };
  const socket = createSocketActor({
    wsUrl: new URL('wss://localhost:5000/v1/api/ws'),
    tls: { rejectUnauthorized: true },
    userAgent: 'test',
    cookieFormat: 'plain',
    maxFrameBytes: 1 << 20,
    maxPayloadBytes: 1 << 24,
    closeTimeoutMs: 2_000,
    activityThrottleMs,
    observer,
    openWebSocket: (_url, options) => {
      ws = new FakeWebSocket(options);
      return ws as unknown as WebSocketLike;
    },
  });
  const parent = setup({ actors: { socket } }).createMachine({
    invoke: { id: 'socket', src: 'socket', input: { socketId: 7, session: new Secret(SESSION) } },
    on: { '*': { actions: ({ event }) => void events.push(event as SocketEvent) } },
  });
  const actor = createActor(parent);
  actor.start();
  started.push(actor);
  return {
    ws: ws!,
    events,
    data,
    errors,
    teardowns,
    live,
    send: (command) => (actor.getSnapshot().children as Record<string, AnyActorRef>)['socket']!.send(command),
    stop: () => actor.stop(),
  };
}

describe('the socket actor', () => {
  it('sends the session as the api cookie and never follows a redirect', () => {
    const { ws } = rig();
    expect(ws.options.headers).toMatchObject({ Cookie: `api=${SESSION}`, 'User-Agent': 'test' });
    expect(ws.options.followRedirects).toBe(false);
    expect(ws.options.skipUTF8Validation).toBe(true);
  });

  it('tells the machine it opened and hands the client the live socket', () => {
    const { ws, events, live } = rig();
    ws.open();
    expect(events).toEqual([{ type: 'SOCKET.OPENED', socketId: 7 }]);
    expect(live).toHaveLength(1);
    expect(live[0]?.socketId).toBe(7);
  });

  it('sends lifecycle frames to the machine and data frames to the observer, with throttled activity', () => {
    const { ws, events, data } = rig(60_000);
    ws.open();
    ws.frame({ topic: 'system', success: 'user', isFT: false, isPaper: true });
    ws.frame({ topic: 'smd+265598', conid: 265598, '31': '190.1' });
    ws.frame({ topic: 'smd+265598', conid: 265598, '31': '190.2' });
    expect(events.map((event) => event.type)).toEqual(['SOCKET.OPENED', 'SOCKET.MESSAGE', 'SOCKET.ACTIVITY']);
    expect(data.map((message) => message.kind)).toEqual(['smd', 'smd']);
  });

  it('answers the machine with tic, the probe and (only when told) the session message', () => {
    const { ws, send } = rig();
    ws.open();
    send({ type: 'SOCKET.SEND_TIC' });
    send({ type: 'SOCKET.SEND_PROBE' });
    send({ type: 'SOCKET.SEND_SESSION' });
    expect(ws.sent).toEqual(['tic', 'ech+hb', JSON.stringify({ session: SESSION })]);
  });

  it('reports a command the encoder refuses as unencodable-command and still sends the others', () => {
    const { ws, live, errors } = rig();
    ws.open();
    live[0]!.send([{ op: 'subscribe', topic: 'ssd', acct: 'DU1+DU2' }, { op: 'tic' }]);
    expect(ws.sent).toEqual(['tic']);
    expect(errors.map((error) => error.code)).toEqual(['unencodable-command']);
  });

  it('closes an open socket 1000 at teardown; the teardown settles once the TCP socket is gone', async () => {
    const { ws, teardowns, live, stop } = rig();
    ws.open();
    stop();
    expect(ws.calls).toEqual(['close 1000']);
    expect(live.at(-1)).toBeUndefined();
    let settled = false;
    void teardowns[0]!.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    ws.closed();
    await teardowns[0];
    expect(settled).toBe(true);
  });

  it('terminates instead of closing when the machine asked (a lingering socket may never answer a close)', () => {
    const { ws, send, stop } = rig();
    ws.open();
    send({ type: 'SOCKET.TERMINATE' });
    stop();
    expect(ws.calls).toEqual(['terminate']);
  });

  it('terminates a socket still connecting at teardown', () => {
    const { ws, stop } = rig();
    stop();
    expect(ws.calls).toEqual(['terminate']);
  });

  it('lets nothing of a torn-down socket reach the machine or the client: frames, closes, errors, sends', () => {
    const { ws, events, data, errors, live, stop } = rig();
    ws.open();
    const socket = live[0]!;
    stop();
    const before = events.length;
    ws.frame({ topic: 'system', success: 'user' });
    ws.frame({ topic: 'smd+265598', conid: 265598, '31': '1' });
    ws.emit('error', new Error('closed before the connection was established'));
    ws.closed(1006);
    socket.send([{ op: 'tic' }]);
    socket.pause();
    expect(events).toHaveLength(before);
    expect(data).toEqual([]);
    expect(errors).toEqual([]);
    expect(ws.sent).toEqual([]);
    expect(ws.calls).toEqual(['close 1000']);
  });

  it('turns an upgrade refused by HTTP status into a socket error event', () => {
    const { ws, events, errors } = rig();
    const response = Object.assign(new EventEmitter(), { statusCode: 502, resume: () => {} });
    ws.emit('unexpected-response', {}, response);
    expect(errors.map((error) => error.message)).toEqual(['gateway refused the socket upgrade with HTTP 502']);
    expect(events).toEqual([
      {
        type: 'SOCKET.ERROR',
        socketId: 7,
        error: { code: 'socket-error', message: 'gateway refused the socket upgrade with HTTP 502' },
      },
    ]);
    expect(ws.calls).toEqual(['terminate']);
  });
});
