/**
 * stop() destroys the HTTP agent, so a tickle still waiting on a stalled gateway fails because we stopped, not because
 * of the gateway: that failure must not come out as an `error` event (or a counted error) once stop() has begun.
 */
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIbkrWs, type IbkrWs } from '../../src/client.js';
import type { IbkrWsError } from '../../src/errors.js';
import { generateLoopbackCertificate } from '../../src/simulator/index.js';
import { eventually } from '../support/harness.js';

let server: Server | undefined;
let client: IbkrWs | undefined;
const sockets = new Set<Socket>();

afterEach(async () => {
  await client?.stop();
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  client = undefined;
  server = undefined;
});

describe('stopping during a REST request', () => {
  it('reports no error for the request its own stop() cut', async () => {
    const certificate = await generateLoopbackCertificate();
    let requests = 0;
    // A gateway that reads the request and never answers it.
    server = createServer({ cert: certificate.cert, key: certificate.key }, () => {
      requests++;
    });
    server.on('connection', (socket: Socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as { port: number }).port;
    client = createIbkrWs({
      gateway: `https://localhost:${port}`,
      tls: { ca: certificate.cert },
      requestTimeoutMs: 60_000,
    });
    const errors: IbkrWsError[] = [];
    client.on('error', (error) => errors.push(error));
    void client.start().catch(() => undefined);
    await eventually(() => requests === 1, 'the tickle to reach the stalled gateway');
    await client.stop();
    // A failure reported late would be emitted in the next turns, when undici settles the destroyed request.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors.map((error) => `${error.code}: ${error.message}`)).toEqual([]);
    expect(client.state).toBe('stopped');
  });
});
