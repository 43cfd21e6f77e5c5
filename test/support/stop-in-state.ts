/**
 * Child-process script: drive a client into one lifecycle state, STOP it there, close the simulator, and then do
 * nothing. The parent test requires this process to exit by itself: any socket, timer or agent left behind would
 * keep the event loop alive and the parent would see a timeout instead of an exit.
 *
 * Usage: tsx test/support/stop-in-state.ts <state>
 */
import { createTestClient, startSimulator } from './harness.js';
import type { LifecycleState } from '../../machines/index.js';
import { readOAuthFile } from '../../src/cli/oauth-file.js';

const target = process.argv[2] as LifecycleState;
// `authorizing` exists only on the direct OAuth path: that run talks to the simulated api.ibkr.com.
const oauth = target === 'authorizing';

const simulator = await startSimulator({
  greetingDelayMs: target === 'awaiting-session' ? 60_000 : 20,
  ...(oauth ? { auth: 'oauth' as const } : {}),
});
const client = createTestClient(simulator, {
  ...(target === 'failed' ? { maxAttempts: 1 } : {}),
  ...(oauth ? { oauth: readOAuthFile(simulator.oauthFile!) } : {}),
});

// Put the gateway in the shape that leads to (or holds) the target state.
switch (target) {
  case 'login-required':
    simulator.logout();
    break;
  case 'open':
    simulator.slowHandshake(60_000);
    break;
  case 'sending-session':
    simulator.setRequireSessionMessage(true);
    break;
  case 'failed':
  case 'reconnect':
    simulator.maintenance(true);
    break;
  default:
    break;
}

let stopped: Promise<void> | undefined;
const stopNow = (): void => {
  stopped ??= client.stop();
};

client.on('state', ({ state }) => {
  if (state === target) stopNow();
  if (target === 'lingering-detected' && state === 'authenticated') simulator.linger();
});

if (target === 'idle') stopNow();
else void client.start().catch(() => undefined);

if (target === 'stopped') {
  await client.start();
  stopNow();
}

const reached = await Promise.race([
  (async () => {
    while (stopped === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    await stopped;
    return true;
  })(),
  new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000).unref()),
]);
await client.stop();
await simulator.close();
process.stdout.write(`${JSON.stringify({ target, reached, finalState: client.state })}\n`);
// No process.exit(): the parent test measures that the process ends on its own.
