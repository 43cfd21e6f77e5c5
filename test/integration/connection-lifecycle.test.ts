/**
 * The client against the simulator over real TLS on loopback: each authentication path, and each fault recovered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import type { IbkrWs } from '../../src/client.js';
import {
  FAST_TIMING,
  createTestClient,
  eventually,
  recordStates,
  startSimulator,
  stopWhatWasStarted,
} from '../support/harness.js';

let simulator: GatewaySimulator | undefined;
let client: IbkrWs | undefined;

afterEach(stopWhatWasStarted);

async function connected(options: Parameters<typeof startSimulator>[0] = {}) {
  simulator = await startSimulator(options);
  client = createTestClient(simulator);
  const recorder = recordStates(client);
  await client.start();
  return { simulator, client, recorder };
}

function sessionFramesSent(sim: GatewaySimulator): number {
  return sim.connections
    .flatMap((connection) => connection.frames)
    .filter((frame) => frame.text.startsWith('{"session"')).length;
}

describe('authentication', () => {
  it('authenticates through the gateway greeting without ever sending the session message', async () => {
    const { simulator: sim, recorder } = await connected();
    expect(recorder.states).toEqual(['checking-session', 'open', 'awaiting-session', 'authenticated']);
    expect(sessionFramesSent(sim)).toBe(0);
  });

  it('answers "waiting for session" with the tickle session value, once, and authenticates', async () => {
    simulator = await startSimulator();
    simulator.setRequireSessionMessage(true);
    client = createTestClient(simulator);
    const recorder = recordStates(client);
    await client.start();
    expect(recorder.states).toEqual([
      'checking-session',
      'open',
      'awaiting-session',
      'sending-session',
      'authenticated',
    ]);
    expect(sessionFramesSent(simulator)).toBe(1);
  });

  it('refuses a gateway whose self-signed certificate is not pinned, naming the certificate problem', async () => {
    simulator = await startSimulator();
    client = createTestClient(simulator, { tls: {} });
    await expect(client.start()).rejects.toMatchObject({
      code: 'tls-certificate',
      message: expect.stringMatching(/self-signed|--ca/),
    });
  });
});

describe('recovery', () => {
  it('detects a lingering socket, probes it, replaces it, and data flows again within the bound', async () => {
    const { simulator: sim, client: ibkr, recorder } = await connected();
    const quotes = ibkr.marketData(265598, ['31', '84', '86']);
    await quotes.acknowledged;
    const silentAt = Date.now();
    sim.linger();
    await recorder.waitForState('lingering-detected');
    const back = await recorder.waitForState('authenticated');
    const bound = FAST_TIMING.heartbeatTimeoutMs + FAST_TIMING.probeTimeoutMs + FAST_TIMING.backoffInitialMs + 1_000;
    expect(back.at - silentAt).toBeLessThan(bound);
    expect(ibkr.metrics().lingeringDetections).toBe(1);
    const before = ibkr.metrics().dataMessages;
    await eventually(() => ibkr.metrics().dataMessages > before, 'market data flowing on the new socket');
    quotes.close();
  });

  it('recovers from a close 1000 (the gateway lost its upstream)', async () => {
    const { simulator: sim, client: ibkr, recorder } = await connected();
    sim.closeSockets(1000);
    await recorder.waitForState('reconnect');
    await recorder.waitForState('authenticated');
    expect(ibkr.metrics().reconnects).toBe(1);
  });

  it('recovers from a dropped TCP connection (1006)', async () => {
    const { simulator: sim, recorder } = await connected();
    sim.dropConnections();
    await recorder.waitForState('reconnect');
    await recorder.waitForState('authenticated');
  });

  it('rides out a maintenance window (REST 503, sockets refused) and reconnects when it ends', async () => {
    const { simulator: sim, client: ibkr, recorder } = await connected();
    sim.maintenance(true);
    await recorder.waitForState('reconnect');
    await eventually(() => ibkr.metrics().reconnects >= 3, 'several reconnect attempts during maintenance');
    expect(ibkr.state).not.toBe('authenticated');
    sim.maintenance(false);
    await recorder.waitForState('authenticated');
  });

  it('goes to login-required after a logout and back to authenticated after a login', async () => {
    const { simulator: sim, client: ibkr, recorder } = await connected();
    const loginRequired: Array<{ reason: string; competing: boolean }> = [];
    ibkr.on('login-required', (event) => loginRequired.push(event));
    sim.logout();
    await recorder.waitForState('login-required');
    expect(loginRequired[0]).toMatchObject({ competing: false });
    sim.login();
    await recorder.waitForState('authenticated');
  });

  it('surfaces a competing session instead of fighting it', async () => {
    const { simulator: sim, client: ibkr, recorder } = await connected();
    const loginRequired: Array<{ reason: string; competing: boolean }> = [];
    ibkr.on('login-required', (event) => loginRequired.push(event));
    sim.competingSession();
    await recorder.waitForState('login-required');
    expect(loginRequired[0]).toMatchObject({ reason: 'competing', competing: true });
    // Never reclaimed behind the user's back: no reauthenticate while competing.
    expect(sim.connections.length).toBeGreaterThan(0);
  });

  it('replaces the socket when the session value rotates between tickles', async () => {
    const { simulator: sim, client: ibkr, recorder } = await connected();
    const firstConnections = sim.counters.connections;
    sim.rotateSession();
    await recorder.waitForState('reconnect');
    await recorder.waitForState('authenticated');
    expect(ibkr.metrics().sessionRotations).toBe(1);
    expect(sim.counters.connections).toBe(firstConnections + 1);
  });
});
