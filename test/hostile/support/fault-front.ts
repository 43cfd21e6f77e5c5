/**
 * A misbehaving gateway front: a tiny HTTPS server on 127.0.0.1 (its own self-signed certificate) that serves the
 * tickle badly on demand — a non-JSON body, an answer slower than the client's request timeout, a body larger than its
 * response limit, a body that never ends — and otherwise forwards everything to the simulator: REST requests as
 * requests, WebSocket upgrades as raw TLS byte streams. So a client recovers to a real, working gateway once the front
 * behaves again.
 */
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { GatewaySimulator } from '../../../src/simulator/index.js';
import { createTestCertificate, type TestCertificate } from '../../chaos/support/certificate.js';

export type TickleFault =
  /** 200 with an HTML page, as a captive portal or a login redirect page would answer. */
  | { readonly kind: 'non-json' }
  /** 200 with `content-type: application/json` and a body that is not JSON. */
  | { readonly kind: 'broken-json' }
  /** The real answer, `delayMs` late. */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /** 200 with a JSON-looking body of `bytes` bytes. */
  | { readonly kind: 'oversized'; readonly bytes: number }
  /** Headers at once, then a byte every `everyMs`, never finishing. */
  | { readonly kind: 'drip'; readonly everyMs: number }
  /** Any status with a short body. */
  | { readonly kind: 'status'; readonly status: number };

export class FaultFront {
  readonly url: string;
  readonly certificate: TestCertificate;
  /** Tickles answered with a fault so far, by kind. */
  readonly served: Record<string, number> = {};
  readonly #server: Server;
  readonly #connections = new Set<Socket | Duplex>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #simulator: GatewaySimulator;
  #fault: TickleFault | undefined;
  #remaining = 0;

  private constructor(server: Server, url: string, certificate: TestCertificate, simulator: GatewaySimulator) {
    this.#server = server;
    this.url = url;
    this.certificate = certificate;
    this.#simulator = simulator;
  }

  static async start(simulator: GatewaySimulator): Promise<FaultFront> {
    const certificate = await createTestCertificate();
    let front: FaultFront | undefined;
    const server = createServer({ cert: certificate.cert, key: certificate.key }, (request, response) =>
      front?.onRequest(request, response),
    );
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      front?.onUpgrade(request, socket, head),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const created = new FaultFront(server, `https://127.0.0.1:${port}`, certificate, simulator);
    server.on('connection', (socket: Socket) => {
      created.#connections.add(socket);
      socket.once('close', () => created.#connections.delete(socket));
    });
    front = created;
    return created;
  }

  /** The next `count` tickles (POST or GET /v1/api/tickle) are served with `fault`. */
  failTickles(fault: TickleFault, count: number): void {
    this.#fault = fault;
    this.#remaining = count;
  }

  get remaining(): number {
    return this.#remaining;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const socket of this.#connections) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/v1/api/tickle' && this.#remaining > 0 && this.#fault !== undefined) {
      this.#remaining -= 1;
      const fault = this.#fault;
      this.served[fault.kind] = (this.served[fault.kind] ?? 0) + 1;
      request.resume();
      this.#serveFault(fault, request, response);
      return;
    }
    this.#forward(request, response);
  }

  #serveFault(fault: TickleFault, request: IncomingMessage, response: ServerResponse): void {
    switch (fault.kind) {
      case 'non-json':
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Client login succeeds</body></html>');
        return;
      case 'broken-json':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"session":"abc",');
        return;
      case 'slow':
        this.#later(() => {
          if (!response.destroyed) this.#forward(request, response, true);
        }, fault.delayMs);
        return;
      case 'oversized': {
        const body = `{"padding":"${'x'.repeat(fault.bytes)}"}`;
        response
          .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
          .end(body);
        return;
      }
      case 'drip': {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"session":');
        const drip = (): void => {
          if (response.destroyed || response.writableEnded) return;
          response.write(' ');
          this.#later(drip, fault.everyMs);
        };
        this.#later(drip, fault.everyMs);
        return;
      }
      case 'status':
        response
          .writeHead(fault.status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: `injected ${fault.status}` }));
        return;
    }
  }

  /** Forwards one REST request to the simulator (its body already consumed when `drained`: tickles carry `{}`). */
  #forward(request: IncomingMessage, response: ServerResponse, drained = false): void {
    const upstream = httpsRequest(
      {
        host: '127.0.0.1',
        port: this.#simulator.port,
        servername: 'localhost',
        ca: this.#simulator.ca,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: `localhost:${this.#simulator.port}` },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(502).end();
      else response.destroy();
    });
    if (drained) upstream.end('{}');
    else request.pipe(upstream);
  }

  /** Replays the upgrade request to the simulator over TLS and then splices the two byte streams. */
  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#connections.add(socket);
    socket.once('close', () => this.#connections.delete(socket));
    const upstream = tlsConnect({
      host: '127.0.0.1',
      port: this.#simulator.port,
      servername: 'localhost',
      ca: this.#simulator.ca,
    });
    this.#connections.add(upstream);
    upstream.once('close', () => this.#connections.delete(upstream));
    const end = (): void => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end);
    upstream.on('error', end);
    upstream.once('secureConnect', () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (let index = 0; index < request.rawHeaders.length; index += 2) {
        const name = request.rawHeaders[index] ?? '';
        const value =
          name.toLowerCase() === 'host' ? `localhost:${this.#simulator.port}` : (request.rawHeaders[index + 1] ?? '');
        lines.push(`${name}: ${value}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
  }
}
