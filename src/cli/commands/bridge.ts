/**
 * `ibkr-ws bridge`: `connect`'s client (same flags, exit codes, `--json` lines, clean stop) shared over NATS by any
 * number of consumers (docs/BRIDGE.md). The bridge's own flags are taken out of argv first and the rest is parsed by
 * `connect`'s parser, so both commands accept the gateway, TLS and timing flags the same way.
 */
import { parseArgs } from 'node:util';
import { createIbkrWs, type IbkrWs, type IbkrWsOptions } from '../../client.js';
import { IbkrWsError } from '../../errors.js';
import {
  createBridge,
  BRIDGE_DEFAULTS,
  PREFIX_PATTERN,
  type Bridge,
  type BridgeSubscription,
} from '../../bridge/index.js';
import { withoutCredentials } from '../../bridge/nats-credentials.js';
import { parseNonNegativeNumber, type CliSubscription } from '../args.js';
import { UsageError, type CliIo } from '../io.js';
import { prepareCliHealth } from '../health-option.js';
import { startCliRecording } from '../record-option.js';
import { OAUTH_DEFAULTS } from '../../defaults.js';
import { createReporter, type Reporter } from '../reporter.js';
import { runSession } from '../run-session.js';
import { parseConnectArgs, type ConnectArgs } from './connect.js';

const HELP = `Usage: ibkr-ws bridge --gateway URL [--ca FILE | --insecure] --nats URL[,URL…] [--prefix P] [--lease MS]
                      [--replicas N] [--subscribe SPEC]... [--json] [--for SECONDS] [timing flags]
       ibkr-ws bridge --oauth FILE [--gateway URL] [--ca FILE] --nats URL[,URL…] …

  One IBKR session, many consumers: the client of 'connect', shared over NATS JetStream (docs/BRIDGE.md).

  --nats URL[,URL…]    NATS servers (nats://host:4222); several for a cluster. Reconnects forever.
  --prefix P           subject prefix, one per IBKR username: ibkr.<P>.… (default ${BRIDGE_DEFAULTS.prefix}; [a-z0-9_-])
  --lease MS           default lease and the longest a consumer may ask for (default ${BRIDGE_DEFAULTS.leaseMs})
  --replicas N         JetStream replicas of the bridge's streams and buckets (default 1; 3 on a 3-node cluster)
  --subscribe SPEC     held for the bridge's lifetime whatever consumers ask (as for connect; not smh)
  --oauth FILE         as for connect: straight to IBKR's Web API with first-party OAuth 1.0a (docs/OAUTH.md);
                       --gateway then defaults to ${OAUTH_DEFAULTS.gateway}

  Every other flag is connect's (--record, --health-port, timing flags, …): run 'ibkr-ws connect --help'.`;

const BRIDGE_FLAGS = new Set(['nats', 'prefix', 'lease', 'replicas']);

export interface BridgeArgs {
  readonly connect: ConnectArgs;
  readonly servers: readonly string[];
  readonly prefix: string;
  readonly leaseMs: number;
  readonly replicas: number;
}

export function parseBridgeArgs(argv: string[]): BridgeArgs | 'help' {
  const own: string[] = [];
  const rest: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index]!;
    const name = /^--([a-z-]+)(=|$)/.exec(token)?.[1];
    if (name !== undefined && BRIDGE_FLAGS.has(name)) {
      own.push(token);
      if (!token.includes('=') && index + 1 < argv.length) own.push(argv[++index]!);
    } else rest.push(token);
  }
  if (rest.includes('--help') || rest.includes('-h')) return 'help';
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: own,
      strict: true,
      allowPositionals: false,
      options: {
        nats: { type: 'string' },
        prefix: { type: 'string' },
        lease: { type: 'string' },
        replicas: { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const connect = parseConnectArgs(rest);
  if (connect === 'help') return 'help';
  if (typeof values['nats'] !== 'string') throw new UsageError('--nats URL is required (e.g. nats://127.0.0.1:4222)');
  const servers = values['nats'].split(',').map((url) => url.trim());
  for (const url of servers) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--nats expects nats://host:port URLs, got '${withoutCredentials(url)}'`);
    }
    if (!['nats:', 'tls:'].includes(parsed.protocol))
      throw new UsageError(`--nats expects nats:// or tls:// URLs, got '${withoutCredentials(url)}'`);
  }
  const prefix = typeof values['prefix'] === 'string' ? values['prefix'] : BRIDGE_DEFAULTS.prefix;
  if (!PREFIX_PATTERN.test(prefix))
    throw new UsageError(`--prefix must be 1-32 of a-z, 0-9, '_' or '-', got '${prefix}'`);
  const leaseMs =
    typeof values['lease'] === 'string'
      ? parseNonNegativeNumber('--lease', values['lease'], { integer: true })
      : BRIDGE_DEFAULTS.leaseMs;
  if (leaseMs < BRIDGE_DEFAULTS.minLeaseMs)
    throw new UsageError(`--lease must be at least ${BRIDGE_DEFAULTS.minLeaseMs} ms`);
  const replicas =
    typeof values['replicas'] === 'string'
      ? parseNonNegativeNumber('--replicas', values['replicas'], { integer: true })
      : BRIDGE_DEFAULTS.replicas;
  if (![1, 3, 5].includes(replicas)) throw new UsageError('--replicas must be 1, 3 or 5');
  if (connect.inspect.inspect)
    throw new UsageError('--inspect is a connect/demo flag; the bridge does not serve the live view');
  if (connect.subscriptions.some((sub) => sub.topic === 'smh'))
    throw new UsageError('--subscribe smh: history is one-shot and not bridged');
  return { connect, servers, prefix, leaseMs, replicas };
}

