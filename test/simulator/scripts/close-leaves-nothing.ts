/**
 * Run as its own process by lifecycle.test.ts: starts the simulator, makes it busy in every way (sockets with
 * streams, history, orders, P&L, a slow handshake in flight, REST keep-alive connections, pending idle and
 * reauthentication timers), closes it, closes its own clients, and then does NOT exit: the process must end by
 * itself. A leaked timer, socket or server would keep it alive and the parent would see a timeout.
 */
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { startGatewaySimulator } from '../../../src/simulator/index.js';

const simulator = await startGatewaySimulator({
  port: 0,
  heartbeatIntervalMs: 50,
  marketDataIntervalMs: 10,
  ordersIntervalMs: 20,
});
const agent = new Agent({ connect: { ca: simulator.ca } });
await (await request(`${simulator.url}/v1/api/tickle`, { method: 'POST', dispatcher: agent })).body.text();

const ready = await new Promise<WebSocket>((resolve, reject) => {
  const ws = new WebSocket(simulator.wsUrl, { ca: simulator.ca });
  ws.on('error', reject);
  ws.on('message', (data) => {
    if (String(data).includes('"sts"')) resolve(ws);
  });
});
for (const command of [
  'smd+265598+{"fields":["31","84"]}',
  'smh+265598+{}',
  'sor+{}',
  'str+{}',
  'spl+{}',
  'sld+DU1234567+{}',
  'ssd+DU1234567',
  'sbd+DU1234567+265598',
]) {
  ready.send(command);
}
await new Promise((resolve) => setTimeout(resolve, 200));
simulator.expireBrokerageSession();
await (
  await request(`${simulator.url}/v1/api/iserver/reauthenticate`, { method: 'POST', dispatcher: agent })
).body.text();
simulator.slowHandshake(10_000);
const pending = new WebSocket(simulator.wsUrl, { ca: simulator.ca });
pending.on('error', () => undefined);
simulator.setMarketDataMode('flood');
const waiting = simulator.waitForClientFrame(() => false, 60_000).catch(() => 'rejected on close');

await new Promise((resolve) => setTimeout(resolve, 100));
await simulator.close();
await simulator.close(); // idempotent
ready.terminate();
pending.terminate();
await agent.close();
process.stdout.write(`closed; pending wait: ${await waiting}\n`);
