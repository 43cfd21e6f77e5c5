import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { SIMULATOR_DEFAULTS, startGatewaySimulator } from '../../src/simulator/index.js';
import { closeEverything, isTopic, openSocket, startSimulator } from './helpers.js';

afterEach(closeEverything);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code !== undefined) codes.push(code);
  }
  return codes;
}

function connectionError(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('the certificate', () => {
  it.each(['localhost', '127.0.0.1'])('lets a client that pins ca connect to %s over WSS', async (host) => {
    const simulator = await startSimulator();
    const socket = openSocket(simulator, { host });
    await socket.next(isTopic('sts'));
  });

  it('lets node:https pin it too', async () => {
    const simulator = await startSimulator();
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`${simulator.url}/v1/api/tickle`, { ca: simulator.ca }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on('error', reject);
    });
    expect(status).toBe(200);
  });

  it('is refused as self-signed by a WebSocket client without it', async () => {
    const simulator = await startSimulator();
    const socket = openSocket(simulator, { pin: false });
    const error = await socket.opened.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(errorCodes(error)).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('is refused as self-signed by an undici client without it', async () => {
    const simulator = await startSimulator();
    const agent = new Agent();
    try {
      const error = await request(`${simulator.url}/v1/api/tickle`, { method: 'POST', dispatcher: agent }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(errorCodes(error)).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    } finally {
      await agent.close();
    }
  });

  it('is written to caPath for command lines, and the file is removed on close', async () => {
    const simulator = await startGatewaySimulator({ port: 0 });
    expect(readFileSync(simulator.caPath, 'utf8')).toBe(simulator.ca);
    expect(simulator.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    await simulator.close();
    expect(existsSync(simulator.caPath)).toBe(false);
  });
});

describe('the listening address', () => {
  it('defaults to the gateway port 5000', () => {
    expect(SIMULATOR_DEFAULTS.port).toBe(5000);
  });

  it('binds 127.0.0.1 only: IPv6 loopback and other interfaces are refused', async () => {
    const simulator = await startSimulator();
    expect(await connectionError('127.0.0.1', simulator.port)).toBe('connected');
    expect(await connectionError('::1', simulator.port)).not.toBe('connected');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal);
    if (external !== undefined) expect(await connectionError(external.address, simulator.port)).toBe('ECONNREFUSED');
    expect(simulator.url).toBe(`https://localhost:${simulator.port}`);
    expect(simulator.wsUrl).toBe(`wss://localhost:${simulator.port}/v1/api/ws`);
  });
});
