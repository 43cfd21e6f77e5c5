/**
 * TLS verification is on by default and cannot be switched off for a remote gateway by accident: a self-signed gateway
 * without `ca` or `insecure` is refused with an error that names the certificate problem (and before any HTTP request
 * or cookie leaves); `insecure` is accepted for loopback gateways only, unless `allowInsecureRemote` forces it.
 */
import { createServer, type Server } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { createIbkrWs, type IbkrWs } from '../../src/client.js';
import { IbkrWsError } from '../../src/errors.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import { createTestClient, startSimulator } from '../support/harness.js';
import { createTestCertificate } from '../chaos/support/certificate.js';

let simulator: GatewaySimulator | undefined;
let client: IbkrWs | undefined;
let server: Server | undefined;

afterEach(async () => {
  await client?.stop();
  await simulator?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  }
  client = undefined;
  simulator = undefined;
  server = undefined;
});

describe('TLS verification is on by default', () => {
  it('refuses a self-signed gateway without ca or insecure, naming the certificate problem, before any request', async () => {
    simulator = await startSimulator();
    client = createIbkrWs({ gateway: simulator.url, timing: { backoffInitialMs: 10, backoffMaxMs: 50 } });
    const rejection = await client.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(rejection).toBeInstanceOf(IbkrWsError);
    expect(rejection).toMatchObject({ code: 'tls-certificate' });
    const message = (rejection as IbkrWsError).message;
    expect(message).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT|self-signed/);
    expect(message).toMatch(/--ca|tls\.ca/);
    // The handshake failed, so nothing (no tickle, no cookie, no socket) reached the gateway.
    expect(simulator.counters.restRequests).toBe(0);
    expect(simulator.counters.connections).toBe(0);
    expect(client.fatalError?.code).toBe('tls-certificate');
  });

  it('refuses a gateway whose certificate is not the pinned one', async () => {
    simulator = await startSimulator();
    const other = await createTestCertificate();
    client = createTestClient(simulator, { tls: { ca: other.cert } });
    await expect(client.start()).rejects.toMatchObject({ code: 'tls-certificate' });
    expect(simulator.counters.restRequests).toBe(0);
  });

  it('refuses a pinned certificate that does not name the host', async () => {
    const stranger = await createStrangerServer();
    client = createIbkrWs({
      gateway: stranger.url,
      tls: { ca: stranger.cert },
      timing: { backoffInitialMs: 10, backoffMaxMs: 50 },
    });
    await expect(client.start()).rejects.toMatchObject({
      code: 'tls-certificate',
      message: expect.stringMatching(/ERR_TLS_CERT_ALTNAME_INVALID|does not name/),
    });
    expect(stranger.requests()).toBe(0);
  });

  it('connects to a loopback gateway with insecure (the explicit opt-in)', async () => {
    simulator = await startSimulator();
    client = createTestClient(simulator, { tls: { insecure: true } });
    await client.start();
    expect(client.state).toBe('authenticated');
  });
});

describe('insecure is refused for non-loopback gateways unless forced', () => {
  const remote = [
    'https://gateway.example.com:5000',
    'https://10.1.2.3:5000',
    'https://192.168.1.10:5000',
    'https://[2001:db8::1]:5000',
    'https://127.0.0.1.nip.io:5000',
    'https://localhost.example.com:5000',
    'https://0.0.0.0:5000',
  ];
  const loopback = ['https://localhost:5000', 'https://127.0.0.1:5000', 'https://127.1.2.3:5000', 'https://[::1]:5000'];

  it.each(remote)('%s with insecure: createIbkrWs throws insecure-remote (no network needed)', (gateway) => {
    let thrown: unknown;
    try {
      createIbkrWs({ gateway, tls: { insecure: true } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IbkrWsError);
    expect(thrown).toMatchObject({ code: 'insecure-remote', message: expect.stringContaining('allowInsecureRemote') });
  });

  it.each(remote)('%s with insecure and allowInsecureRemote: accepted (created, never started)', async (gateway) => {
    const created = createIbkrWs({ gateway, tls: { insecure: true, allowInsecureRemote: true } });
    expect(created.state).toBe('idle');
    await created.stop();
  });

  it.each(loopback)('%s with insecure: accepted without forcing', async (gateway) => {
    const created = createIbkrWs({ gateway, tls: { insecure: true } });
    expect(created.state).toBe('idle');
    await created.stop();
  });

  it.each(remote)('%s with a pinned ca: verification stays on, no opt-in needed', async (gateway) => {
    const created = createIbkrWs({ gateway, tls: { ca: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' } });
    expect(created.state).toBe('idle');
    await created.stop();
  });
});

/** An HTTPS server on 127.0.0.1 whose certificate names only `stranger.invalid`. */
async function createStrangerServer(): Promise<{ url: string; cert: string; requests: () => number }> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'stranger.invalid' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'stranger.invalid' }] }],
  });
  let requests = 0;
  server = createServer({ cert: pems.cert, key: pems.private }, (_request, response) => {
    requests++;
    response.end('{}');
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `https://127.0.0.1:${port}`, cert: pems.cert, requests: () => requests };
}
