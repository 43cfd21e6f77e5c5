/**
 * The gateway simulator in a process of its own, so that its CPU never competes with the measured client on the same
 * thread (on 2 cores the kernel puts the two processes on different cores). Started by gateway.ts as
 * `node --import tsx bench/support/gateway-process.ts`.
 *
 * Protocol (one JSON object per line on stdout, one command per line on stdin):
 * - once its modules are loaded: `{"type":"loaded"}`; it starts the simulator on `<id> listen <options JSON>` (so a
 *   restart costs no module loading: the next gateway is loaded ahead of time and listens the moment the port is
 *   free), then answers `{"type":"ready","port":…,"at":<wall ms>}` once the HTTPS + WSS server listens;
 * - stdin `<id> <verb> [args…]`, answered `{"type":"ack","id":…,"at":<wall ms>,…}` or `{"type":"error","id":…}`:
 *   `linger`, `linger-after-heartbeat` (waits for the next server heartbeat to be written, then lingers, so the
 *   silence starts right after the client's last frame), `resume`, `close [code]`, `drop`, `flood on|off`,
 *   `cpu` (this process's `process.cpuUsage()`), `counters`, `logout`, `login` (a person logs in; also ends a
 *   competing session), `compete` (a competing session takes the brokerage session);
 * - SIGTERM, SIGINT or the end of stdin (the benchmark is gone): close the simulator and exit 0.
 */
import { createInterface } from 'node:readline';
import {
  startGatewaySimulator,
  type GatewaySimulator,
  type GatewaySimulatorOptions,
} from '../../src/simulator/index.js';
import { wallNow } from './clock.js';

export interface GatewayProcessOptions {
  readonly simulator: Omit<GatewaySimulatorOptions, 'logger' | 'certificate'>;
  readonly certificate: { readonly cert: string; readonly key: string };
}

let running: GatewaySimulator | undefined;
let exiting = false;

async function listen(id: string, optionsJson: string): Promise<void> {
  if (running !== undefined) throw new Error('already listening');
  const options = JSON.parse(optionsJson) as GatewayProcessOptions;
  running = await startGatewaySimulator({ ...options.simulator, certificate: { ...options.certificate } });
  if (exiting) return;
  write({ type: 'ready', id, port: running.port, pid: process.pid, at: wallNow() });
}

async function exit(): Promise<void> {
  if (exiting) return;
  exiting = true;
  await running?.close();
  process.exit(0);
}
process.on('SIGTERM', () => void exit());
process.on('SIGINT', () => void exit());

const lines = createInterface({ input: process.stdin });
lines.on('close', () => void exit());
lines.on('line', (line) => {
  const [id = '', verb = '', ...args] = line.trim().split(/\s+/);
  if (verb === 'listen') {
    // The options are JSON (a PEM holds spaces): the rest of the line after the verb.
    listen(id, line.slice(line.indexOf(' listen ') + ' listen '.length)).catch((error: unknown) =>
      write({ type: 'error', id, message: (error as Error).message }),
    );
    return;
  }
  try {
    if (running === undefined) throw new Error('not listening yet');
    handle(running, id, verb, args);
  } catch (error) {
    write({ type: 'error', id, message: (error as Error).message });
  }
});
write({ type: 'loaded', pid: process.pid });

function handle(simulator: GatewaySimulator, id: string, verb: string, args: readonly string[]): void {
  switch (verb) {
    case 'linger':
      simulator.linger();
      return ack(id);
    case 'linger-after-heartbeat':
      return lingerAfterHeartbeat(simulator, id);
    case 'resume':
      simulator.resume();
      return ack(id);
    case 'close':
      simulator.closeSockets(args[0] === undefined ? 1000 : Number(args[0]));
      return ack(id);
    case 'drop':
      simulator.dropConnections();
      return ack(id);
    case 'flood':
      simulator.setMarketDataMode(args[0] === 'off' ? 'interval' : 'flood');
      return ack(id);
    case 'logout':
      simulator.logout();
      return ack(id);
    case 'login':
      simulator.login();
      return ack(id);
    case 'compete':
      simulator.competingSession();
      return ack(id);
    case 'cpu':
      return ack(id, { cpu: process.cpuUsage() });
    case 'counters':
      return ack(id, {
        counters: simulator.counters,
        sockets: simulator.sockets,
        linesInUse: simulator.state.marketDataLinesInUse,
      });
    default:
      throw new Error(`unknown command ${JSON.stringify(verb)}`);
  }
}

/** Spins (setImmediate, on this process's own core) until the heartbeat counter moves, then lingers at once. */
function lingerAfterHeartbeat(simulator: GatewaySimulator, id: string): void {
  const before = simulator.counters.heartbeats;
  const poll = (): void => {
    if (simulator.counters.heartbeats === before) {
      setImmediate(poll);
      return;
    }
    simulator.linger();
    ack(id);
  };
  poll();
}

function ack(id: string, extra: Record<string, unknown> = {}): void {
  write({ type: 'ack', id, at: wallNow(), ...extra });
}

function write(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}
