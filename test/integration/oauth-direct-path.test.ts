/**
 * The direct OAuth path end to end over real TLS on loopback, against the simulator's independent implementation of
 * IBKR's side (it shares no code with src/oauth): the credentials FILE read as the CLI reads it, the token, the
 * brokerage session, the socket with `oauth_token`, market data; renewal before expiry without a socket drop; an
 * expired token, a close 1000 and a dropped TCP connection recovered; refused credentials reported without hammering.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewaySimulator, OAuthRequestEvent } from '../../src/simulator/index.js';
import type { IbkrWs, IbkrWsOptions } from '../../src/client.js';
import type { IbkrWsError } from '../../src/errors.js';
import { readOAuthFile } from '../../src/cli/oauth-file.js';
import { sharedOAuthMaterial } from '../simulator/support/oauth-test-client.js';
import {
  FAST_TIMING,
  createTestClient,
  eventually,
  recordStates,
  startSimulator,
  stopWhatWasStarted,
} from '../support/harness.js';

afterEach(stopWhatWasStarted);

async function oauthSimulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<GatewaySimulator> {
  return startSimulator({ auth: 'oauth', oauthMaterial: await sharedOAuthMaterial(), ...options });
}

function oauthClient(
  simulator: GatewaySimulator,
  options: Partial<IbkrWsOptions> = {},
): { client: IbkrWs; errors: IbkrWsError[]; requests: OAuthRequestEvent[] } {
  const requests: OAuthRequestEvent[] = [];
  simulator.on('oauth-request', (event) => requests.push(event));
  const client = createTestClient(simulator, { oauth: readOAuthFile(simulator.oauthFile!), ...options });
  const errors: IbkrWsError[] = [];
  client.on('error', (error) => errors.push(error));
  return { client, errors, requests };
}

const lstRequests = (requests: readonly OAuthRequestEvent[]) =>
  requests.filter((event) => event.endpoint === 'live-session-token');
const refusals = (requests: readonly OAuthRequestEvent[]) => requests.filter((event) => event.outcome === 'rejected');

describe('the direct OAuth path', () => {
  it('authorizes, opens the brokerage session, authenticates the socket and streams, every call signed in the documented form', async () => {
    const simulator = await oauthSimulator();
    const { client, errors, requests } = oauthClient(simulator);
    const recorder = recordStates(client);
    await client.start();
    expect(recorder.states).toEqual(['authorizing', 'checking-session', 'open', 'awaiting-session', 'authenticated']);
    const quotes = client.marketData(265598, ['31', '84', '86']);
    await quotes.acknowledged;
    expect(refusals(requests)).toEqual([]);
    expect(lstRequests(requests)).toHaveLength(1);
    expect(
      requests.filter((event) => event.endpoint === 'signed-request').every((event) => event.variant === 'standard'),
    ).toBe(true);
    expect(requests.some((event) => event.endpoint === 'websocket-upgrade' && event.outcome === 'accepted')).toBe(true);
    expect(simulator.oauth!.brokerageSessionInitialised).toBe(true);
    expect(errors).toEqual([]);
  });

  it('renews a short-lived token before it expires, in the background: no signed call refused, the socket kept', async () => {
    // 4 s: renewed after 3.4 s, leaving 600 ms for the renewal on a loaded machine (the simulator closes sockets when
    // no token is live any more).
    const simulator = await oauthSimulator({ oauthLstLifetimeMs: 4_000 });
    const { client, requests } = oauthClient(simulator);
    const recorder = recordStates(client);
    await client.start();
    const socketsBefore = simulator.connections.length;
    const startedAt = Date.now();
    await eventually(() => lstRequests(requests).length >= 3, 'two renewals', 15_000);
    // Each renewal after 85 % of the life, never sooner than half of it: two renewals take at least 2 × 2 s.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(4_000);
    expect(refusals(requests)).toEqual([]);
    // Every token the simulator issued is counted once (its answer may still be on its way to the client).
    await eventually(() => client.metrics().liveSessionTokens === lstRequests(requests).length, 'tokens counted');
    expect(simulator.connections.length).toBe(socketsBefore);
    expect(recorder.states.filter((state) => state !== 'authenticated')).toEqual([
      'authorizing',
      'checking-session',
      'open',
      'awaiting-session',
    ]);
    expect(client.state).toBe('authenticated');
  });

  it('recovers from an expired token, a close 1000 and a dropped TCP connection, and data flows after each', async () => {
    const simulator = await oauthSimulator();
    const { client } = oauthClient(simulator);
    const recorder = recordStates(client);
    await client.start();
    const quotes = client.marketData(265598, ['31']);
    await quotes.acknowledged;
    for (const fault of [
      () => simulator.oauth!.expireLiveSessionToken(),
      () => simulator.closeSockets(1000),
      () => simulator.dropConnections(),
    ]) {
      const before = recorder.changes.length;
      fault();
      await eventually(
        () => recorder.changes.slice(before).some((change) => change.state === 'authenticated'),
        'authenticated again',
        15_000,
      );
      const received = client.metrics().dataMessages;
      await eventually(() => client.metrics().dataMessages > received, 'data after recovery', 10_000);
    }
    expect(recorder.states.filter((state) => state === 'authorizing').length).toBeGreaterThanOrEqual(2);
  });

  it('reports an unactivated consumer with what to check, and asks again no more than the retry floor allows', async () => {
    const simulator = await oauthSimulator();
    simulator.oauth!.setConsumerActivated(false);
    const { client, errors, requests } = oauthClient(simulator, {
      timing: { ...FAST_TIMING, authorizationRetryMs: 2_000 },
    });
    void client.start().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    // t = 0, ≥ 2 s, ≥ 6 s: two requests in 5 s (the default 5 s floor gives at most 3 in 10 s).
    expect(lstRequests(requests).length).toBeGreaterThanOrEqual(1);
    expect(lstRequests(requests).length).toBeLessThanOrEqual(2);
    const refusal = errors.find((error) => error.code === 'oauth-invalid-consumer');
    expect(refusal?.message).toMatch(/consumerKey.*few days/);
    expect(client.state).not.toBe('authenticated');
  });

  it('reports a signature IBKR cannot verify (a signature key that was never uploaded) as oauth-signature-refused', async () => {
    const simulator = await oauthSimulator();
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const { client, errors, requests } = oauthClient(simulator);
    await client.stop();
    const second = createTestClient(simulator, {
      oauth: { ...readOAuthFile(simulator.oauthFile!), signatureKey: stranger },
    });
    second.on('error', (error) => errors.push(error));
    void second.start().catch(() => undefined);
    await eventually(() => errors.some((error) => error.code === 'oauth-signature-refused'), 'a signature refusal');
    expect(errors.find((error) => error.code === 'oauth-signature-refused')?.message).toMatch(/signatureKey/);
    expect(lstRequests(requests).length).toBe(1);
  });

  it('answers "waiting for session" with the session frame only when asked', async () => {
    const simulator = await oauthSimulator();
    simulator.setRequireSessionMessage(true);
    const { client } = oauthClient(simulator);
    const recorder = recordStates(client);
    await client.start();
    expect(recorder.states).toEqual([
      'authorizing',
      'checking-session',
      'open',
      'awaiting-session',
      'sending-session',
      'authenticated',
    ]);
  });
});
