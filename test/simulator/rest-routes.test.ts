import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { closeEverything, eventually, restClient, startSimulator } from './helpers.js';

afterEach(closeEverything);

describe('tickle', () => {
  it.each(['POST', 'GET'] as const)(
    'answers %s with the session, a counting-down ssoExpires and the brokerage status',
    async (method) => {
      const simulator = await startSimulator();
      const rest = restClient(simulator);
      const first = await rest.call(method, '/v1/api/tickle');
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(first.json).toMatchObject({
        session: simulator.sessionValue,
        collission: false,
        userId: 123456789,
        hmds: { error: 'no bridge' },
        iserver: {
          authStatus: { authenticated: true, competing: false, connected: true, established: true, message: '' },
        },
      });
      expect(first.json.session).toMatch(/^[0-9a-f]{32}$/);
      expect(first.json.ssoExpires).toBeGreaterThan(0);
      expect(first.json.ssoExpires).toBeLessThanOrEqual(600_000);
      expect(String(first.headers['set-cookie'])).toMatch(/^x-sess-uuid=[^;]+; Path=\/v1\/api; Secure; HttpOnly$/);
      await delay(25); // let the clock move: the countdown is in milliseconds
      const second = await rest.call(method, '/v1/api/tickle');
      expect(second.json.ssoExpires).toBeLessThan(first.json.ssoExpires);
      expect(simulator.counters.tickles).toBe(2);
    },
  );

  it('uses the configured fixed session value', async () => {
    const simulator = await startSimulator({ sessionValue: 'bb665d0f55b6289d70bc7380089fc96f' });
    expect((await restClient(simulator).call('POST', '/v1/api/tickle')).json.session).toBe(
      'bb665d0f55b6289d70bc7380089fc96f',
    );
  });
});

describe('brokerage status and SSO', () => {
  it('answers /iserver/auth/status with the brokerage status', async () => {
    const simulator = await startSimulator();
    const reply = await restClient(simulator).call('POST', '/v1/api/iserver/auth/status');
    expect(reply.json).toMatchObject({
      authenticated: true,
      competing: false,
      connected: true,
      established: true,
      fail: '',
      message: '',
    });
    expect(reply.json.serverInfo).toEqual({
      serverName: 'JifN19053',
      serverVersion: 'Build 10.25.0p, Dec 5, 2023 5:48:12 PM',
    });
  });

  it('answers /sso/validate with RESULT and EXPIRES', async () => {
    const simulator = await startSimulator();
    const reply = await restClient(simulator).call('GET', '/v1/api/sso/validate');
    expect(reply.json).toMatchObject({ RESULT: true, USER_NAME: 'user1234', LOGIN_TYPE: 2 });
    expect(reply.json.EXPIRES).toBeGreaterThan(0);
  });

  it('answers /iserver/accounts with the account definition', async () => {
    const simulator = await startSimulator();
    const reply = await restClient(simulator).call('GET', '/v1/api/iserver/accounts');
    expect(reply.json).toMatchObject({
      accounts: ['DU1234567'],
      selectedAccount: 'DU1234567',
      isPaper: true,
      isFT: false,
    });
  });

  it('answers /iserver/account/orders with the day’s orders: none on a fresh paper account', async () => {
    const simulator = await startSimulator();
    const reply = await restClient(simulator).call('GET', '/v1/api/iserver/account/orders');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ orders: [], snapshot: true });
  });

  it('answers /iserver/* with 400 Init session first when the brokerage session is gone', async () => {
    const simulator = await startSimulator();
    simulator.expireBrokerageSession();
    const reply = await restClient(simulator).call('GET', '/v1/api/iserver/accounts');
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({ error: 'Init session first', statusCode: 400 });
  });
});

describe('reauthenticate', () => {
  it('answers triggered and brings the brokerage session back a little later', async () => {
    const simulator = await startSimulator({ reauthenticateDelayMs: 50 });
    const rest = restClient(simulator);
    simulator.expireBrokerageSession();
    expect((await rest.call('POST', '/v1/api/iserver/reauthenticate')).json).toEqual({ message: 'triggered' });
    expect((await rest.call('POST', '/v1/api/iserver/auth/status')).json.authenticated).toBe(false);
    await eventually(async () => (await rest.call('POST', '/v1/api/iserver/auth/status')).json.authenticated === true);
    expect(simulator.state.brokerage).toEqual({
      authenticated: true,
      competing: false,
      connected: true,
      established: true,
    });
  });

  it('answers {"error":"not logged in"} when nobody is logged in, also under /v1/portal', async () => {
    const simulator = await startSimulator({ loggedIn: false });
    const rest = restClient(simulator);
    expect((await rest.call('POST', '/v1/api/iserver/reauthenticate')).json).toEqual({ error: 'not logged in' });
    expect((await rest.call('POST', '/v1/portal/iserver/reauthenticate?force=true')).json).toEqual({
      error: 'not logged in',
    });
  });
});

describe('logout', () => {
  it('answers {"status":true}, then 401 everywhere until login', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    expect((await rest.call('POST', '/v1/api/logout')).json).toEqual({ status: true });
    for (const path of [
      '/v1/api/tickle',
      '/v1/api/iserver/auth/status',
      '/v1/api/sso/validate',
      '/v1/api/logout',
      '/v1/api/iserver/accounts',
    ]) {
      expect((await rest.call('POST', path)).status, path).toBe(401);
    }
    simulator.login();
    expect((await rest.call('POST', '/v1/api/tickle')).status).toBe(200);
  });
});

describe('market data lines over REST', () => {
  it('answers unsubscribeall and unsubscribe', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    expect((await rest.call('GET', '/v1/api/iserver/marketdata/unsubscribeall')).json).toEqual({ unsubscribed: true });
    expect((await rest.call('POST', '/v1/api/iserver/marketdata/unsubscribe', { conid: 265598 })).json).toEqual({
      success: true,
    });
    expect((await rest.call('POST', '/v1/api/iserver/marketdata/unsubscribe', {})).status).toBe(400);
  });
});

describe('unknown paths', () => {
  it.each(['/v1/api/no-such-path', '/', '/v1/api'])('answer 404 Unknown path for %s', async (path) => {
    const simulator = await startSimulator();
    const reply = await restClient(simulator).call('GET', path);
    expect(reply.status).toBe(404);
    expect(reply.text).toBe('Unknown path');
  });

  it('emits rest-request events with the status', async () => {
    const simulator = await startSimulator();
    const seen: unknown[] = [];
    simulator.on('rest-request', (event) => seen.push(event));
    await restClient(simulator).call('GET', '/v1/api/nope?x=1');
    expect(seen).toEqual([{ method: 'GET', path: '/v1/api/nope', status: 404 }]);
  });
});
