/**
 * A TLS front with a certificate that can change under a running client, as when the gateway's keystore is
 * regenerated (or someone in the middle answers): a `node:tls` server on 127.0.0.1 that terminates TLS with its own
 * certificate and splices every connection, byte for byte, to the simulator over a second TLS connection. REST and
 * WebSocket traffic pass through unchanged. `replaceCertificate()` serves a new certificate to every new handshake and
 * cuts every existing connection, so the next REST request and the next socket both meet it.
 */
import type { Socket } from 'node:net';
import { connect as tlsConnect, createServer, type Server, type TLSSocket } from 'node:tls';
import { generateLoopbackCertificate, type GatewaySimulator } from '../../src/simulator/index.js';

export interface CertificateFront {
  readonly url: string;
  /** The certificate served now: what a client pins with `tls.ca`. */
  readonly cert: string;
  /** TCP connections that reached the front (each one a TLS handshake attempt). */
  readonly connections: number;
  /** Handshakes that failed (the client refused the certificate). */
  readonly failedHandshakes: number;
  /** Serve a freshly generated certificate from now on and cut every open connection. */
  replaceCertificate(): Promise<void>;
  close(): Promise<void>;
}

export async function startCertificateFront(simulator: GatewaySimulator): Promise<CertificateFront> {
  let certificate = await generateLoopbackCertificate();
  const open = new Set<Socket | TLSSocket>();
  let connections = 0;
  let failedHandshakes = 0;
  const track = (socket: Socket | TLSSocket): void => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };
  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, (client) => {
    const upstream = tlsConnect({ host: '127.0.0.1', port: simulator.port, servername: 'localhost', ca: simulator.ca });
    track(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    track(socket);
  });
  server.on('tlsClientError', () => {
    failedHandshakes += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `https://localhost:${port}`,
    get cert() {
      return certificate.cert;
    },
    get connections() {
      return connections;
    },
    get failedHandshakes() {
      return failedHandshakes;
    },
    async replaceCertificate() {
      certificate = await generateLoopbackCertificate();
      server.setSecureContext({ cert: certificate.cert, key: certificate.key });
      for (const socket of [...open]) socket.destroy();
    },
    async close() {
      for (const socket of [...open]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
