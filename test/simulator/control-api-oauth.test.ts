/**
 * The OAuth faults over the control API, over real HTTP as a harness in another language calls them:
 * `expireLiveSessionToken`, `setConsumerActivated` and `failSsodhInit` change what IBKR's side answers a signed
 * client; in gateway mode each is refused with 400 and a message naming OAuth mode, and nothing is reported fired.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultEvent, GatewaySimulator } from '../../src/simulator/index.js';
import { closeEverything, restClient, startSimulator } from './helpers.js';
import { OAuthTestClient, sharedOAuthMaterial } from './support/oauth-test-client.js';

const clients: OAuthTestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await closeEverything();
});

async function oauthSimulator(): Promise<{
  simulator: GatewaySimulator;
  client: OAuthTestClient;
  faults: FaultEvent[];
}> {
  const simulator = await startSimulator({ auth: 'oauth', oauthMaterial: await sharedOAuthMaterial() });
  const client = new OAuthTestClient(simulator);
  clients.push(client);
  const faults: FaultEvent[] = [];
  simulator.on('fault', (event) => faults.push(event));
  return { simulator, client, faults };
}

const ssodhInit = (client: OAuthTestClient) =>
  client.call('POST', '/v1/api/iserver/auth/ssodh/init', {}, { json: { publish: true, compete: true } });

describe('the control API in OAuth mode', () => {
  it('POST /__sim/expireLiveSessionToken: signed calls answer 401 until a new live session token', async () => {
    const { simulator, client, faults } = await oauthSimulator();
    await client.authorize();
    expect((await client.call('POST', '/v1/api/tickle')).status).toBe(200);
    const answer = await restClient(simulator).call('POST', '/__sim/expireLiveSessionToken');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ ok: true, name: 'expireLiveSessionToken', result: null });
    expect(simulator.oauth?.hasLiveSessionToken).toBe(false);
    expect((await client.call('POST', '/v1/api/tickle')).status).toBe(401);
    expect((await client.requestLiveSessionToken()).validated).toBe(true);
    expect((await client.call('POST', '/v1/api/tickle')).status).toBe(200);
    expect(faults).toEqual([expect.objectContaining({ name: 'expireLiveSessionToken', args: [], source: 'api' })]);
  });

  it('POST /__sim/setConsumerActivated: false answers 401 invalid consumer, true lets the consumer in again', async () => {
    const { simulator, client } = await oauthSimulator();
    const rest = restClient(simulator);
    expect((await rest.call('POST', '/__sim/setConsumerActivated', { on: false })).status).toBe(200);
    const refused = await client.requestLiveSessionToken();
    expect(refused.status).toBe(401);
    expect(refused.json.error).toMatch(/invalid consumer/);
    expect((await rest.call('POST', '/__sim/setConsumerActivated', [true])).status).toBe(200);
    expect((await client.requestLiveSessionToken()).validated).toBe(true);
  });

  it('POST /__sim/failSsodhInit: the next count calls answer the status, then ssodh/init works; 0 resets', async () => {
    const { simulator, client } = await oauthSimulator();
    const rest = restClient(simulator);
    expect((await client.requestLiveSessionToken()).validated).toBe(true);
    expect((await rest.call('POST', '/__sim/failSsodhInit', [410, 2])).status).toBe(200);
    expect((await ssodhInit(client)).status).toBe(410);
    expect((await ssodhInit(client)).status).toBe(410);
    expect((await ssodhInit(client)).status).toBe(200);
    expect((await rest.call('POST', '/__sim/failSsodhInit', { status: 500 })).status).toBe(200);
    const failed = await ssodhInit(client);
    expect(failed.status).toBe(500);
    expect(failed.text).toMatch(/failed to generate sso dh token/);
    expect((await ssodhInit(client)).status).toBe(200);
    expect((await rest.call('POST', '/__sim/failSsodhInit', [500, 1_000_000])).status).toBe(200);
    expect((await rest.call('POST', '/__sim/failSsodhInit', [500, 0])).status).toBe(200);
    expect((await ssodhInit(client)).status).toBe(200);
    expect(simulator.oauth?.counters.ssodhInitFailures).toBe(3);
  });

  it('refuses bad arguments with 400 and changes nothing', async () => {
    const { simulator, client, faults } = await oauthSimulator();
    const rest = restClient(simulator);
    await client.requestLiveSessionToken();
    for (const [path, body, message] of [
      ['/__sim/failSsodhInit', [404], /status' must be 500 or 410, got 404/],
      ['/__sim/failSsodhInit', [500, -1], /count' must be at least 0/],
      ['/__sim/failSsodhInit', undefined, /status' is required/],
      ['/__sim/setConsumerActivated', ['no'], /on' must be true or false/],
      ['/__sim/expireLiveSessionToken', [1], /at most 0 arguments/],
    ] as const) {
      const answer = await rest.call('POST', path, body);
      expect(answer.status, path).toBe(400);
      expect(answer.json.error).toMatch(message);
    }
    expect((await ssodhInit(client)).status).toBe(200);
    expect(simulator.oauth?.hasLiveSessionToken).toBe(true);
    expect(faults).toEqual([]);
  });

  it('lists the three on GET /__sim/ as requiring OAuth mode', async () => {
    const { simulator } = await oauthSimulator();
    const { controls } = (await restClient(simulator).call('GET', '/__sim/')).json;
    for (const name of ['expireLiveSessionToken', 'setConsumerActivated', 'failSsodhInit'])
      expect(controls[name]).toMatchObject({ kind: 'fault', requires: 'oauth' });
    expect(controls['failSsodhInit'].params).toEqual(['status: integer', 'count?: integer']);
    expect(controls['linger'].requires).toBeUndefined();
  });
});

describe('the OAuth faults in gateway mode', () => {
  it('answer 400 with a message naming OAuth mode, and no fault is reported', async () => {
    const simulator = await startSimulator();
    const faults: FaultEvent[] = [];
    simulator.on('fault', (event) => faults.push(event));
    const rest = restClient(simulator);
    for (const [name, body] of [
      ['expireLiveSessionToken', undefined],
      ['setConsumerActivated', [false]],
      ['failSsodhInit', [500]],
    ] as const) {
      const answer = await rest.call('POST', `/__sim/${name}`, body);
      expect(answer.status, name).toBe(400);
      expect(answer.json).toEqual({
        ok: false,
        error: `${name} needs the simulator in OAuth mode (auth: 'oauth', ibkr-ws sim --oauth)`,
      });
    }
    expect(faults).toEqual([]);
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(200);
  });
});
