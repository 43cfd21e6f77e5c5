/**
 * The offline live view's HTTP server: loopback only, no dependency, no network. `/` is the page, `/events` a
 * server-sent-event stream of the feed (backlog first), `/state` the current snapshot as JSON. Requests whose Host is
 * not this loopback address are refused, so a web page elsewhere cannot read the view through DNS rebinding.
 * close() ends every stream and every socket: nothing is left to keep the process alive.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LiveViewFeed, ViewMessage } from './feed.js';
import { PAGE_SCRIPT, renderPage } from './page.js';

export interface LiveViewServerOptions {
  readonly feed: LiveViewFeed;
  readonly svg: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly title?: string;
  /** Comment lines that keep idle proxies and browsers from dropping the stream. */
  readonly keepAliveMs?: number;
}

export interface LiveViewServer {
  readonly url: string;
  readonly port: number;
  /** Pages currently connected to `/events`. */
  readonly viewers: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export async function startLiveViewServer(options: LiveViewServerOptions): Promise<LiveViewServer> {
  const title = options.title ?? 'ibkr-ws live view';
  const page = renderPage(options.svg, title);
  const streams = new Set<ServerResponse>();
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  let port = 0;
  let closing: Promise<void> | undefined;

  const server = createServer((request, response) => {
    if (!isLoopbackHost(request, port))
      return send(response, 403, 'text/plain', 'forbidden: the live view answers on loopback only\n');
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return send(response, 405, 'text/plain', 'method not allowed\n');
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    switch (path) {
      case '/':
      case '/index.html':
        return send(response, 200, 'text/html; charset=utf-8', page);
      case '/app.js':
        return send(response, 200, 'text/javascript; charset=utf-8', PAGE_SCRIPT);
      case '/statechart.svg':
        return send(response, 200, 'image/svg+xml', options.svg);
      case '/state':
        return send(
          response,
          200,
          'application/json',
          `${JSON.stringify({ snapshot: options.feed.snapshot ?? null, events: options.feed.log.length })}\n`,
        );
      case '/events':
        return openStream(response);
      default:
        return send(response, 404, 'text/plain', 'not found\n');
    }
  });

  function openStream(response: ServerResponse): void {
    if (closing) return send(response, 503, 'text/plain', 'the client has stopped\n');
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    response.write('retry: 1000\n\n');
    for (const message of options.feed.backlog()) write(response, message);
    streams.add(response);
    const unsubscribe = options.feed.subscribe((message) => write(response, message));
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), keepAliveMs);
    // The interval lives exactly as long as the stream: cleared on either side's close.
    response.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(response);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}/`,
    port,
    get viewers() {
      return streams.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const stream of streams) {
          stream.end('event: end\ndata: {}\n\n');
        }
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function write(response: ServerResponse, message: ViewMessage): void {
  response.write(`event: ${message.kind}\ndata: ${JSON.stringify(message)}\n\n`);
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function isLoopbackHost(request: IncomingMessage, port: number): boolean {
  const host = request.headers.host;
  return host === `${HOST}:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}
