/**
 * Child-process script: the gateway simulator as the proxy's upstream, in its own process so that the chaos suite can
 * SIGSTOP, SIGCONT and SIGKILL it like a real gateway.
 *
 * Usage: node --import tsx test/chaos/support/upstream-process.ts <config.json>
 *   config: { port, certificate: { cert, key }, simulator: { …GatewaySimulatorOptions } }
 * Prints one JSON line `{"type":"ready","port":…,"pid":…}` once listening; then reads JSON commands on stdin
 * (`{"op":"pushOrders"}`, `{"op":"closeSockets","code":1000}`, …) and answers each with `{"type":"done","op":…}`.
 * SIGTERM (or stdin closing) closes the simulator and lets the process end by itself.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { startGatewaySimulator, type GatewaySimulatorOptions } from '../../../src/simulator/index.js';

interface UpstreamConfig {
  readonly port: number;
  readonly certificate: { cert: string; key: string };
  readonly simulator?: GatewaySimulatorOptions;
}

const configPath = process.argv[2];
if (configPath === undefined) {
  process.stderr.write('usage: upstream-process.ts <config.json>\n');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8')) as UpstreamConfig;

const simulator = await startGatewaySimulator({
  ...config.simulator,
  port: config.port,
  certificate: config.certificate,
});

const print = (value: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

let closing: Promise<void> | undefined;
function shutdown(): Promise<void> {
  closing ??= (async () => {
    lines.close();
    process.stdin.destroy();
    await simulator.close();
  })();
  return closing;
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let command: { op?: string; code?: number; on?: boolean };
  try {
    command = JSON.parse(line) as typeof command;
  } catch {
    print({ type: 'error', message: 'not JSON' });
    return;
  }
  switch (command.op) {
    case 'pushOrders':
      simulator.pushOrders();
      break;
    case 'pushTrades':
      simulator.pushTrades();
      break;
    case 'closeSockets':
      simulator.closeSockets(command.code ?? 1000);
      break;
    case 'linger':
      simulator.linger();
      break;
    case 'resume':
      simulator.resume();
      break;
    case 'counters':
      print({ type: 'counters', counters: simulator.counters, sockets: simulator.sockets });
      return;
    default:
      print({ type: 'error', message: `unknown op ${String(command.op)}` });
      return;
  }
  print({ type: 'done', op: command.op });
});
lines.on('close', () => void shutdown());
process.once('SIGTERM', () => void shutdown());

print({ type: 'ready', port: simulator.port, pid: process.pid });
