/**
 * What IBKR's side refuses, over HTTP, with the answers the simulator documents: the CDN's 403 without a User-Agent,
 * `invalid consumer` (wrong case, not yet activated), `LST failed` for a bad RSA signature, 401 for a bad HMAC
 * signature, a stale timestamp, a reused nonce, a missing realm or the wrong method; the signed URL rebuilt from the
 * simulator's own address, not the Host header; the lenient switch and the ssodh/init faults.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewaySimulator, GatewaySimulatorOptions } from '../../src/simulator/index.js';
import { closeEverything, startSimulator } from './helpers.js';
import { OAuthTestClient, sharedOAuthMaterial } from './support/oauth-test-client.js';

const clients: OAuthTestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await closeEverything();
});

async function setUp(
  options: GatewaySimulatorOptions = {},
): Promise<{ simulator: GatewaySimulator; client: OAuthTestClient }> {
  const simulator = await startSimulator({ auth: 'oauth', oauthMaterial: await sharedOAuthMaterial(), ...options });
  const client = new OAuthTestClient(simulator);
  clients.push(client);
  return { simulator, client };
}

const IBKR_ERROR = (text: string): RegExp => new RegExp(`^id: \\d+, error: ${text}$`);

describe('OAuth refusals', () => {
  it('403 Access Denied without a User-Agent, on the LST endpoint and on signed calls', async () => {
    const { client } = await setUp();
    const lst = await client.requestLiveSessionToken({ userAgent: null });
    expect(lst.status).toBe(403);
    expect(lst.text).toBe('Access Denied');
    await client.requestLiveSessionToken();
    expect((await client.call('POST', '/v1/api/tickle', {}, { userAgent: '' })).status).toBe(403);
  });

  it('401 invalid consumer for a wrong-case consumer key and while the consumer is not yet activated', async () => {
    const { simulator, client } = await setUp();
    const wrongCase = await client.requestLiveSessionToken({
      oauth: { oauth_consumer_key: client.credentials.consumerKey.toLowerCase() },
    });
    expect(wrongCase.status).toBe(401);
    expect(wrongCase.json.statusCode).toBe(401);
    expect(wrongCase.json.error).toMatch(IBKR_ERROR('invalid consumer'));
    simulator.oauth?.setConsumerActivated(false);
    const inactive = await client.requestLiveSessionToken();
    expect(inactive.status).toBe(401);
    expect(inactive.json.error).toMatch(IBKR_ERROR('invalid consumer'));
    // The id varies per answer, as users quote it.
    expect(inactive.json.error).not.toBe(wrongCase.json.error);
    simulator.oauth?.setConsumerActivated(true);
    expect((await client.requestLiveSessionToken()).validated).toBe(true);
  });

  it('401 LST failed for a tampered RSA signature, an unknown token, a bad challenge or an HMAC-signed LST request', async () => {
    const { simulator, client } = await setUp();
    const tampered = await client.requestLiveSessionToken({ tamper: true });
    expect(tampered.status).toBe(401);
    expect(tampered.json.error).toMatch(IBKR_ERROR('LST failed, error: '));
    const unknown = await client.requestLiveSessionToken({ oauth: { oauth_token: '0123456789abcdef0123' } });
    expect(unknown.json.error).toMatch(IBKR_ERROR('LST failed, error: invalid token'));
    const zero = await client.requestLiveSessionToken({ oauth: { diffie_hellman_challenge: '1' } });
    expect(zero.json.error).toMatch(IBKR_ERROR('LST failed, error: invalid diffie hellman challenge'));
    const method = await client.requestLiveSessionToken({ oauth: { oauth_signature_method: 'HMAC-SHA256' } });
    expect(method.status).toBe(401);
    expect(simulator.oauth?.counters.rejectedByReason).toEqual({
      signature: 1,
      'unknown-token': 1,
      challenge: 1,
      'signature-method': 1,
    });
    expect(simulator.oauth?.counters.liveSessionTokensIssued).toBe(0);
    expect(simulator.oauth?.counters.liveSessionTokenRequests).toBe(4);
  });

  it('401 for a bad HMAC signature, a stale or future timestamp, a reused nonce, a missing realm; nothing is served', async () => {
    const { simulator, client } = await setUp();
    await client.requestLiveSessionToken();
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[Parameters<OAuthTestClient['call']>[3], string]> = [
      [{ tamper: true }, 'invalid signature'],
      [{ oauth: { oauth_timestamp: String(now - 400) } }, 'invalid timestamp'],
      [{ oauth: { oauth_timestamp: String(now + 400) } }, 'invalid timestamp'],
      [{ oauth: { oauth_timestamp: String(now * 1000) } }, 'invalid timestamp'],
      [{ oauth: { realm: 'test_realm' } }, 'invalid realm'],
    ];
    for (const [options, text] of cases) {
      const reply = await client.call('POST', '/v1/api/tickle', {}, options);
      expect(reply.status, text).toBe(401);
      expect(reply.json.error).toMatch(IBKR_ERROR(text));
    }
    expect((await client.call('POST', '/v1/api/tickle', {}, { oauth: { oauth_nonce: 'once-only' } })).status).toBe(200);
    const replay = await client.call('POST', '/v1/api/tickle', {}, { oauth: { oauth_nonce: 'once-only' } });
    expect(replay.status).toBe(401);
    expect(replay.json.error).toMatch(IBKR_ERROR('nonce already used'));
    expect(simulator.counters.tickles).toBe(7);
    expect(simulator.oauth?.counters.signedRequestsAccepted).toBe(1);
  });

  it('rebuilds the signed URL from its own address: a Host header of api.ibkr.com changes nothing, a URL signed for it fails', async () => {
    const { simulator, client } = await setUp();
    await client.requestLiveSessionToken({ headers: { host: 'api.ibkr.com' } });
    expect(client.liveSessionToken).toBeDefined();
    expect((await client.call('POST', '/v1/api/tickle', {}, { headers: { host: 'api.ibkr.com' } })).status).toBe(200);
    expect(
      (await client.call('POST', '/v1/api/tickle', {}, { origin: `https://127.0.0.1:${simulator.port}` })).status,
    ).toBe(200);
    expect((await client.call('POST', '/v1/api/tickle', {}, { origin: 'https://api.ibkr.com' })).status).toBe(401);
    const proxied = await setUp({ oauthBaseUrls: ['https://api.ibkr.com'] });
    await proxied.client.requestLiveSessionToken({ origin: 'https://api.ibkr.com' });
    expect((await proxied.client.call('POST', '/v1/api/tickle', {}, { origin: 'https://api.ibkr.com' })).status).toBe(
      200,
    );
  });

  it('strict by default on queries; the lenient switch also accepts IBind master, IbkrConduit and quote() and says which matched', async () => {
    const query = { conids: '265598,8314', fields: '31,84', symbol: 'BRK B/x' };
    const strict = await setUp();
    await strict.client.authorize();
    const path = '/v1/api/iserver/marketdata/snapshot';
    expect((await strict.client.call('GET', path, query)).status).not.toBe(401);
    for (const form of ['query-omitted', 'query-in-url', 'quote'] as const) {
      expect((await strict.client.call('GET', path, query, { form })).status, form).toBe(401);
    }
    const lenient = await setUp({ oauthLenient: true });
    await lenient.client.authorize();
    const matched: string[] = [];
    lenient.simulator.on('oauth-request', (event) => {
      if (event.path === path) matched.push(`${event.outcome}:${event.variant}`);
    });
    for (const form of ['standard', 'query-omitted', 'query-in-url', 'quote'] as const) {
      expect((await lenient.client.call('GET', path, query, { form })).status, form).not.toBe(401);
    }
    expect(matched).toEqual(['accepted:standard', 'accepted:query-omitted', 'accepted:query-in-url', 'accepted:quote']);
    expect(lenient.simulator.oauth?.counters.acceptedByVariant).toMatchObject({
      'query-omitted': 1,
      'query-in-url': 1,
      quote: 1,
    });
  });

  it('ssodh/init: 500 "failed to generate sso dh token", 410 Gone, publish required; then it opens the bridge', async () => {
    const { simulator, client } = await setUp();
    await client.requestLiveSessionToken();
    simulator.oauth?.failSsodhInit(500);
    const failed = await client.call(
      'POST',
      '/v1/api/iserver/auth/ssodh/init',
      {},
      { json: { publish: true, compete: true } },
    );
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({ error: 'failed to generate sso dh token' });
    simulator.oauth?.failSsodhInit(410, 2);
    for (let attempt = 0; attempt < 2; attempt++) {
      const gone = await client.call(
        'POST',
        '/v1/api/iserver/auth/ssodh/init',
        {},
        { json: { publish: true, compete: true } },
      );
      expect(gone.status).toBe(410);
      expect(gone.text).toBe('Gone');
    }
    expect(
      (await client.call('POST', '/v1/api/iserver/auth/ssodh/init', {}, { json: { publish: false } })).status,
    ).toBe(500);
    expect((await client.call('GET', '/v1/api/iserver/accounts')).json).toEqual({
      error: 'no bridge',
      statusCode: 400,
    });
    // IBKR's staff sample sends the parameters in the query instead of a JSON body.
    const viaQuery = await client.call('GET', '/v1/api/iserver/auth/ssodh/init', { publish: 'true', compete: 'true' });
    expect(viaQuery.status).toBe(200);
    expect((await client.call('GET', '/v1/api/iserver/accounts')).status).toBe(200);
    expect(simulator.oauth?.counters).toMatchObject({ ssodhInitFailures: 3, brokerageSessionsInitialised: 1 });
  });

  it('/logout ends the brokerage session and closes the socket; tickle still answers; no bridge until the next ssodh/init', async () => {
    const { client } = await setUp();
    await client.authorize();
    const socket = client.openSocket();
    await socket.next((frame) => frame.json?.topic === 'sts');
    expect((await client.call('POST', '/v1/api/logout')).json).toEqual({ status: true });
    expect((await socket.closed).code).toBe(1000);
    expect((await client.call('GET', '/v1/api/iserver/accounts')).json).toEqual({
      error: 'no bridge',
      statusCode: 400,
    });
    // The live session token still signs: tickle answers, with the brokerage session unauthenticated.
    const tickle = await client.call('POST', '/v1/api/tickle');
    expect(tickle.status).toBe(200);
    expect(tickle.json.iserver.authStatus.authenticated).toBe(false);
    expect(
      (await client.call('POST', '/v1/api/iserver/auth/ssodh/init', {}, { json: { publish: true, compete: true } }))
        .status,
    ).toBe(200);
    expect((await client.call('GET', '/v1/api/iserver/accounts')).status).toBe(200);
  });

  it('gateway mode is untouched: no OAuth side, no file, unsigned REST works', async () => {
    const simulator = await startSimulator();
    expect(simulator.oauth).toBeUndefined();
    expect(simulator.oauthFile).toBeUndefined();
  });

  it('refuses bad OAuth options at start', async () => {
    await expect(startSimulator({ auth: 'oauth', oauthLstLifetimeMs: 0 })).rejects.toThrow(/oauthLstLifetimeMs/);
    await expect(startSimulator({ auth: 'oauth', oauthBaseUrls: ['http://x/'] })).rejects.toThrow(/oauthBaseUrls/);
    await expect(startSimulator({ auth: 'bogus' as 'oauth' })).rejects.toThrow(/auth must be/);
    // A consumer whose public key does not parse fails the start and leaves no credentials file behind.
    const material = { ...(await sharedOAuthMaterial()), signaturePublicKey: 'not a key' };
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('ibkr-ws-sim-oauth-')).length;
    await expect(startSimulator({ auth: 'oauth', oauthMaterial: material })).rejects.toThrow();
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('ibkr-ws-sim-oauth-')).length).toBeLessThanOrEqual(
      before,
    );
  });
});
