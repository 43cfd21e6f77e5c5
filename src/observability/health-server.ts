/**
 * The HTTP face of health and metrics for a long-running process: `GET /livez`, `GET /readyz` (200, or 503 with the
 * JSON health report) and `GET /metrics` (whatever handler the caller gives, e.g. OpenTelemetry's Prometheus
 * exporter). Loopback by default; the caller decides (and warns) when it listens wider. Nothing here reads a secret:
 * the report is built from states, reasons and subscription keys.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthReport } from './health.js';

export type MetricsHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface HealthServerOptions {
  readonly port: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  readonly health: () => HealthReport;
  /** Serves `GET /metrics`; without it the path answers 404. */
  readonly metrics?: MetricsHandler;
}

export interface HealthServer {
  /** `http://host:port`, with the port actually bound (for `port: 0`). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const HEALTH_DEFAULT_HOST = '127.0.0.1';

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const host = options.host ?? HEALTH_DEFAULT_HOST;
  const server = createServer((request, response) => answer(request, response, options));
  // Probes open a connection per request: never keep one waiting for a second.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(request: IncomingMessage, response: ServerResponse, options: HealthServerOptions): void {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(response, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    return;
  }
  switch (path) {
    case '/livez': {
      const report = options.health();
      send(response, report.live ? 200 : 503, {
        live: report.live,
        state: report.state,
        since: report.stateSince,
        ...(report.live ? {} : { reason: report.reason ?? report.state }),
      });
      return;
    }
    case '/readyz': {
      const report = options.health();
      send(response, report.ready ? 200 : 503, report);
      return;
    }
    case '/metrics':
      if (options.metrics !== undefined) {
        options.metrics(request, response);
        return;
      }
      send(response, 404, { error: 'no metrics handler' });
      return;
    default:
      send(response, 404, { error: 'not found', paths: ['/livez', '/readyz', '/metrics'] });
  }
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
