/**
 * Child-process script: one client in a process of its own, so a test can SIGSTOP and SIGCONT it like a laptop that
 * sleeps or a process stuck in a long GC pause.
 *
 * Usage: node --import tsx test/integration/support/client-process.ts <config JSON>
 *   config: { gateway, ca, timing }
 * Prints one JSON line per event: `{"type":"state","state":…,"reason":…}`, `{"type":"lingering"}`,
 * `{"type":"false-alarm"}`, `{"type":"reconnect","reason":…}`; on `stop` (a line on stdin, or stdin closing) it stops
 * the client, prints `{"type":"stopped","metrics":…}` and ends by itself.
 */
import { createInterface } from 'node:readline';
import { createIbkrWs, type IbkrWsOptions } from '../../../src/index.js';

const config = JSON.parse(process.argv[2] ?? '{}') as { gateway: string; ca: string; timing?: IbkrWsOptions['timing'] };
const print = (value: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

const client = createIbkrWs({
  gateway: config.gateway,
  tls: { ca: config.ca },
  ...(config.timing === undefined ? {} : { timing: config.timing }),
});
client.on('state', (change) => print({ type: 'state', state: change.state, reason: change.reason }));
client.on('lingering', () => print({ type: 'lingering' }));
client.on('false-alarm', () => print({ type: 'false-alarm' }));
client.on('reconnect', (event) => print({ type: 'reconnect', reason: event.reason }));

let stopping: Promise<void> | undefined;
const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    lines.close();
    await client.stop();
    const { lingeringDetections, lingeringFalseAlarms, reconnects } = client.metrics();
    print({ type: 'stopped', metrics: { lingeringDetections, lingeringFalseAlarms, reconnects } });
    process.stdin.destroy();
  })());
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => void (line.trim() === 'stop' && stop()));
lines.on('close', () => void stop());
await client.start();
