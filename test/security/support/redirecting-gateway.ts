/**
 * Two loopback HTTPS servers for the cookie-origin tests. The "gateway" answers the tickle like a logged-in Client
 * Portal Gateway (so the client goes on to open its socket) but answers the WebSocket upgrade — or, on demand, the
 * tickle itself — with a redirect to the "elsewhere" server, another origin (another port) on loopback. Elsewhere
 * serves the same certificate, so a client that followed the redirect would complete TLS and hand over its headers:
 * it records every TCP connection, request and upgrade it sees.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { tickleBody } from '../../../src/simulator/gateway-payloads.js';
import { createTestCertificate, type TestCertificate } from '../../chaos/support/certificate.js';

export interface SeenRequest {
  readonly kind: 'request' | 'upgrade';
  readonly method: string;
  readonly path: string;
  readonly cookie: string | undefined;
}

interface Listening {
  readonly server: Server;
  readonly port: number;
  readonly sockets: Set<Socket | Duplex>;
}

async function listen(certificate: TestCertificate, onRequest: Parameters<typeof createServer>[1]): Promise<Listening> {
  const server = createServer({ cert: certificate.cert, key: certificate.key }, onRequest);
  const sockets = new Set<Socket | Duplex>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return { server, sockets, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

export class RedirectingGateway {
  readonly certificate: TestCertificate;
  readonly session: string;
  /** What the gateway itself saw (it is the configured origin: the cookie belongs here). */
  readonly gatewaySeen: SeenRequest[] = [];
  /** What the other origin saw: must stay empty. */
  readonly elsewhereSeen: SeenRequest[] = [];
  elsewhereConnections = 0;
  redirectTickle = false;
  readonly #gateway: Listening;
  readonly #elsewhere: Listening;

  private constructor(certificate: TestCertificate, session: string, gateway: Listening, elsewhere: Listening) {
    this.certificate = certificate;
    this.session = session;
    this.#gateway = gateway;
    this.#elsewhere = elsewhere;
  }

  get url(): string {
    return `https://127.0.0.1:${this.#gateway.port}`;
  }

  get elsewhereUrl(): string {
    return `https://127.0.0.1:${this.#elsewhere.port}`;
  }

  static async start(session: string): Promise<RedirectingGateway> {
    const certificate = await createTestCertificate();
    let self: RedirectingGateway | undefined;
    const record = (
      list: () => SeenRequest[] | undefined,
      kind: SeenRequest['kind'],
      request: IncomingMessage,
    ): void => {
      list()?.push({ kind, method: request.method ?? '', path: request.url ?? '', cookie: request.headers.cookie });
    };
    const elsewhere = await listen(certificate, (request, response) => {
      record(() => self?.elsewhereSeen, 'request', request);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          JSON.stringify(
            tickleBody(session, 600_000, { authenticated: true, competing: false, connected: true, established: true }),
          ),
        );
    });
    elsewhere.server.on('connection', () => {
      if (self) self.elsewhereConnections++;
    });
    elsewhere.server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
      record(() => self?.elsewhereSeen, 'upgrade', request);
      socket.destroy();
    });
    const gateway = await listen(certificate, (request, response) => {
      record(() => self?.gatewaySeen, 'request', request);
      const path = (request.url ?? '').split('?')[0];
      request.resume();
      if (path === '/v1/api/tickle') {
        if (self?.redirectTickle) {
          response.writeHead(307, { location: `${self.elsewhereUrl}/v1/api/tickle` }).end();
          return;
        }
        const body = tickleBody(session, 600_000, {
          authenticated: true,
          competing: false,
          connected: true,
          established: true,
        });
        response
          .writeHead(200, { 'content-type': 'application/json', 'set-cookie': `x-sess-uuid=${session}; Path=/` })
          .end(JSON.stringify(body));
        return;
      }
      if (path === '/v1/api/iserver/accounts') {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ accounts: ['DU1234567'], selectedAccount: 'DU1234567' }));
        return;
      }
      response.writeHead(404).end();
    });
    gateway.server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
      record(() => self?.gatewaySeen, 'upgrade', request);
      socket.on('error', () => socket.destroy());
      socket.end(
        `HTTP/1.1 302 Found\r\nLocation: ${self?.elsewhereUrl}/v1/api/ws\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
    });
    self = new RedirectingGateway(certificate, session, gateway, elsewhere);
    return self;
  }

  async close(): Promise<void> {
    for (const listening of [this.#gateway, this.#elsewhere]) {
      for (const socket of listening.sockets) socket.destroy();
      listening.server.closeAllConnections();
      await new Promise<void>((resolve) => listening.server.close(() => resolve()));
    }
  }
}
