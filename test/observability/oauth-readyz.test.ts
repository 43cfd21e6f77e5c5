/**
 * `ibkr-ws connect --oauth FILE --health-port 0` probed from outside, as an orchestrator would: /readyz turns 200 once
 * the OAuth client is authenticated, 503 while it has to authorize again (its live session token revoked, the
 * brokerage session failing to open once), 200 once it is back; /livez stays 200 throughout; no answer and no
 * metric carries a secret of the consumer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startGatewaySimulator, type GatewaySimulator } from '../../src/simulator/index.js';
import { sharedOAuthMaterial } from '../simulator/support/oauth-test-client.js';
import { oauthConnectArgs, runCli } from '../cli/support/spawn-cli.js';
import { parseJsonLines, stateSequence } from '../cli/support/contract.js';
import { eventually } from '../support/harness.js';

let simulator: GatewaySimulator | undefined;
afterAll(async () => {
  await simulator?.close();
});

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return { status: response.status, text: await response.text() };
}

/** Polls /readyz every 10 ms until it answers `status`; returns the body it answered with. */
async function readyzBecomes(healthUrl: string, status: number, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await get(`${healthUrl}/readyz`);
    if (answer.status === status) return answer.text;
    if (Date.now() > deadline) throw new Error(`/readyz did not answer ${status} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('connect --oauth --health-port', () => {
  it('is ready when authenticated, not ready while authorizing again, ready again; live throughout; no secret', async () => {
    simulator = await startGatewaySimulator({
      port: 0,
      auth: 'oauth',
      oauthMaterial: await sharedOAuthMaterial(),
      heartbeatIntervalMs: 200,
      marketDataIntervalMs: 100,
    });
    let stdout = '';
    const run = runCli([...oauthConnectArgs(simulator), '--health-port', '0', '--json', '--for', '20'], {
      timeoutMs: 60_000,
      onStdout: (chunk) => (stdout += chunk),
    });
    const bodies: string[] = [];
    let livezFailures = 0;
    let polling: ReturnType<typeof setInterval> | undefined;
    try {
      await eventually(() => /"type":"health","url":"[^"]+"/.test(stdout), 'the health line', 20_000);
      const healthUrl = /"type":"health","url":"([^"]+)"/.exec(stdout)![1]!;
      bodies.push(await readyzBecomes(healthUrl, 200));
      polling = setInterval(() => {
        void get(`${healthUrl}/livez`).then(
          (answer) => void (answer.status !== 200 && livezFailures++),
          () => livezFailures++,
        );
      }, 50);
      // The brokerage session will not open once: the client waits (about 10 s) before authorizing again, so the
      // 503 lasts long enough for a poll to see it whatever the load.
      simulator.oauth!.failSsodhInit(500, 1);
      simulator.oauth!.expireLiveSessionToken();
      const notReady = await readyzBecomes(healthUrl, 503);
      bodies.push(notReady);
      expect(JSON.parse(notReady)).toMatchObject({ live: true, ready: false });
      bodies.push(await readyzBecomes(healthUrl, 200, 18_000));
      expect(simulator.oauth!.counters.ssodhInitFailures).toBe(1);
      const metrics = await get(`${healthUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/ibkr_ws_/);
      // The first token and the one after the revocation, at least.
      const tokens = /^ibkr_ws_oauth_live_session_tokens_total(?:\{[^}]*\})? (\d+)/m.exec(metrics.text);
      expect(Number(tokens?.[1])).toBeGreaterThanOrEqual(2);
      bodies.push(metrics.text);
    } finally {
      clearInterval(polling);
    }
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(livezFailures).toBe(0);
    const states = stateSequence(parseJsonLines(result.lines));
    expect(states.filter((state) => state === 'authorizing').length).toBeGreaterThanOrEqual(2);
    expect(states.at(-1)).toBe('stopped');
    const material = simulator.oauth!.material;
    const everything = bodies.join('\n') + result.stdout + result.stderr;
    for (const secret of [
      material.accessToken,
      material.accessTokenSecretPlainHex,
      material.accessTokenSecret,
      material.consumerKey,
      simulator.sessionValue,
    ]) {
      expect(everything).not.toContain(secret);
    }
  }, 80_000);
});
