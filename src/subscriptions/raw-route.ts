/**
 * The raw escape hatch's filter: which server messages one raw consumer receives (by kind, by topic, by predicate).
 * Raw consumers see messages as decoded, before and regardless of the typed routing.
 */
import { IbkrWsError } from '../errors.js';
import type { ServerMessage, ServerMessageKind } from '../protocol/types.js';
import type { Handle } from './handle.js';
import type { RawOptions } from './types.js';

export class RawRoute {
  readonly handle: Handle<ServerMessage>;
  readonly #kinds: ReadonlySet<ServerMessageKind> | undefined;
  readonly #topics: ReadonlySet<string> | undefined;
  readonly #match: ((message: ServerMessage) => boolean) | undefined;

  constructor(handle: Handle<ServerMessage>, options: RawOptions) {
    this.handle = handle;
    this.#kinds = options.kinds === undefined ? undefined : new Set(options.kinds);
    this.#topics = options.topics === undefined ? undefined : new Set(options.topics);
    this.#match = options.match;
  }

  /** Hot path (only when raw consumers exist). A throwing predicate counts as no match and is reported by the caller. */
  matches(message: ServerMessage): boolean {
    if (this.#kinds?.has(message.kind)) return true;
    if (this.#topics !== undefined) {
      const topic = (message as { topic?: unknown }).topic;
      if (typeof topic === 'string' && this.#topics.has(topic)) return true;
    }
    return this.#match !== undefined && this.#match(message);
  }
}

/** Every raw consumer; delivery runs only when one exists (the hub checks `size` first). */
export class RawRoutes {
  readonly #routes = new Map<Handle<ServerMessage>, RawRoute>();
  readonly #reportError: (error: IbkrWsError) => void;

  constructor(reportError: (error: IbkrWsError) => void) {
    this.#reportError = reportError;
  }

  get size(): number {
    return this.#routes.size;
  }

  add(handle: Handle<ServerMessage>, options: RawOptions): void {
    this.#routes.set(handle, new RawRoute(handle, options));
  }

  /** False when `handle` is not a raw consumer. */
  remove(handle: Handle<any>): boolean {
    return this.#routes.delete(handle);
  }

  deliver(message: ServerMessage): void {
    for (const route of this.#routes.values()) {
      let matched: boolean;
      try {
        matched = route.matches(message);
      } catch (error) {
        matched = false;
        this.#reportError(
          new IbkrWsError(
            'listener-error',
            `${route.handle.key}: the match predicate threw: ${(error as Error)?.message ?? String(error)}`,
          ),
        );
      }
      if (matched) route.handle.deliver(message);
    }
  }

  gap(reason: string, at: number): void {
    for (const handle of this.#routes.keys()) handle.deliverGap({ kind: 'gap', key: handle.key, reason, at });
  }

  finishAll(reason: string, error: IbkrWsError): void {
    for (const handle of this.#routes.keys()) handle.finish(reason, error);
    this.#routes.clear();
  }
}

export function validateRawOptions(options: RawOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new IbkrWsError('invalid-option', 'raw(options): options must be an object');
  if (options.kinds !== undefined && !Array.isArray(options.kinds))
    throw new IbkrWsError('invalid-option', 'raw: kinds must be an array of message kinds');
  if (options.topics !== undefined && !Array.isArray(options.topics))
    throw new IbkrWsError('invalid-option', 'raw: topics must be an array of topics');
  if (options.match !== undefined && typeof options.match !== 'function')
    throw new IbkrWsError('invalid-option', 'raw: match must be a function');
}
