/**
 * Test clients for the simulator, over real TLS on loopback: a plain `ws` socket that pins the simulator's
 * certificate and queues every frame, and an undici REST client with the same pin. Waiting is always "for the
 * frame I expect, within a generous bound", never a bare sleep.
 */
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { startGatewaySimulator } from '../../src/simulator/index.js';
import type { GatewaySimulator, GatewaySimulatorOptions } from '../../src/simulator/index.js';

/** Short timings so the suite is fast; every bound in the tests is generous compared with them. */
export const FAST: GatewaySimulatorOptions = {
  port: 0,
  heartbeatIntervalMs: 50,
  greetingDelayMs: 10,
  marketDataIntervalMs: 25,
  historyResponseDelayMs: 10,
  reauthenticateDelayMs: 30,
  pnlIntervalMs: 50,
  ledgerIntervalMs: 50,
  accountSummaryIntervalMs: 50,
  ordersIntervalMs: 0,
};

export const WAIT_MS = 3_000;

const opened: Array<{ close(): Promise<unknown> | void }> = [];

export async function startSimulator(options: GatewaySimulatorOptions = {}): Promise<GatewaySimulator> {
  const simulator = await startGatewaySimulator({ ...FAST, ...options });
  opened.push(simulator);
  return simulator;
}

/** Closes every simulator, socket and agent the test opened (call from afterEach). */
export async function closeEverything(): Promise<void> {
  const items = opened.splice(0).reverse();
  for (const item of items) await item.close();
}

export interface ReceivedFrame {
  readonly text: string;
  readonly binary: boolean;
  /** The parsed JSON, or undefined for a non-JSON frame (`ech+hb`, raw faults). */
  readonly json: any;
  readonly at: number;
}

export class TestSocket {
  readonly ws: WebSocket;
  /** Every frame received, in order. */
  readonly frames: ReceivedFrame[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #unread: ReceivedFrame[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(url: string, options: WebSocket.ClientOptions) {
    this.ws = new WebSocket(url, options);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    // A socket that never opens (refused, closed early) must not become an unhandled rejection; awaiting still throws.
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data, isBinary) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const frame = { text, binary: isBinary, json, at: Date.now() };
      this.frames.push(frame);
      this.#unread.push(frame);
      for (const wake of [...this.#waiters]) wake();
    });
  }

  send(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Takes the first unread frame that matches (frames before it stay unread). */
  next(predicate: (frame: ReceivedFrame) => boolean = () => true, timeoutMs = WAIT_MS): Promise<ReceivedFrame> {
    return new Promise((resolve, reject) => {
      const look = (): boolean => {
        const index = this.#unread.findIndex(predicate);
        if (index === -1) return false;
        const [frame] = this.#unread.splice(index, 1);
        resolve(frame as ReceivedFrame);
        return true;
      };
      if (look()) return;
      const wake = (): void => {
        if (!look()) return;
        clearTimeout(timer);
        this.#waiters.delete(wake);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(
          new Error(
            `no matching frame within ${timeoutMs} ms; received: ${this.frames.map((f) => f.text.slice(0, 80)).join(' | ')}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(wake);
    });
  }

  /** Resolves once `count` matching frames have arrived in total (read or unread). */
  async waitForCount(
    predicate: (frame: ReceivedFrame) => boolean,
    count: number,
    timeoutMs = WAIT_MS,
  ): Promise<ReceivedFrame[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.frames.filter(predicate);
      if (matching.length >= count) return matching;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`only ${matching.length} of ${count} matching frames within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(() => done());
      });
    }
  }

  /** Waits until `count` more heartbeats arrive: the socket's own clock, to say "nothing else came meanwhile". */
  async heartbeatsPass(count: number, timeoutMs = WAIT_MS): Promise<void> {
    const seen = this.frames.filter(isHeartbeat).length;
    await this.waitForCount(isHeartbeat, seen + count, timeoutMs);
  }

  close(): Promise<unknown> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.ws.terminate();
    return this.closed;
  }
}

export function openSocket(
  simulator: GatewaySimulator,
  options: { path?: string; pin?: boolean; host?: string } = {},
): TestSocket {
  const base = options.host === undefined ? simulator.wsUrl : `wss://${options.host}:${simulator.port}/v1/api/ws`;
  const url = options.path === undefined ? base : new URL(options.path, base).toString();
  const socket = new TestSocket(url, options.pin === false ? {} : { ca: simulator.ca });
  opened.push(socket);
  return socket;
}

/** Opens a socket and waits for the greeting's `sts` (the third frame). */
export async function openReadySocket(simulator: GatewaySimulator): Promise<TestSocket> {
  const socket = openSocket(simulator);
  await socket.next(isTopic('sts'));
  return socket;
}

export interface RestReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: any;
}

export interface RestClient {
  call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<RestReply>;
}

export function restClient(simulator: GatewaySimulator): RestClient {
  const agent = new Agent({ connect: { ca: simulator.ca } });
  opened.push(agent);
  return {
    async call(method, path, body) {
      const response = await request(new URL(path, simulator.url), {
        method,
        dispatcher: agent,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      const text = await response.body.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.statusCode, headers: response.headers, text, json };
    },
  };
}

/** Polls `check` until it holds (for state seen only through REST), failing after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const isTopic =
  (topic: string) =>
  (frame: ReceivedFrame): boolean =>
    frame.json?.topic === topic;

export const isHeartbeat = (frame: ReceivedFrame): boolean =>
  frame.json?.topic === 'system' && typeof frame.json?.hb === 'number';
