/**
 * The listening side: one HTTPS server on 127.0.0.1 only (the gateway is a local process; nothing else may reach
 * it), REST on its requests and WebSocket on its upgrades, on any path (§1.1). Every TCP connection is tracked so
 * close() can destroy them all: an HTTP keep-alive connection or a half-finished handshake must not hold the process.
 */
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GatewayFaults } from './faults.js';
import type { SimulatorLog } from './log.js';
import { Timers } from './timers.js';

/** Loopback only, never 0.0.0.0: the gateway's session would be open to the network (and the real one filters IPs). */
export const LISTEN_HOST = '127.0.0.1';

export interface ServerHandlers {
  readonly certificate: { cert: string; key: string };
  readonly maxClientPayloadBytes: number;
  readonly faults: GatewayFaults;
  readonly log: SimulatorLog;
  onRequest(request: IncomingMessage, response: ServerResponse): void;
  /** OAuth mode: an answer that refuses the upgrade before the handshake (403, 401), or undefined to go on. */
  refuseUpgrade?(request: IncomingMessage): { status: number; body: string; contentType: string } | undefined;
  /** A WebSocket was accepted (after any slow-handshake delay). */
  onSocket(ws: WebSocket, socket: Duplex, request: IncomingMessage): void;
}

export interface ListeningServers {
  readonly port: number;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

export async function listenServers(port: number, handlers: ServerHandlers): Promise<ListeningServers> {
  const connections = new Set<Socket | Duplex>();
  const timers = new Timers();
  let closing = false;
  const server: Server = createServer(
    { cert: handlers.certificate.cert, key: handlers.certificate.key },
    handlers.onRequest,
  );
  const sockets = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // The gateway (Vert.x 3.5) negotiates no compression; frames stay byte-exact for the raw-frame faults.
    perMessageDeflate: false,
    maxPayload: handlers.maxClientPayloadBytes,
  });
  const track = (socket: Socket | Duplex): void => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  };
  server.on('connection', track);
  server.on('secureConnection', track);
  server.on('tlsClientError', (error) =>
    handlers.log('debug', 'simulator TLS handshake failed', { error: error.message }),
  );
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client vanishing mid-handshake must never become an uncaught error.
    socket.on('error', () => socket.destroy());
    const refusal = handlers.refuseUpgrade?.(request);
    if (refusal !== undefined) {
      const body = Buffer.from(refusal.body, 'utf8');
      const preamble = `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\nContent-Type: ${refusal.contentType}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      socket.end(Buffer.concat([Buffer.from(preamble, 'latin1'), body]));
      return;
    }
    const accept = (): void => {
      if (closing || socket.destroyed) {
        socket.destroy();
        return;
      }
      sockets.handleUpgrade(request, socket, head, (ws) => handlers.onSocket(ws, socket, request));
    };
    const delay = handlers.faults.handshakeDelayMs;
    if (delay > 0) timers.setTimeout(accept, delay);
    else accept();
  });

  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => reject(error);
    server.once('error', fail);
    server.listen(port, LISTEN_HOST, () => {
      server.off('error', fail);
      resolve();
    });
  });
  server.on('error', (error) => handlers.log('error', 'simulator server error', { error: error.message }));
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;

  let closed: Promise<void> | undefined;
  return {
    port: boundPort,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        closing = true;
        timers.close();
        for (const socket of connections) socket.destroy();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}
