/**
 * The OAuth session adapter against the simulator's IBKR side: one token request for concurrent callers, each refusal
 * typed with what to check, the brokerage-session failures IBKR users report, the hard net against hammering, and the
 * renewal schedule.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport } from '../../src/adapters/http-transport.js';
import { OAuthSession, renewInMs } from '../../src/adapters/oauth-session.js';
import { resolveTls } from '../../src/adapters/tls.js';
import type { IbkrWsError } from '../../src/errors.js';
import { OAuthCredentials } from '../../src/oauth/index.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import { readOAuthFile } from '../../src/cli/oauth-file.js';
import { sharedOAuthMaterial } from '../simulator/support/oauth-test-client.js';
import { startSimulator, stopWhatWasStarted } from '../support/harness.js';

const transports: HttpTransport[] = [];
afterEach(async () => {
  for (const transport of transports.splice(0)) await transport.close();
  await stopWhatWasStarted();
});

async function session(options: { refusedRetryMs?: number; now?: () => number } = {}) {
  const simulator: GatewaySimulator = await startSimulator({
    auth: 'oauth',
    oauthMaterial: await sharedOAuthMaterial(),
  });
  const gateway = new URL(simulator.url);
  const errors: IbkrWsError[] = [];
  const renewals: number[] = [];
  const oauth = new OAuthSession({
    credentials: new OAuthCredentials(readOAuthFile(simulator.oauthFile!)),
    gateway,
    refusedRetryMs: options.refusedRetryMs ?? 5_000,
    onError: (error) => errors.push(error),
    onToken: (inMs) => renewals.push(inMs),
    ...(options.now ? { now: options.now } : {}),
  });
  const http = new HttpTransport({
    gateway,
    tls: resolveTls(gateway, { ca: simulator.ca }),
    requestTimeoutMs: 5_000,
    maxResponseBytes: 1 << 20,
    userAgent: 'ibkr-ws-test',
    signer: oauth.signer,
  });
  transports.push(http);
  oauth.attach(http);
  return { simulator, oauth, http, errors, renewals };
}

describe('the OAuth session', () => {
  it('shares one token request between concurrent callers, then signs calls IBKR accepts', async () => {
    const { simulator, oauth, http, renewals } = await session();
    const results = await Promise.all([oauth.authorize(), oauth.authorize(), oauth.authorize()]);
    expect(results).toEqual([results[0], results[0], results[0]]);
    expect(results[0]!.kind).toBe('authorized');
    expect(oauth.requests).toBe(1);
    expect(simulator.oauth!.counters.liveSessionTokensIssued).toBe(1);
    expect(simulator.oauth!.brokerageSessionInitialised).toBe(true);
    // 85 % of the simulator's 24 h.
    expect(renewals[0]).toBeGreaterThan(0.84 * 86_400_000);
    expect(renewals[0]).toBeLessThan(0.86 * 86_400_000);
    const accounts = await http.send('GET', '/v1/api/iserver/accounts');
    expect(accounts).toMatchObject({ kind: 'response', status: 200 });
    const search = await http.send('GET', '/v1/api/iserver/secdef/search?symbol=BRK%20B&name=a%2Fb%2Bc~d%2Ae');
    expect(search.kind === 'response' && search.status !== 401).toBe(true);
  });

  it('names an unactivated consumer, and does not ask again inside the retry floor', async () => {
    const { simulator, oauth, errors } = await session();
    simulator.oauth!.setConsumerActivated(false);
    const first = await oauth.authorize();
    const second = await oauth.authorize();
    expect(first).toMatchObject({ kind: 'rejected', problem: 'invalid-consumer' });
    expect(second).toBe(first);
    expect(oauth.requests).toBe(1);
    expect(errors.map((error) => error.code)).toEqual(['oauth-invalid-consumer']);
  });

  it.each([
    [500, /failed to generate sso dh token|not enabled/],
    [410, /1\.api\.ibkr\.com/],
  ] as const)('reports ssodh/init %d as a brokerage-session problem with its hint', async (status, hint) => {
    const { simulator, oauth, errors } = await session();
    simulator.oauth!.failSsodhInit(status);
    const result = await oauth.authorize();
    expect(result).toMatchObject({ kind: 'rejected', problem: 'brokerage-session' });
    expect(errors.at(-1)?.code).toBe('oauth-brokerage-session');
    expect(errors.at(-1)?.message).toMatch(hint);
  });

  it('never sends more than 3 token requests in 10 s without getting a token, whoever asks', async () => {
    let clock = Date.now();
    const { simulator, oauth, errors } = await session({ refusedRetryMs: 0, now: () => clock });
    simulator.oauth!.setConsumerActivated(false);
    for (let index = 0; index < 6; index++) {
      await oauth.authorize();
      clock += 1_000;
    }
    expect(oauth.requests).toBe(3);
    expect(errors.filter((error) => error.code === 'rate-limited')).toHaveLength(3);
    clock += 10_000;
    simulator.oauth!.setConsumerActivated(true);
    expect((await oauth.authorize()).kind).toBe('authorized');
    expect(oauth.requests).toBe(4);
  });
});

describe('the renewal schedule', () => {
  it('renews after 85 % of the life left (a 24 h token after 20.4 h, a 6 s token after 5.1 s), never sooner than half', () => {
    expect(renewInMs(1_000 + 86_400_000, 1_000)).toBe(73_440_000);
    expect(renewInMs(1_000 + 6_000, 1_000)).toBe(5_100);
    for (const life of [1, 10, 999, 6_000, 86_400_000]) {
      const renewIn = renewInMs(life, 0);
      expect(renewIn).toBeGreaterThanOrEqual(Math.round(life / 2));
      expect(renewIn).toBeLessThanOrEqual(Math.ceil(life * 0.9));
    }
  });

  it('assumes IBKR 24 h when the answer has no usable expiration (absent, or already past by the local clock)', () => {
    expect(renewInMs(undefined, 5)).toBe(73_440_000);
    expect(renewInMs(4, 5)).toBe(73_440_000);
  });
});
