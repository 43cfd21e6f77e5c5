/** The health server's HTTP contract, with a health function the test controls: status codes, bodies, methods. */
import { afterEach, describe, expect, it } from 'vitest';
import { startHealthServer, type HealthServer } from '../../src/observability/health-server.js';
import type { HealthReport } from '../../src/observability/health.js';

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function report(overrides: Partial<HealthReport>): HealthReport {
  return {
    live: true,
    ready: true,
    state: 'authenticated',
    since: new Date(0).toISOString(),
    stateSince: new Date(0).toISOString(),
    subscriptions: { wanted: 0, active: 0, notActive: [] },
    ...overrides,
  };
}

describe('the health server', () => {
  it('answers /livez and /readyz 200 when live and ready, 503 with the report when not', async () => {
    let current = report({});
    server = await startHealthServer({ port: 0, health: () => current });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${server.url}/livez`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    current = report({ ready: false, state: 'lingering-detected', reason: 'silence' });
    const readyz = await fetch(`${server.url}/readyz?verbose`);
    expect(readyz.status).toBe(503);
    expect(readyz.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await readyz.json()).toMatchObject({ ready: false, state: 'lingering-detected', reason: 'silence' });
    expect((await fetch(`${server.url}/livez`)).status).toBe(200);

    current = report({ live: false, ready: false, state: 'failed', reason: 'failed' });
    const livez = await fetch(`${server.url}/livez`);
    expect(livez.status).toBe(503);
    expect(await livez.json()).toMatchObject({ live: false, state: 'failed' });
  });

  it('serves /metrics through the given handler, 404 without one, and refuses other methods and paths', async () => {
    server = await startHealthServer({ port: 0, health: () => report({}) });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    const post = await fetch(`${server.url}/readyz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${server.url}/readyz`, { method: 'HEAD' })).status).toBe(200);
    await server.close();

    server = await startHealthServer({
      port: 0,
      health: () => report({}),
      metrics: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('# served\n');
      },
    });
    expect(await (await fetch(`${server.url}/metrics`)).text()).toBe('# served\n');
  });
});
