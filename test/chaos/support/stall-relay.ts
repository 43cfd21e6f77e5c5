/**
 * A blackhole without iptables: a TCP relay on 127.0.0.1 that forwards bytes both ways until `stall()`, then forwards
 * nothing while keeping every socket open (no FIN, no RST), exactly what a path that silently drops packets looks like
 * to both ends. Connections accepted while stalled are held open and never forwarded (a SYN that got through, then
 * silence). `restore()` forwards again; what was held is released in order, as TCP retransmission would.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

interface Link {
  readonly client: Socket;
  upstream: Socket | undefined;
}

export class StallRelay {
  readonly #server: Server;
  readonly #links = new Set<Link>();
  readonly #targetPort: number;
  #stalled = false;
  port = 0;

  private constructor(targetPort: number) {
    this.#targetPort = targetPort;
    this.#server = createServer({ pauseOnConnect: true }, (client) => this.#accept(client));
  }

  static async start(targetPort: number): Promise<StallRelay> {
    const relay = new StallRelay(targetPort);
    await new Promise<void>((resolve, reject) => {
      relay.#server.once('error', reject);
      relay.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = relay.#server.address();
    relay.port = typeof address === 'object' && address !== null ? address.port : 0;
    return relay;
  }

  get stalled(): boolean {
    return this.#stalled;
  }

  /** Stop forwarding in both directions; sockets stay open. */
  stall(): void {
    this.#stalled = true;
    for (const link of this.#links) {
      link.client.pause();
      link.upstream?.pause();
    }
  }

  restore(): void {
    this.#stalled = false;
    for (const link of this.#links) {
      if (link.upstream === undefined) this.#open(link);
      else {
        link.client.resume();
        link.upstream.resume();
      }
    }
  }

  /** Open links (client connections not yet closed). */
  get connections(): number {
    return this.#links.size;
  }

  async close(): Promise<void> {
    for (const link of this.#links) {
      link.client.destroy();
      link.upstream?.destroy();
    }
    this.#links.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    const link: Link = { client, upstream: undefined };
    this.#links.add(link);
    const end = (): void => {
      this.#links.delete(link);
      client.destroy();
      link.upstream?.destroy();
    };
    client.on('error', end);
    client.on('close', end);
    if (!this.#stalled) this.#open(link);
  }

  #open(link: Link): void {
    const upstream = connect({ host: '127.0.0.1', port: this.#targetPort });
    link.upstream = upstream;
    const end = (): void => {
      this.#links.delete(link);
      link.client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    upstream.on('close', end);
    // pipe() respects backpressure; pause() on either side stops the flow without closing anything.
    link.client.pipe(upstream);
    upstream.pipe(link.client);
    link.client.resume();
    if (this.#stalled) {
      link.client.pause();
      upstream.pause();
    }
  }
}
