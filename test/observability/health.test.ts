/**
 * `ibkr.health()` against the real simulator: ready only when authenticated with every wanted subscription active,
 * not ready within a second of a logout or a lingering socket, live throughout a recovery, not live once failed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestClient,
  eventually,
  FAST_TIMING,
  recordStates,
  startSimulator,
  stopWhatWasStarted,
} from '../support/harness.js';

afterEach(stopWhatWasStarted);

describe('ibkr.health()', () => {
  it('is live but not ready before start, with the state and why', async () => {
    const simulator = await startSimulator();
    const client = createTestClient(simulator);
    const report = client.health();
    expect(report).toMatchObject({
      live: true,
      ready: false,
      state: 'idle',
      reason: 'idle',
      subscriptions: { wanted: 0, active: 0, notActive: [] },
    });
    expect(Date.parse(report.since)).toBeGreaterThan(0);
  });

  it('is ready once authenticated with its subscription active, and not ready within 1 s of a logout', async () => {
    const simulator = await startSimulator();
    const client = createTestClient(simulator);
    const states = recordStates(client);
    const quotes = client.marketData(265598, ['31']);
    await client.start();
    await quotes.acknowledged;
    await eventually(() => client.health().ready, 'ready');
    const ready = client.health();
    expect(ready).toMatchObject({
      live: true,
      ready: true,
      state: 'authenticated',
      subscriptions: { wanted: 1, active: 1, notActive: [] },
    });
    expect(ready.reason).toBeUndefined();

    const loggedOutAt = Date.now();
    // Waiting starts before the fault: the client may reach login-required while the readiness poll below runs.
    const loginRequired = states.waitForState('login-required');
    simulator.logout();
    await eventually(() => !client.health().ready, 'not ready after logout', 1_000);
    expect(Date.now() - loggedOutAt).toBeLessThan(1_000);
    await loginRequired;
    const report = client.health();
    expect(report).toMatchObject({ live: true, ready: false, state: 'login-required' });
    expect(report.reason).toBeTypeOf('string');
    expect(Date.parse(report.since)).toBeGreaterThanOrEqual(loggedOutAt - 5);
    expect(report.subscriptions.notActive).toEqual([expect.objectContaining({ key: 'smd+265598', status: 'pending' })]);

    simulator.login();
    await eventually(() => client.health().ready, 'ready again after login');
  });

  it('is not ready within 1 s of a lingering socket, and live throughout the recovery', async () => {
    const simulator = await startSimulator();
    // 3 server heartbeats (200 ms): the silence is noticed within 600 ms of the last frame, well inside the second.
    const client = createTestClient(simulator, { timing: { ...FAST_TIMING, heartbeatTimeoutMs: 600 } });
    const states = recordStates(client);
    await client.start();
    expect(client.health().ready).toBe(true);
    let notLive = 0;
    const poll = setInterval(() => {
      if (!client.health().live) notLive++;
    }, 10);
    try {
      const lingeredAt = Date.now();
      const reconnecting = states.waitForState('reconnect');
      simulator.linger();
      await eventually(() => !client.health().ready, 'not ready after linger', 1_500);
      expect(Date.now() - lingeredAt).toBeLessThan(1_000);
      expect(client.health()).toMatchObject({ ready: false, state: 'lingering-detected', reason: 'silence' });
      await reconnecting;
      await eventually(() => client.health().ready, 'ready after the recovery');
    } finally {
      clearInterval(poll);
    }
    expect(notLive).toBe(0);
  });

  it('is not ready while a wanted subscription is not active, and says which', async () => {
    const simulator = await startSimulator();
    const client = createTestClient(simulator);
    await client.start();
    // A subscription opened while ready is pending until its first data: no event says so, health() still sees it.
    const quotes = client.marketData(8314, ['31']);
    const report = client.health();
    expect(report).toMatchObject({ ready: false, state: 'authenticated', reason: 'subscriptions-not-active' });
    expect(report.subscriptions.notActive).toEqual([{ key: 'smd+8314', status: 'pending' }]);
    await quotes.acknowledged;
    expect(client.health().ready).toBe(true);
    quotes.close();
    expect(client.health()).toMatchObject({ ready: true, subscriptions: { wanted: 0 } });
  });

  it('is not live once the client has given up (failed) until retry(), nor once stopped', async () => {
    const simulator = await startSimulator();
    simulator.maintenance(true);
    const client = createTestClient(simulator, { maxAttempts: 1 });
    const states = recordStates(client);
    void client.start().catch(() => undefined);
    await states.waitForState('failed');
    expect(client.health()).toMatchObject({ live: false, ready: false, state: 'failed' });
    // retry() starts again: live while it tries.
    const checking = states.waitForState('checking-session');
    const failedAgain = states.waitForState('failed');
    client.retry();
    await checking;
    expect(client.health().live).toBe(true);
    await failedAgain;
    expect(client.health().live).toBe(false);
    await client.stop();
    expect(client.health()).toMatchObject({ live: false, state: 'stopped' });
  });
});
