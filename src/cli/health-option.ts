/**
 * `--health-port N [--health-host H]` for `connect`: serves /livez, /readyz and /metrics (docs/OBSERVABILITY.md) for
 * as long as the client runs. Loopback unless `--health-host` says otherwise, with a warning: the endpoints carry no
 * secret, but state, subscription keys and traffic counts are still nobody else's business. The Prometheus exporter
 * is loaded only here and only when asked, before the client exists (the client takes its meter at creation).
 */
import { isLoopbackHost } from '../adapters/tls.js';
import type { IbkrWs } from '../client.js';
import type { TelemetryOptions } from '../observability/index.js';
import { HEALTH_DEFAULT_HOST, startHealthServer, type HealthServer } from '../observability/health-server.js';
import { parseNonNegativeNumber } from './args.js';
import { UsageError, type CliIo } from './io.js';

export const HEALTH_HELP = `  --health-port N      serve GET /livez, /readyz and /metrics (Prometheus) on this port (0: any free port; printed at start)
  --health-host HOST   listen on HOST instead of ${HEALTH_DEFAULT_HOST} (a warning is printed for a non-loopback address)`;

export const HEALTH_OPTIONS = {
  'health-port': { type: 'string' },
  'health-host': { type: 'string' },
} as const;

export interface HealthFlags {
  readonly port: number;
  readonly host: string;
}

export function parseHealthFlags(values: Record<string, unknown>): HealthFlags | undefined {
  const portText = values['health-port'];
  const host = values['health-host'];
  if (portText === undefined) {
    if (host !== undefined) throw new UsageError('--health-host needs --health-port');
    return undefined;
  }
  const port = parseNonNegativeNumber('--health-port', String(portText), { integer: true });
  if (port > 65_535) throw new UsageError(`--health-port expects a port number up to 65535, got ${port}`);
  if (typeof host === 'string' && host.trim() === '')
    throw new UsageError('--health-host expects a host name or address');
  return { port, host: typeof host === 'string' ? host : HEALTH_DEFAULT_HOST };
}

/** The warning for a listen address other machines may reach; undefined for loopback. */
export function healthHostWarning(host: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return `--health-host ${host} serves health and metrics beyond this machine (states, subscription keys, traffic counts); put it behind a firewall or proxy`;
}

export interface CliHealth {
  /** For the client's options: the Prometheus exporter's MeterProvider. */
  readonly telemetry: TelemetryOptions;
  /** Starts serving for this client; prints where (JSON: a `health` line). */
  serve(client: IbkrWs): Promise<void>;
  close(): Promise<void>;
}

export async function prepareCliHealth(
  io: CliIo,
  flags: HealthFlags,
  options: { json: boolean; command: 'connect' | 'bridge' },
): Promise<CliHealth> {
  const { loadPrometheusMetrics } = await import('../observability/prometheus.js');
  const prometheus = await loadPrometheusMetrics(process.env['OTEL_SERVICE_NAME'] ?? 'ibkr-ws');
  let server: HealthServer | undefined;
  return {
    telemetry: { meterProvider: prometheus.meterProvider },
    async serve(client) {
      const warning = healthHostWarning(flags.host);
      if (warning !== undefined) io.stderr(`ibkr-ws ${options.command}: warning: ${warning}`);
      try {
        server = await startHealthServer({
          port: flags.port,
          host: flags.host,
          health: () => client.health(),
          metrics: prometheus.handler,
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(
          code === 'EADDRINUSE'
            ? `--health-port ${flags.port}: the port is in use`
            : `cannot serve health on ${flags.host}:${flags.port}: ${(error as Error).message}`,
        );
      }
      if (options.json) io.stdout(JSON.stringify({ type: 'health', url: server.url, at: Date.now() }));
      else io.stdout(`health: ${server.url}/livez /readyz /metrics`);
    },
    async close() {
      await server?.close();
      await prometheus.shutdown();
    },
  };
}
