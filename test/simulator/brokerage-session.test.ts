import { afterEach, describe, expect, it } from 'vitest';
import {
  closeEverything,
  eventually,
  isHeartbeat,
  openReadySocket,
  restClient,
  startSimulator,
  type ReceivedFrame,
} from './helpers.js';

afterEach(closeEverything);

const isUnauthenticatedStatus = (frame: ReceivedFrame): boolean =>
  frame.json?.topic === 'sts' && frame.json.args?.authenticated === false;
const isAuthenticatedStatus = (frame: ReceivedFrame): boolean =>
  frame.json?.topic === 'sts' && frame.json.args?.authenticated === true;

/** Sends `send()` every `everyMs` until stopped: the keep-alive under test. */
function repeat(send: () => unknown, everyMs: number): () => void {
  const timer = setInterval(send, everyMs);
  return () => clearInterval(timer);
}

describe('the brokerage idle timeout', () => {
  it('ends the brokerage session after the idle time without REST calls, with an sts push', async () => {
    // Long enough for a loaded machine to open the socket first; the idle clock then restarts at a REST call we time.
    const simulator = await startSimulator({ brokerageIdleTimeoutMs: 1_000 });
    const socket = await openReadySocket(simulator);
    expect(simulator.state.brokerage.authenticated).toBe(true);
    const lastRestAt = Date.now(); // taken before the call: the gateway restarts its idle clock after this instant
    await restClient(simulator).call('GET', '/v1/api/iserver/auth/status');
    const status = await socket.next(isUnauthenticatedStatus);
    expect(status.json).toEqual({ topic: 'sts', args: { authenticated: false } });
    expect(status.at - lastRestAt).toBeGreaterThanOrEqual(990);
    const tickle = await restClient(simulator).call('POST', '/v1/api/tickle');
    expect(tickle.status).toBe(200);
    expect(tickle.json.iserver.authStatus).toMatchObject({ authenticated: false, connected: true, competing: false });
    expect(simulator.counters.brokerageSessionsLost).toBe(1);
    // Heartbeats go on: the socket is alive, the brokerage session is not.
    await socket.heartbeatsPass(1);
  });

  it('is kept alive by REST calls', async () => {
    // The idle time is many keep-alive periods long, so a busy machine cannot make this flaky.
    const simulator = await startSimulator({ brokerageIdleTimeoutMs: 400 });
    const rest = restClient(simulator);
    const socket = await openReadySocket(simulator);
    const stop = repeat(() => rest.call('POST', '/v1/api/tickle'), 20);
    await socket.heartbeatsPass(12); // 600 ms, well past the idle time
    stop();
    expect(simulator.state.brokerage.authenticated).toBe(true);
    expect(socket.frames.some(isUnauthenticatedStatus)).toBe(false);
  });

  it('is not kept alive by tic by default', async () => {
    const simulator = await startSimulator({ brokerageIdleTimeoutMs: 150 });
    const socket = await openReadySocket(simulator);
    const stop = repeat(() => socket.send('tic'), 20);
    await socket.next(isUnauthenticatedStatus);
    stop();
  });

  it('is kept alive by tic when ticCountsAsActivity is on', async () => {
    const simulator = await startSimulator({ brokerageIdleTimeoutMs: 400, ticCountsAsActivity: true });
    const socket = await openReadySocket(simulator);
    const stop = repeat(() => socket.send('tic'), 20);
    await socket.heartbeatsPass(12);
    stop();
    expect(simulator.state.brokerage.authenticated).toBe(true);
    await socket.next(isUnauthenticatedStatus);
  });

  it('goes silent instead of pushing sts when brokerageExpiryNotice is silent', async () => {
    const simulator = await startSimulator({ brokerageIdleTimeoutMs: 100, brokerageExpiryNotice: 'silent' });
    const socket = await openReadySocket(simulator);
    await eventually(() => !simulator.state.brokerage.authenticated);
    const beats = socket.frames.filter(isHeartbeat).length;
    await expect(socket.heartbeatsPass(1, 250)).rejects.toThrow();
    expect(socket.frames.filter(isHeartbeat).length).toBeLessThanOrEqual(beats + 1);
    expect(socket.frames.some(isUnauthenticatedStatus)).toBe(false);
  });
});

describe('expireBrokerageSession and reauthenticate', () => {
  it('pushes authenticated:false, and the full status again after a reauthentication', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    simulator.expireBrokerageSession();
    await socket.next(isUnauthenticatedStatus);
    await restClient(simulator).call('POST', '/v1/api/iserver/reauthenticate');
    const restored = await socket.next(isAuthenticatedStatus);
    expect(restored.json.args).toEqual({
      connected: true,
      authenticated: true,
      established: true,
      competing: false,
      message: '',
      fail: '',
    });
  });

  it('greets a socket opened while the session is gone with the real status', async () => {
    const simulator = await startSimulator();
    simulator.expireBrokerageSession();
    const socket = await openReadySocket(simulator);
    const status = socket.frames.find((frame) => frame.json?.topic === 'sts');
    expect(status?.json.args).toMatchObject({ authenticated: false, connected: true, established: false });
  });
});

describe('a competing session', () => {
  it('reports competing on REST and pushes sts with both keys', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    const socket = await openReadySocket(simulator);
    simulator.competingSession();
    expect((await socket.next(isUnauthenticatedStatus)).json).toEqual({
      topic: 'sts',
      args: { authenticated: false, competing: true },
    });
    expect((await rest.call('POST', '/v1/api/iserver/auth/status')).json).toMatchObject({
      authenticated: false,
      competing: true,
      connected: true,
    });
    expect((await rest.call('GET', '/v1/api/tickle')).json.iserver.authStatus).toMatchObject({
      authenticated: false,
      competing: true,
    });
    await rest.call('POST', '/v1/api/iserver/reauthenticate');
    expect((await socket.next(isAuthenticatedStatus)).json.args.competing).toBe(false);
  });
});
