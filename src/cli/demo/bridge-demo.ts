/**
 * `npm start -- --bridge` (`ibkr-ws demo --bridge [--for N]`): one IBKR session feeding several consumers over NATS.
 * Starts the gateway simulator, a nats-server of its own (JetStream, temp store, a random loopback port; it must be on
 * PATH), the bridge, and three SDK consumers (`ibkr-ws/bridge-client`); prints one line per consumer per second, and
 * injects faults on both sides: a gateway close 1000, a NATS SIGKILL and restart, a consumer leaving.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIbkrWs } from '../../client.js';
import { createBridge } from '../../bridge/index.js';
import { connectBridge, type BridgeConnection } from '../../bridge-client/index.js';
import { startGatewaySimulator } from '../../simulator/index.js';
import { parseArgs } from 'node:util';
import { parseNonNegativeNumber } from '../args.js';
import { UsageError, type CliIo } from '../io.js';
import { DEMO_SIMULATOR_OPTIONS, DEMO_TIMING } from './setup.js';

const CONSUMERS = [
  { id: 'desk', conids: [265598, 8314] },
  { id: 'risk', conids: [265598] },
  { id: 'dash', conids: [265598, 8314, 4815747] },
] as const;

/** The schedule (ms after start) and what each step does, printed as it happens. */
const FAULTS = [
  { at: 6_000, what: 'gateway closes the socket (1000): every consumer sees a gap, then fresh quotes' },
  { at: 12_000, what: 'nats-server SIGKILLed, back in 2 s: gaps, leases frozen, last values re-published' },
  { at: 20_000, what: "consumer 'dash' leaves: 4815747 is unsubscribed upstream (nobody else holds it)" },
] as const;

interface NatsProcess {
  readonly url: string;
  restart(): Promise<void>;
  kill(): Promise<void>;
  close(): Promise<void>;
}

async function startNats(): Promise<NatsProcess> {
  const store = mkdtempSync(join(tmpdir(), 'ibkr-ws-demo-nats-'));
  let child: ChildProcess | undefined;
  let port = -1;
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child = proc;
      let log = '';
      proc.once('error', reject);
      proc.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const listening = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log);
        if (listening) port = Number(listening[1]);
        if (log.includes('Server is ready')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`nats-server exited (${code})`)));
    });
  const kill = async () => {
    const proc = child;
    child = undefined;
    if (proc?.pid === undefined || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    process.kill(proc.pid, 'SIGKILL');
    await exited;
  };
  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    restart: launch,
    kill,
    async close() {
      await kill();
      rmSync(store, { recursive: true, force: true });
    },
  };
}

/** `demo --bridge [--for SECONDS]`: a usage error is exit 2, as everywhere in the CLI. */
export async function runBridgeDemoCommand(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: { bridge: { type: 'boolean' }, for: { type: 'string' } },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const forSeconds = typeof values['for'] === 'string' ? parseNonNegativeNumber('--for', values['for']) : undefined;
  return runBridgeDemo(forSeconds, io, signal);
}

export async function runBridgeDemo(forSeconds: number | undefined, io: CliIo, signal?: AbortSignal): Promise<number> {
  let nats: NatsProcess;
  try {
    nats = await startNats();
  } catch (error) {
    io.stderr(
      `ibkr-ws demo --bridge: needs nats-server on PATH (apt-get install nats-server): ${(error as Error).message}`,
    );
    return 1;
  }
  const simulator = await startGatewaySimulator(DEMO_SIMULATOR_OPTIONS);
  const client = createIbkrWs({ gateway: simulator.url, tls: { ca: simulator.ca }, timing: DEMO_TIMING });
  const bridge = createBridge({ client, servers: [nats.url], prefix: 'demo', leaseMs: 3_000 });
  const startedAt = Date.now();
  const clock = () => `t=${((Date.now() - startedAt) / 1_000).toFixed(1).padStart(5)}s`;
  bridge.on('upstream', (event) => io.stdout(`${clock()}  bridge   upstream ${event.action} ${event.key}`));
  bridge.on('nats', (event) => io.stdout(`${clock()}  bridge   nats ${event.state} (${event.reason})`));
  void client.start().catch(() => undefined);
  await bridge.ready();
  io.stdout(`${clock()}  bridge ${bridge.run} on ${nats.url}: ${CONSUMERS.length} consumers share one IBKR session`);

  const connections: BridgeConnection[] = [];
  const tallies = new Map<string, { quotes: number; gaps: number; lastGap: string; last: string }>();
  for (const spec of CONSUMERS) {
    const connection = await connectBridge({ servers: nats.url, prefix: 'demo', consumer: spec.id, leaseMs: 3_000 });
    connections.push(connection);
    const tally = { quotes: 0, gaps: 0, lastGap: '', last: '' };
    tallies.set(spec.id, tally);
    for (const conid of spec.conids) {
      const stream = connection.marketData(conid, ['last', 'bid', 'ask', 'symbol']);
      stream.on('data', (quote) => {
        tally.quotes++;
        tally.last = `${String(quote.named.symbol ?? conid)} ${String(quote.named.last ?? '')}`;
      });
      stream.on('gap', (gap) => {
        tally.gaps++;
        tally.lastGap = gap.reason;
      });
    }
  }

  const timers = FAULTS.map((fault, index) =>
    setTimeout(async () => {
      io.stdout(`${clock()}  FAULT    ${fault.what}`);
      if (index === 0) simulator.closeSockets(1000);
      if (index === 1) {
        await nats.kill();
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await nats.restart();
      }
      if (index === 2) await connections[2]!.close();
    }, fault.at),
  );
  const ticker = setInterval(() => {
    for (const [id, tally] of tallies) {
      io.stdout(
        `${clock()}  ${id.padEnd(6)}   quotes ${String(tally.quotes).padStart(5)}  gaps ${tally.gaps}${tally.lastGap ? ` (last: ${tally.lastGap})` : ''}  ${tally.last}`,
      );
    }
  }, 1_000);

  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const end = setTimeout(finish, (forSeconds ?? 30) * 1_000);
  signal?.addEventListener('abort', finish, { once: true });
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  await finished;
  clearTimeout(end);
  process.off('SIGINT', finish);
  process.off('SIGTERM', finish);
  clearInterval(ticker);
  for (const timer of timers) clearTimeout(timer);
  for (const connection of connections) await connection.close();
  await bridge.stop();
  await client.stop();
  await simulator.close();
  await nats.close();
  io.stdout(`${clock()}  stopped`);
  return 0;
}
