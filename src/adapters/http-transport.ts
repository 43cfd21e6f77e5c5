/**
 * The only HTTP code path: one undici Agent per client (keep-alive to the gateway, the same TLS as the socket),
 * every request bounded in time and in body size, and every outcome a value instead of an exception.
 */
import { Agent, request } from 'undici';
import { IbkrWsError } from '../errors.js';
import type { ConnectionDiagnostics } from '../diagnostics.js';
import { describeCertificateError, type ResolvedTls } from './tls.js';

export interface HttpTransportOptions {
  readonly gateway: URL;
  readonly tls: ResolvedTls;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly userAgent: string;
  /** Told of every call's path, status and timing (never its query or body). */
  readonly diagnostics?: ConnectionDiagnostics;
  /** OAuth: the `Authorization` header of a call to this exact URL (src/adapters/oauth-session.ts), if any. */
  readonly signer?: (method: string, url: URL) => string | undefined;
}

export interface HttpSendOptions {
  /** A JSON body; `null` sends none. Default: `{}` on POST (what the gateway expects), none on GET. */
  readonly body?: unknown;
  /** A ready `Authorization` header (the LST request's RSA signature), instead of the signer's. */
  readonly authorization?: string;
}

export type HttpBody = { format: 'json'; value: unknown } | { format: 'text'; value: string } | { format: 'empty' };

export type HttpOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly body: HttpBody }
  | { readonly kind: 'failure'; readonly error: IbkrWsError };

export class HttpTransport {
  readonly #options: HttpTransportOptions;
  readonly #agent: Agent;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
    this.#agent = new Agent({
      connect: {
        ca: options.tls.ca,
        rejectUnauthorized: options.tls.rejectUnauthorized,
        timeout: options.requestTimeoutMs,
      },
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      // The gateway is one local process; a couple of connections cover tickle + status + reauthenticate.
      connections: 2,
      keepAliveTimeout: 30_000,
    });
  }

  async send(method: 'GET' | 'POST', path: string, options: HttpSendOptions = {}): Promise<HttpOutcome> {
    const restCall = this.#options.diagnostics?.restCall;
    if (restCall === undefined) return this.#send(method, path, options);
    const startedAt = Date.now();
    const started = performance.now();
    const outcome = await this.#send(method, path, options);
    restCall({
      method,
      path: new URL(path, this.#options.gateway).pathname,
      ...(outcome.kind === 'response' ? { status: outcome.status } : { errorCode: outcome.error.code }),
      startedAt,
      durationMs: performance.now() - started,
    });
    return outcome;
  }

  async #send(method: 'GET' | 'POST', path: string, options: HttpSendOptions): Promise<HttpOutcome> {
    const url = new URL(path, this.#options.gateway);
    const body =
      options.body === null
        ? undefined
        : options.body !== undefined
          ? JSON.stringify(options.body)
          : method === 'POST'
            ? '{}'
            : undefined;
    const authorization = options.authorization ?? this.#options.signer?.(method, url);
    const abort = new AbortController();
    // Overall deadline, on top of undici's per-phase timeouts: a slow-drip body must not hold a check forever.
    const deadline = setTimeout(() => abort.abort(), this.#options.requestTimeoutMs);
    try {
      const response = await request(url, {
        method,
        dispatcher: this.#agent,
        signal: abort.signal,
        headers: {
          'user-agent': this.#options.userAgent,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(authorization === undefined ? {} : { authorization }),
        },
        body,
      });
      const text = await readBounded(response.body, this.#options.maxResponseBytes);
      if (text === undefined) {
        return failure(
          'gateway-bad-response',
          `${method} ${url.pathname}: response body over ${this.#options.maxResponseBytes} bytes`,
        );
      }
      return {
        kind: 'response',
        status: response.statusCode,
        body: parseBody(text, String(response.headers['content-type'] ?? '')),
      };
    } catch (error) {
      const certificate = describeCertificateError(error);
      if (certificate) return { kind: 'failure', error: certificate };
      if (abort.signal.aborted || isTimeout(error)) {
        return failure(
          'timeout',
          `${method} ${url.pathname}: no answer within ${this.#options.requestTimeoutMs} ms`,
          error,
        );
      }
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      return failure(
        'network',
        `${method} ${url.pathname}: ${code ?? (error as Error)?.message ?? 'network failure'}`,
        error,
      );
    } finally {
      clearTimeout(deadline);
    }
  }

  /**
   * Destroys, not closes: `Agent.close()` waits for requests in flight, so a tickle hanging on a stalled gateway would
   * hold `stop()` until its timeout. Stopping aborts them.
   */
  async close(): Promise<void> {
    await this.#agent.destroy().catch(() => undefined);
  }
}

function failure(code: 'timeout' | 'network' | 'gateway-bad-response', message: string, cause?: unknown): HttpOutcome {
  return { kind: 'failure', error: new IbkrWsError(code, message, { cause }) };
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

async function readBounded(
  body: AsyncIterable<Buffer> & { destroy?: () => void },
  limit: number,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy?.();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, contentType: string): HttpBody {
  if (text.trim() === '') return { format: 'empty' };
  // The gateway labels JSON inconsistently; try JSON whenever the text looks like it.
  const looksJson = contentType.includes('json') || /^\s*[[{]/.test(text);
  if (looksJson) {
    try {
      return { format: 'json', value: JSON.parse(text) };
    } catch {
      return { format: 'text', value: text };
    }
  }
  return { format: 'text', value: text };
}
