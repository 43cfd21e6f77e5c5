/**
 * Everything a client lets out, captured as text so a test can search it for what must never be there (a session
 * value, a hostile frame's payload): every log call (debug level up, fields included), every event of every name, every
 * error (with its cause chain, as a user's console.log would print it), metrics snapshots and inspector events.
 *
 * Two serialisations per value, because users print in both ways: a JSON one that honours `toJSON` (JSON.stringify,
 * pino) and `util.inspect` (console.log, which honours the custom inspect symbol and prints non-enumerable `cause`s).
 */
import { inspect } from 'node:util';
import type { InspectionEvent } from 'xstate';
import type { IbkrWs } from '../../../src/client.js';
import type { Logger } from '../../../src/logger.js';

/** Every event name of the client's typed events (src/client.ts IbkrWsEvents). */
export const CLIENT_EVENT_NAMES = [
  'state',
  'authenticated',
  'lingering',
  'false-alarm',
  'reconnect',
  'login-required',
  'session-rotated',
  'failed',
  'token',
  'subscription',
  'gap',
  'error',
] as const;

const MAX_DEPTH = 12;

/** JSON text of anything: honours toJSON, cuts cycles, names functions, walks Error causes; never throws. */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(toPlain(value, 0, new Set())) ?? 'undefined';
  } catch (error) {
    return `[unserialisable: ${(error as Error).message}]`;
  }
}

function toPlain(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  if (value === undefined) return '[undefined]';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `[function ${value.name}]`;
  if (depth > MAX_DEPTH) return '[depth]';
  const object = value as object;
  if (ancestors.has(object)) return '[circular]';
  ancestors.add(object);
  try {
    if (object instanceof Error) {
      const error = object as Error & { code?: unknown; cause?: unknown };
      return {
        name: error.name,
        message: error.message,
        code: toPlain(error.code, depth + 1, ancestors),
        stack: error.stack,
        cause: toPlain(error.cause, depth + 1, ancestors),
        json:
          typeof (error as unknown as { toJSON?: unknown }).toJSON === 'function'
            ? toPlain((error as unknown as { toJSON(): unknown }).toJSON(), depth + 1, ancestors)
            : undefined,
      };
    }
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json = (toJSON as () => unknown).call(object);
      if (json !== object) return toPlain(json, depth + 1, ancestors);
    }
    if (Buffer.isBuffer(object) || object instanceof Uint8Array)
      return `[bytes ${Buffer.from(object as Uint8Array).toString('utf8')}]`;
    if (Array.isArray(object)) return object.map((item) => toPlain(item, depth + 1, ancestors));
    if (object instanceof Map) return toPlain(Object.fromEntries(object), depth + 1, ancestors);
    if (object instanceof Set) return toPlain([...object], depth + 1, ancestors);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(object))
      out[key] = toPlain((object as Record<string, unknown>)[key], depth + 1, ancestors);
    return out;
  } finally {
    ancestors.delete(object);
  }
}

function inspected(value: unknown): string {
  try {
    return inspect(value, {
      depth: 8,
      breakLength: Number.POSITIVE_INFINITY,
      maxArrayLength: 50,
      maxStringLength: null,
      showHidden: false,
    });
  } catch (error) {
    return `[uninspectable: ${(error as Error).message}]`;
  }
}

/**
 * The parts of an inspection event a real inspector serialises: its type, the event, the actor and the snapshot
 * (value, status, context). The actor refs themselves hold the whole actor system; that is not what leaves a process.
 */
export function inspectionView(event: InspectionEvent): unknown {
  const view: Record<string, unknown> = {
    type: event.type,
    rootId: event.rootId,
    actorId: idOf(event.actorRef),
    actorSessionId: event.actorRef?.sessionId,
  };
  if ('event' in event) view['event'] = event.event;
  if ('snapshot' in event) {
    const snapshot = event.snapshot as {
      value?: unknown;
      status?: unknown;
      context?: unknown;
      output?: unknown;
      error?: unknown;
    };
    view['snapshot'] = {
      value: snapshot.value,
      status: snapshot.status,
      context: snapshot.context,
      output: snapshot.output,
      error: snapshot.error,
    };
  }
  if ('sourceRef' in event) view['sourceId'] = idOf(event.sourceRef);
  return view;
}

function idOf(ref: unknown): unknown {
  return (ref as { id?: unknown } | undefined)?.id;
}

export class Capture {
  readonly lines: string[] = [];

  /** A debug-level logger (pino-style `(fields, message)` or console-style arguments, both captured). */
  readonly logger: Logger = {
    debug: (...args: unknown[]) => this.add('log.debug', args),
    info: (...args: unknown[]) => this.add('log.info', args),
    warn: (...args: unknown[]) => this.add('log.warn', args),
    error: (...args: unknown[]) => this.add('log.error', args),
  };

  /** For `createIbkrWs({ inspect })`. */
  readonly inspect = (event: InspectionEvent): void => {
    this.lines.push(`inspect ${safeJson(inspectionView(event))}`);
    this.inspectionEvents++;
  };

  inspectionEvents = 0;

  /** Subscribes to every client event. */
  attach(client: IbkrWs): void {
    for (const name of CLIENT_EVENT_NAMES) client.on(name, (payload: unknown) => this.add(`event.${name}`, payload));
  }

  add(source: string, value: unknown): void {
    this.lines.push(`${source} ${safeJson(value)}`);
    this.lines.push(`${source}(inspect) ${inspected(value)}`);
  }

  /** Adds raw text someone printed (CLI stdout/stderr). */
  addText(source: string, text: string): void {
    this.lines.push(`${source} ${text}`);
  }

  /** The captured lines that contain `needle`. */
  find(needle: string): string[] {
    return this.lines.filter((line) => line.includes(needle));
  }

  get size(): number {
    return this.lines.length;
  }
}
