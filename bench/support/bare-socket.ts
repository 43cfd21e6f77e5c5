/**
 * The baselines' transport: what any program must do to get data from the gateway, with nothing of ibkr-ws in it.
 * A REST tickle with undici (for the `session` value), a TLS WebSocket with `ws` carrying it as a cookie, and the
 * readiness rule every gateway client must respect: nothing is sent before the greeting `{"topic":"system",
 * "success":…}` (the gateway drops earlier frames). Transport options match the client's (no compression, no UTF-8
 * validation), so that a comparison measures the client's own work, not a different socket.
 */
import { Agent, request } from 'undici';
import WebSocket from 'ws';

export interface BareTarget {
  readonly url: string;
  readonly wsUrl: string;
  readonly ca: string;
}

/** POST /v1/api/tickle over a fresh TLS connection; returns the `session` value. */
export async function tickle(target: BareTarget): Promise<string> {
  const agent = new Agent({ connect: { ca: target.ca } });
  try {
    const response = await request(`${target.url}/v1/api/tickle`, {
      method: 'POST',
      dispatcher: agent,
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    const body = (await response.body.json()) as { session?: unknown };
    if (response.statusCode !== 200 || typeof body.session !== 'string')
      throw new Error(`tickle answered HTTP ${response.statusCode}`);
    return body.session;
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

/**
 * Opens the socket and resolves once the greeting arrived; every later frame goes to `onFrame` (raw bytes: the
 * caller decides how much to decode). Rejects on error or close before the greeting.
 */
export function openBareSocket(
  target: BareTarget,
  session: string,
  onFrame: (data: Buffer) => void,
): Promise<WebSocket> {
  const socket = new WebSocket(target.wsUrl, {
    ca: target.ca,
    headers: { Cookie: `api=${session}`, 'User-Agent': 'ClientPortalGW/1' },
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });
  return new Promise<WebSocket>((resolve, reject) => {
    let greeted = false;
    socket.on('message', (data: Buffer) => {
      if (greeted) {
        onFrame(data);
        return;
      }
      const message = JSON.parse(data.toString()) as { topic?: unknown; success?: unknown };
      if (message.topic === 'system' && message.success !== undefined) {
        greeted = true;
        resolve(socket);
      }
    });
    socket.on('error', (error) => {
      if (!greeted) reject(error);
    });
    socket.on('close', (code) => {
      if (!greeted) reject(new Error(`socket closed ${code} before the greeting`));
    });
  });
}

export function subscribeFrame(conid: number, fields: readonly string[]): string {
  return `smd+${conid}+${JSON.stringify({ fields })}`;
}

/** Closes and waits for the TCP connection to be gone (terminate after `timeoutMs`). */
export function closeBareSocket(socket: WebSocket, timeoutMs = 1_000): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => socket.terminate(), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', () => undefined);
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else socket.close(1000);
  });
}
