/**
 * OAuth mode end to end, through real TLS on loopback with the test support's own signing client: credentials FILE →
 * live session token → ssodh/init → tickle (session + `api` cookie) → the socket with `oauth_token` → market data.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewaySimulator, OAuthRequestEvent } from '../../src/simulator/index.js';
import { closeEverything, isTopic, startSimulator, WAIT_MS, type TestSocket } from './helpers.js';
import { OAuthTestClient, sharedOAuthMaterial } from './support/oauth-test-client.js';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await closeEverything();
});

async function oauthSimulator(
  options: Parameters<typeof startSimulator>[0] = {},
): Promise<{ simulator: GatewaySimulator; client: OAuthTestClient }> {
  const simulator = await startSimulator({ auth: 'oauth', oauthMaterial: await sharedOAuthMaterial(), ...options });
  const client = new OAuthTestClient(simulator);
  cleanups.push(() => client.close());
  return { simulator, client };
}

function track(socket: TestSocket): TestSocket {
  cleanups.push(() => socket.close());
  return socket;
}

describe('the simulator in OAuth mode', () => {
  it('writes a ready credentials file: JSON with paths relative to its folder, private files, removed on close', async () => {
    // Generated at start, as `ibkr-ws sim --oauth` does.
    const simulator = await startSimulator({ auth: 'oauth' });
    const file = simulator.oauthFile as string;
    expect(simulator.oauth?.file).toBe(file);
    const content = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(content).sort()).toEqual([
      'accessToken',
      'accessTokenSecret',
      'consumerKey',
      'dhParamFile',
      'encryptionKeyFile',
      'realm',
      'signatureKeyFile',
    ]);
    expect(content).toEqual(simulator.oauth?.credentials);
    expect(content.consumerKey).toMatch(/^[A-Z]{9}$/);
    expect(content.accessToken).toMatch(/^[0-9a-f]{20}$/);
    expect(content.accessTokenSecret).toMatch(/^[A-Za-z0-9+/]{342}==$/);
    expect(content.realm).toBe('limited_poa');
    for (const name of [content.signatureKeyFile, content.encryptionKeyFile, content.dhParamFile]) {
      expect(name).not.toMatch(/[\\/]/);
      const path = join(dirname(file), name);
      expect(statSync(path).mode & 0o077).toBe(0);
    }
    expect(readFileSync(join(dirname(file), content.dhParamFile), 'utf8')).toMatch(/^-----BEGIN DH PARAMETERS-----/);
    expect(statSync(file).mode & 0o077).toBe(0);
    await simulator.close();
    expect(existsSync(file)).toBe(false);
  });

  it('gets a live session token, a brokerage session, the session cookie and market data over the socket', async () => {
    const { simulator, client } = await oauthSimulator();
    const events: OAuthRequestEvent[] = [];
    simulator.on('oauth-request', (event) => events.push(event));
    const lst = await client.requestLiveSessionToken();
    expect(lst.status).toBe(200);
    expect(lst.validated).toBe(true);
    expect(Object.keys(lst.json).sort()).toEqual([
      'diffie_hellman_response',
      'live_session_token_expiration',
      'live_session_token_signature',
    ]);
    expect(lst.json.live_session_token_expiration).toBeGreaterThan(Date.now() + 86_000_000);
    expect(lst.json.live_session_token_signature).toMatch(/^[0-9a-f]{40}$/);

    // Before ssodh/init: the status says unauthenticated, other /iserver calls have no bridge.
    const status = await client.call('GET', '/v1/api/iserver/auth/status');
    expect(status.status).toBe(200);
    expect(status.json.authenticated).toBe(false);
    const early = await client.call('GET', '/v1/api/iserver/accounts');
    expect(early.status).toBe(400);
    expect(early.json).toEqual({ error: 'no bridge', statusCode: 400 });

    const init = await client.call(
      'POST',
      '/v1/api/iserver/auth/ssodh/init',
      {},
      { json: { publish: true, compete: true } },
    );
    expect(init.status).toBe(200);
    expect(init.json.authenticated).toBe(true);
    const tickle = await client.call('POST', '/v1/api/tickle');
    expect(tickle.status).toBe(200);
    expect(tickle.json.session).toMatch(/^[0-9a-f]{32}$/);
    expect(client.cookie).toBe(tickle.json.session);
    expect((await client.call('GET', '/v1/api/iserver/accounts')).status).toBe(200);

    const socket = track(client.openSocket());
    await socket.opened;
    const sts = await socket.next(isTopic('sts'));
    expect(sts.json.args.authenticated).toBe(true);
    socket.send('smd+265598+{"fields":["31","84","86"]}');
    const tick = await socket.next(
      (frame) => frame.json?.topic === 'smd+265598' && frame.json['31'] !== undefined,
      WAIT_MS,
    );
    expect(tick.json.conid).toBe(265598);

    expect(simulator.oauth?.counters.liveSessionTokensIssued).toBe(1);
    expect(simulator.oauth?.counters.acceptedByVariant.standard).toBe(5);
    expect(simulator.oauth?.brokerageSessionInitialised).toBe(true);
    expect(events.map((event) => `${event.endpoint}:${event.outcome}`)).toEqual([
      'live-session-token:accepted',
      ...Array(5).fill('signed-request:accepted'),
      'websocket-upgrade:accepted',
    ]);
  });

  it('without the api cookie the socket waits for {"session":…} and then authenticates', async () => {
    const { client } = await oauthSimulator();
    await client.authorize();
    const socket = track(client.openSocket({ cookie: false }));
    const waiting = await socket.next();
    expect(waiting.json).toEqual({ message: 'waiting for session' });
    socket.send(JSON.stringify({ session: client.cookie }));
    const sts = await socket.next(isTopic('sts'));
    expect(sts.json.args.authenticated).toBe(true);
    await socket.next(isTopic('system'));
  });

  it('refuses the upgrade without oauth_token (401), with another token (401) and without a User-Agent (403)', async () => {
    const { simulator, client } = await oauthSimulator();
    await client.authorize();
    const statusOf = (socket: TestSocket): Promise<number> =>
      new Promise((resolve) =>
        socket.ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0)),
      );
    const noToken = track(client.openSocket({ token: '' }));
    expect(await statusOf(noToken)).toBe(401);
    const otherToken = track(client.openSocket({ token: '0123456789abcdef0123' }));
    expect(await statusOf(otherToken)).toBe(401);
    const noAgent = track(client.openSocket({ userAgent: null }));
    expect(await statusOf(noAgent)).toBe(403);
    expect(simulator.oauth?.counters.rejectedByReason).toEqual({
      'missing-parameter': 1,
      'unknown-token': 1,
      'no-user-agent': 1,
    });
    expect(simulator.sockets).toBe(0);
  });

  it('expireLiveSessionToken(): signed calls answer 401, the upgrade is refused and open sockets close; a new LST works again', async () => {
    const { simulator, client } = await oauthSimulator();
    await client.authorize();
    const socket = track(client.openSocket());
    await socket.next(isTopic('sts'));
    simulator.oauth?.expireLiveSessionToken();
    expect((await socket.closed).code).toBe(1000);
    const refused = await client.call('POST', '/v1/api/tickle');
    expect(refused.status).toBe(401);
    expect(refused.json.error).toMatch(/^id: \d+, error: live session token expired$/);
    expect(simulator.oauth?.hasLiveSessionToken).toBe(false);
    const late = track(client.openSocket());
    expect(
      await new Promise((resolve) =>
        late.ws.once('unexpected-response', (_request, response) => resolve(response.statusCode)),
      ),
    ).toBe(401);
    expect((await client.requestLiveSessionToken()).validated).toBe(true);
    expect((await client.call('POST', '/v1/api/tickle')).status).toBe(200);
    // The brokerage session outlived the token: no second ssodh/init is needed.
    expect((await client.call('GET', '/v1/api/iserver/accounts')).status).toBe(200);
  });

  it('a short-lived token (oauthLstLifetimeMs) expires by itself: sockets close and signed calls answer 401', async () => {
    // Long enough for the set-up to finish under load before the token runs out.
    const { client } = await oauthSimulator({ oauthLstLifetimeMs: 5_000 });
    const started = Date.now();
    await client.authorize();
    const socket = track(client.openSocket());
    await socket.next(isTopic('sts'));
    expect((await socket.closed).code).toBe(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    expect((await client.call('POST', '/v1/api/tickle')).status).toBe(401);
  });

  it('a new live session token replaces the previous one (oauthRevokePreviousLst), or not when switched off', async () => {
    for (const revoke of [true, false]) {
      const { client } = await oauthSimulator({ oauthRevokePreviousLst: revoke });
      await client.requestLiveSessionToken();
      const first = client.liveSessionToken;
      await client.requestLiveSessionToken();
      expect((await client.call('POST', '/v1/api/tickle')).status).toBe(200);
      client.liveSessionToken = first;
      expect((await client.call('POST', '/v1/api/tickle')).status).toBe(revoke ? 401 : 200);
    }
  });

  it('its own log never holds the secret, the LST, a private key, an Authorization header, the session or the token', async () => {
    const lines: string[] = [];
    const keep = (...args: unknown[]): void => {
      lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    };
    const { simulator, client } = await oauthSimulator({
      logger: { debug: keep, info: keep, warn: keep, error: keep },
    });
    await client.requestLiveSessionToken({ tamper: true });
    await client.authorize();
    await client.call('POST', '/v1/api/tickle', {}, { tamper: true });
    const socket = track(client.openSocket());
    await socket.next(isTopic('sts'));
    simulator.oauth?.expireLiveSessionToken();
    await socket.closed;
    await client.requestLiveSessionToken();
    await simulator.close();
    const log = lines.join('\n');
    expect(log).toMatch(/live session token issued/);
    expect(log).toMatch(/refused/);
    const material = simulator.oauth?.material;
    const secrets = [
      material?.accessTokenSecret,
      material?.accessTokenSecretPlainHex,
      material?.accessToken,
      client.liveSessionToken?.toString('base64'),
      client.liveSessionToken?.toString('hex'),
      client.cookie,
    ];
    for (const secret of secrets) {
      expect(secret).toBeTruthy();
      expect(log).not.toContain(secret as string);
    }
    expect(log).not.toMatch(/PRIVATE KEY|OAuth |oauth_signature|diffie_hellman/);
  });
});