export async function runBridgeCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseBridgeArgs(argv);
  if (parsed === 'help') {
    io.stdout(HELP);
    return 0;
  }
  const reporter = createReporter(io, { json: parsed.connect.json });
  // `--health-port` and `--record` as for connect: the health and flight record of the bridge's one client.
  const health =
    parsed.connect.health === undefined
      ? undefined
      : await prepareCliHealth(io, parsed.connect.health, { json: parsed.connect.json, command: 'bridge' });
  const recording = startCliRecording(io, parsed.connect.record, 'bridge');
  let client: IbkrWs;
  try {
    client = createClient({
      ...parsed.connect.clientOptions,
      ...(recording ? { record: recording.recorder } : {}),
      ...(health ? { telemetry: health.telemetry } : {}),
    });
  } catch (error) {
    recording?.close();
    await recording?.recorder.close();
    await health?.close();
    throw error;
  }
  let bridge: Bridge;
  try {
    bridge = createBridge({
      client,
      servers: parsed.servers,
      prefix: parsed.prefix,
      leaseMs: parsed.leaseMs,
      replicas: parsed.replicas,
      subscribe: parsed.connect.subscriptions.map(toBridgeSubscription),
    });
  } catch (error) {
    await client.stop();
    recording?.close();
    await recording?.recorder.close();
    await health?.close();
    if (error instanceof IbkrWsError) throw new UsageError(error.message);
    throw error;
  }
  const offs = reportBridge(bridge, reporter, parsed);
  try {
    await health?.serve(client);
    return await runSession({
      client,
      subscriptions: [],
      reporter,
      ...(parsed.connect.forSeconds === undefined ? {} : { forSeconds: parsed.connect.forSeconds }),
    });
  } finally {
    for (const off of offs) off();
    await bridge.stop();
    recording?.close();
    await recording?.recorder.close();
    await health?.close();
  }
}

function reportBridge(bridge: Bridge, reporter: Reporter, parsed: BridgeArgs): Array<() => void> {
  reporter.event(
    'bridge',
    {
      run: bridge.run,
      prefix: parsed.prefix,
      servers: parsed.servers.map(withoutCredentials),
      leaseMs: parsed.leaseMs,
    },
    `bridge ${bridge.run}: ibkr.${parsed.prefix}.> on ${parsed.servers.map(withoutCredentials).join(',')} (lease ${parsed.leaseMs} ms)`,
  );
  // `--subscribe` keys were opened when the bridge was made, before anyone listened.
  for (const key of bridge.stats().upstream)
    reporter.event('upstream', { key, action: 'open' }, `upstream open ${key}`);
  return [
    bridge.on('nats', (event) =>
      reporter.event('nats', { state: event.state, reason: event.reason }, `nats ${event.state} (${event.reason})`),
    ),
    bridge.on('consumer', (event) =>
      event.action === 'renew'
        ? undefined
        : reporter.event(
            'consumer',
            { consumer: event.consumer, action: event.action, keys: event.keys },
            `consumer ${event.consumer} ${event.action} ${event.keys.join(' ')}`,
          ),
    ),
    bridge.on('upstream', (event) =>
      reporter.event('upstream', { key: event.key, action: event.action }, `upstream ${event.action} ${event.key}`),
    ),
    bridge.on('error', (event) =>
      reporter.event(
        'bridge-error',
        { code: event.code, message: event.message },
        `bridge error ${event.code}: ${event.message}`,
      ),
    ),
  ];
}

function toBridgeSubscription(sub: CliSubscription): BridgeSubscription {
  switch (sub.topic) {
    case 'smd':
      return {
        topic: 'smd',
        conid: sub.conid,
        fields: sub.fields,
        ...(sub.exchange === undefined ? {} : { exchange: sub.exchange }),
      };
    case 'sbd':
      return { topic: 'sbd', acct: sub.acct, conid: sub.conid };
    case 'ssd':
    case 'sld':
      return { topic: sub.topic, acct: sub.acct };
    case 'smh':
      throw new UsageError('--subscribe smh: history is not bridged');
    default:
      return { topic: sub.topic };
  }
}

function createClient(options: IbkrWsOptions): IbkrWs {
  try {
    return createIbkrWs(options);
  } catch (error) {
    if (error instanceof IbkrWsError && (error.code === 'invalid-option' || error.code === 'insecure-remote'))
      throw new UsageError(error.message);
    throw error;
  }
}
