/**
 * `ibkr-ws connect --health-port` tested from outside, as an orchestrator would probe it: the CLI runs as a child
 * process against a simulator this test controls; /readyz turns 200 once authenticated and 503 within a second of a
 * lingering socket or a logout, /livez stays 200 throughout every recovery, and /metrics parses as Prometheus text
 * (with a real parser) whose reconnect counter grows by one per fault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { startGatewaySimulator, type GatewaySimulator } from '../../src/simulator/index.js';
import { runCli, type CliRun } from './support/spawn-cli.js';

let simulator: GatewaySimulator;
let run: CliRun;
let healthUrl: string | undefined;
const timeline: Array<{ what: string; ms: number }> = [];
const livezFailures: string[] = [];
let livezProbes = 0;
let metricsBefore: PrometheusFamily[] = [];
let metricsAfterLinger: PrometheusFamily[] = [];
let metricsAfterClose: PrometheusFamily[] = [];
let readyzBody: Record<string, unknown> = {};
let scenarioError: unknown;

async function get(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${healthUrl}${path}`, { signal: AbortSignal.timeout(2_000) });
  return { status: response.status, text: await response.text() };
}

/** Polls /readyz every 20 ms until it answers `status`; returns how long that took. */
async function readyzBecomes(status: number, timeoutMs = 10_000): Promise<number> {
  const startedAt = Date.now();
  for (;;) {
    const answer = await get('/readyz');
    if (answer.status === status) {
      if (status === 503) readyzBody = JSON.parse(answer.text) as Record<string, unknown>;
      return Date.now() - startedAt;
    }
    if (Date.now() - startedAt > timeoutMs) throw new Error(`/readyz did not answer ${status} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function reconnects(families: readonly PrometheusFamily[]): number {
  const family = families.find((candidate) => candidate.name === 'ibkr_ws_connection_reconnects_total');
  return (family?.metrics ?? []).reduce((sum, sample) => sum + Number(sample.value), 0);
}

async function scrape(): Promise<PrometheusFamily[]> {
  const answer = await get('/metrics');
  expect(answer.status).toBe(200);
  return parsePrometheusTextFormat(answer.text);
}

async function scenario(): Promise<void> {
  await readyzBecomes(200);
  metricsBefore = await scrape();

  simulator.linger();
  timeline.push({ what: 'linger → 503', ms: await readyzBecomes(503) });
  timeline.push({ what: 'linger → 200', ms: await readyzBecomes(200) });
  metricsAfterLinger = await scrape();

  simulator.closeSockets(1000);
  // close 1000 is replaced within one backoff: the 503 may be too brief to see at a 20 ms poll; the counter is not.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await readyzBecomes(200);
  metricsAfterClose = await scrape();

  // The login poll runs at its default interval (5 s): --for leaves room for it.
  simulator.logout();
  timeline.push({ what: 'logout → 503', ms: await readyzBecomes(503) });
  simulator.login();
  timeline.push({ what: 'login → 200', ms: await readyzBecomes(200) });
}

beforeAll(async () => {
  simulator = await startGatewaySimulator({
    port: 0,
    heartbeatIntervalMs: 200,
    greetingDelayMs: 20,
    marketDataIntervalMs: 100,
  });
  let started = false;
  let stdout = '';
  let livez: ReturnType<typeof setInterval> | undefined;
  let done: Promise<void> | undefined;
  let probing = false;
  run = await runCli(
    [
      'connect',
      '--gateway',
      simulator.url,
      '--ca',
      simulator.caPath,
      '--subscribe',
      'smd:265598:31,84,86',
      '--json',
      '--health-port',
      '0',
      '--for',
      '20',
      // 3 server heartbeats: a lingering socket is noticed well within the second the check allows.
      '--heartbeat-timeout',
      '600',
      '--probe-timeout',
      '400',
      '--backoff-initial',
      '50',
      '--backoff-max',
      '200',
    ],
    {
      // Generous: on a loaded machine the CLI alone takes seconds to load (tsx, the OpenTelemetry SDK).
      timeoutMs: 60_000,
      onStdout: (chunk) => {
        stdout += chunk;
        if (started) return;
        const line = stdout.split('\n').find((candidate) => candidate.includes('"type":"health"'));
        if (line === undefined) return;
        started = true;
        healthUrl = (JSON.parse(line) as { url: string }).url;
        probing = true;
        livez = setInterval(() => {
          livezProbes++;
          void get('/livez').then(
            (answer) => {
              if (answer.status !== 200 && probing) livezFailures.push(`${answer.status} ${answer.text}`);
            },
            () => undefined,
          );
        }, 50);
        done = scenario()
          .catch((error: unknown) => {
            scenarioError = error;
          })
          .finally(() => {
            probing = false;
            clearInterval(livez);
          });
      },
    },
  );
  await done;
}, 90_000);

afterAll(async () => {
  await simulator?.close();
});

describe('ibkr-ws connect --health-port', () => {
  it('runs the whole scenario and exits 0 with nothing on stderr', () => {
    expect(scenarioError).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(healthUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('/readyz answers 503 within a second of a lingering socket and of a logout', () => {
    const linger = timeline.find((entry) => entry.what === 'linger → 503');
    const logout = timeline.find((entry) => entry.what === 'logout → 503');
    expect(linger?.ms).toBeLessThan(1_000);
    expect(logout?.ms).toBeLessThan(1_000);
    expect(readyzBody).toMatchObject({
      ready: false,
      live: true,
      state: expect.any(String),
      since: expect.any(String),
      reason: expect.any(String),
    });
    expect(readyzBody['subscriptions']).toMatchObject({ wanted: 1 });
  });

  it('/livez answers 200 throughout the recoveries', () => {
    expect(livezProbes).toBeGreaterThan(20);
    expect(livezFailures).toEqual([]);
  });

  it('/metrics parses as Prometheus text and its reconnect counter grows by one per fault', () => {
    expect(metricsBefore.length).toBeGreaterThan(10);
    const names = metricsBefore.map((family) => family.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'ibkr_ws_socket_frames_total',
        'ibkr_ws_rest_duration',
        'ibkr_ws_connection_state_time_total',
        'ibkr_ws_connection_state',
        'ibkr_ws_health_ready',
      ]),
    );
    expect(reconnects(metricsBefore)).toBe(0);
    expect(reconnects(metricsAfterLinger)).toBe(1);
    expect(reconnects(metricsAfterClose)).toBe(2);
    const ready = metricsBefore.find((family) => family.name === 'ibkr_ws_health_ready');
    expect(ready?.metrics[0]?.value).toBe('1');
  });

  it('the metrics carry no session value', () => {
    expect(JSON.stringify([metricsBefore, metricsAfterLinger, metricsAfterClose])).not.toContain(
      simulator.sessionValue,
    );
  });
});
