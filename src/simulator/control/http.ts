/**
 * The control API over HTTP, on the simulator's own port under `/__sim/` — a prefix no gateway path shares, so a
 * client pointed at `/v1/api/...` can never reach it by accident. It answers JSON:
 *
 * - `POST /__sim/<name>` with a JSON array (positional) or object (by name) of arguments, or no body;
 * - `GET /__sim/state`, `/__sim/counters`, `/__sim/connections` (the queries), and `GET /__sim/` (the table).
 *
 * `{"ok":true,"name":…,"result":…}` on success; 400 `{"ok":false,"error":…}` for a bad name or bad arguments (nothing
 * changed); 403 for anything not from loopback, for a Host that is not a loopback name (DNS rebinding), and for a
 * browser request from a non-loopback Origin. Answers are redacted: a recorded `{"session":…}` frame never leaves.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRedactor } from '../../redaction.js';
import type { GatewaySimulator } from '../types.js';
import { CONTROL_TABLE, ControlError, controlEntry } from './schema.js';

export const CONTROL_PREFIX = '/__sim/';
/** sendRaw may carry an oversized frame on purpose (the gateway's 256 KiB limit and beyond). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isControlPath(url: string | undefined): boolean {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path === '/__sim' || path.startsWith(CONTROL_PREFIX);
}

/** 127.0.0.0/8, ::1 and the IPv4-mapped form Node reports on dual-stack sockets. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}

function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  return LOOPBACK_NAMES.has(name.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function isLoopbackOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return isLoopbackHost(new URL(origin).host);
  } catch {
    return false;
  }
}

export function handleControlRequest(
  request: IncomingMessage,
  response: ServerResponse,
  simulator: GatewaySimulator,
): void {
  if (
    !isLoopbackAddress(request.socket.remoteAddress) ||
    !isLoopbackHost(request.headers.host) ||
    !isLoopbackOrigin(request.headers.origin)
  ) {
    request.resume();
    reply(response, 403, { ok: false, error: 'the control API answers loopback only' });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  request.on('error', () => response.destroy());
  request.on('end', () => {
    if (tooLarge) {
      reply(response, 413, { ok: false, error: `request body over ${MAX_BODY_BYTES} bytes` });
      return;
    }
    const [status, body] = answer(request, Buffer.concat(chunks).toString('utf8'), simulator);
    reply(response, status, body);
  });
}

function answer(request: IncomingMessage, text: string, simulator: GatewaySimulator): [number, unknown] {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  let name: string;
  try {
    name = decodeURIComponent(path.slice(CONTROL_PREFIX.length)).replace(/\/+$/, '');
  } catch {
    return [400, { ok: false, error: 'the control name is not valid URL encoding' }];
  }
  const method = request.method ?? 'GET';
  if (name === '' || path === '/__sim') {
    if (method !== 'GET')
      return [405, { ok: false, error: 'GET /__sim/ lists the controls; POST /__sim/<name> calls one' }];
    return [200, { ok: true, controls: describeTable() }];
  }
  try {
    const entry = controlEntry(name);
    if (method === 'GET' && entry.kind !== 'query')
      throw new ControlError(`${name} is a fault: use POST /__sim/${name}`);
    if (method !== 'GET' && method !== 'POST')
      return [405, { ok: false, error: `${method} is not allowed: use POST (or GET for queries)` }];
    const args = method === 'GET' ? undefined : parseBody(text);
    const result = simulator.control(name, args, 'api');
    const redact = createRedactor(() => [simulator.sessionValue]);
    return [200, { ok: true, name, result: redact(result ?? null) }];
  } catch (error) {
    if (error instanceof ControlError || error instanceof RangeError) return [400, { ok: false, error: error.message }];
    return [500, { ok: false, error: `the control failed: ${(error as Error)?.message ?? String(error)}` }];
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ControlError('the body must be JSON: an array or an object of arguments');
  }
}

function describeTable(): Record<string, { kind: string; params: string[]; summary: string; requires?: string }> {
  return Object.fromEntries(
    Object.entries(CONTROL_TABLE).map(([name, entry]) => [
      name,
      {
        kind: entry.kind,
        params: entry.params.map((param) => `${param.name}${param.optional ? '?' : ''}: ${param.type}`),
        summary: entry.summary,
        ...(entry.requires === undefined ? {} : { requires: entry.requires }),
      },
    ]),
  );
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}
