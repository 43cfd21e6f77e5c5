/**
 * The flight recorder: a bounded, redacted record of one client's connection — lifecycle transitions with their
 * reasons, sockets opened and closed with codes, REST calls with status and timing, and per frame its direction,
 * kind, topic, size and time. It is built only on the diagnostics tap (src/diagnostics.ts) and the client's public
 * events; it never sees a secret, and every line still goes through the wire redactor before it is kept.
 *
 * The record lives in a ring (last N events / minutes / bytes) and is written to `file` as a whole (write to a
 * temporary file, then rename: a reader never sees half a record): continuously every `flushIntervalMs` when something
 * changed, on `failed`, on close() (the client's stop()), and whenever dump() is called (the CLI on SIGUSR2).
 */
import { rename, writeFile } from 'node:fs/promises';
import type { ConnectionDiagnostics, FrameRecord } from '../diagnostics.js';
import { redactWireText } from '../protocol/redact-wire-text.js';
import { EventRing } from './event-ring.js';
import {
  RECORD_FORMAT,
  RECORD_VERSION,
  type DumpReason,
  type RecordBounds,
  type RecordEvent,
  type RecordHeader,
  type StatusFlags,
} from './record-format.js';

export interface FlightRecorderOptions {
  /** Where the record is written. Without it the record stays in memory (`lines()`, `snapshot()`). */
  readonly file?: string;
  /** Keep frame texts (redacted). Off by default: a record shows what happened, not the values. */
  readonly payloads?: boolean;
  readonly maxEvents?: number;
  /** 0 = no age bound. */
  readonly maxAgeMs?: number;
  /** Bound on the event lines kept (counted in characters; the lines are ASCII JSON but for payload text). */
  readonly maxBytes?: number;
  /** Continuous writing: at most once per interval, only when something was recorded. 0 = only on dumps. */
  readonly flushIntervalMs?: number;
  /** A write failed (the recording goes on in memory; reported once until a write succeeds again). The client reports it as an `error` event. */
  readonly onError?: (error: Error) => void;
}

export const RECORDER_DEFAULTS = {
  /** At the simulator's 2 market-data streams and a heartbeat every 10 s this is hours; under a flood, seconds. */
  maxEvents: 20_000,
  /** "The last minutes" before a 3 a.m. failure. */
  maxAgeMs: 15 * 60_000,
  /** A record a person can open in an editor and attach to an issue. */
  maxBytes: 8 * 1024 * 1024,
  flushIntervalMs: 1_000,
} as const;

/** The subset of the client's events the recorder listens to (the client's `on`). */
export interface RecordedEvents {
  state: { readonly state: string; readonly previous: string; readonly at: number; readonly reason?: string };
  'login-required': { readonly reason: string; readonly competing: boolean; readonly at: number };
  reconnect: { readonly attempt: number; readonly delayMs: number; readonly reason: string; readonly at: number };
  error: { readonly code: string };
  'session-rotated': { readonly at: number };
}

export interface RecordedEventSource {
  on<N extends keyof RecordedEvents>(name: N, listener: (payload: RecordedEvents[N]) => void): () => void;
}

export class FlightRecorder {
  readonly #options: FlightRecorderOptions;
  readonly #bounds: RecordBounds;
  readonly #ring: EventRing;
  readonly #startedAt = Date.now();
  readonly #offs: Array<() => void> = [];
  #flushTimer: NodeJS.Timeout | undefined;
  #dirty = false;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;
  /** A write failed and none succeeded since: the next failure is not reported again (no error every second). */
  #failing = false;

  constructor(options: FlightRecorderOptions = {}) {
    this.#options = options;
    const { bounds, flushIntervalMs } = resolveRecorderLimits(options);
    this.#bounds = bounds;
    this.#ring = new EventRing(this.#bounds);
    if (options.file !== undefined && flushIntervalMs > 0) {
      this.#flushTimer = setInterval(() => {
        if (this.#dirty) void this.dump('flush');
      }, flushIntervalMs);
      // The recorder never keeps a process alive; close() writes the last state.
      this.#flushTimer.unref();
    }
  }

  /**
   * The tap to hand the client (`diagnostics`). It asks for frame texts so `sts` flags can be recorded; the texts
   * themselves are kept only with `payloads`.
   */
  readonly diagnostics: ConnectionDiagnostics = {
    framePayloads: true,
    restCall: (call) =>
      this.#push({
        t: call.startedAt,
        type: 'rest',
        method: call.method,
        path: call.path,
        ...(call.status === undefined ? {} : { status: call.status }),
        ...(call.errorCode === undefined ? {} : { error: call.errorCode }),
        ms: Math.round(call.durationMs * 10) / 10,
      }),
    socketOpening: ({ socketId, at }) => this.#push({ t: at, type: 'socket-opening', socket: socketId }),
    socketOpened: ({ socketId, at }) => this.#push({ t: at, type: 'socket-opened', socket: socketId }),
    socketClosed: ({ socketId, at, code, reason }) =>
      this.#push({ t: at, type: 'socket-closed', socket: socketId, code, reason }),
    frame: (frame) => this.#push(this.#frameEvent(frame)),
  };

  /** Records the client's lifecycle: transitions with reasons, login-required, reconnects, error codes. Dumps on `failed`. */
  attach(source: RecordedEventSource): void {
    this.#offs.push(
      source.on('state', (change) => {
        this.#push({
          t: change.at,
          type: 'state',
          state: change.state,
          previous: change.previous,
          ...(change.reason === undefined ? {} : { reason: change.reason }),
        });
        if (change.state === 'failed') void this.dump('failed');
      }),
      source.on('login-required', (event) =>
        this.#push({ t: event.at, type: 'login-required', reason: event.reason, competing: event.competing }),
      ),
      source.on('reconnect', (event) =>
        this.#push({
          t: event.at,
          type: 'reconnect',
          attempt: event.attempt,
          delayMs: event.delayMs,
          reason: event.reason,
        }),
      ),
      source.on('error', (error) => this.#push({ t: Date.now(), type: 'error', code: error.code })),
      source.on('session-rotated', (event) => this.#push({ t: event.at, type: 'session-rotated' })),
    );
  }

  /** Events in the ring, and events the bounds pushed out. */
  get stats(): { readonly events: number; readonly dropped: number } {
    return { events: this.#ring.size, dropped: this.#ring.dropped };
  }

  /** The record as JSON Lines: the header, then the events, oldest first. */
  lines(reason: DumpReason = 'manual'): string[] {
    const now = Date.now();
    this.#ring.trim(now);
    const events = this.#ring.lines();
    const header: RecordHeader = {
      format: RECORD_FORMAT,
      version: RECORD_VERSION,
      startedAt: this.#startedAt,
      dumpedAt: now,
      reason,
      payloads: this.#options.payloads === true,
      bounds: this.#bounds,
      events: events.length,
      dropped: this.#ring.dropped,
    };
    return [JSON.stringify(header), ...events];
  }

  /** Writes the record to the file now (no-op without a file). Writes never overlap; a failure goes to onError. */
  dump(reason: DumpReason = 'manual'): Promise<void> {
    const file = this.#options.file;
    if (file === undefined) return Promise.resolve();
    this.#dirty = false;
    const text = `${this.lines(reason).join('\n')}\n`;
    this.#writing = this.#writing.then(async () => {
      const temporary = `${file}.${process.pid}.tmp`;
      try {
        await writeFile(temporary, text, { mode: 0o600 });
        await rename(temporary, file);
        this.#failing = false;
      } catch (error) {
        if (!this.#failing) this.#options.onError?.(error as Error);
        this.#failing = true;
      }
    });
    return this.#writing;
  }

  /** Stops listening and writes the final record (the client calls it from stop()). Idempotent. */
  async close(reason: DumpReason = 'stop'): Promise<void> {
    if (this.#closed) return this.#writing;
    this.#closed = true;
    if (this.#flushTimer !== undefined) clearInterval(this.#flushTimer);
    for (const off of this.#offs.splice(0)) off();
    await this.dump(reason);
  }

  #frameEvent(frame: FrameRecord): RecordEvent {
    const sts = frame.kind === 'sts' && frame.text !== undefined ? statusFlags(frame.text) : undefined;
    return {
      t: frame.at,
      type: 'frame',
      dir: frame.direction,
      socket: frame.socketId,
      kind: frame.kind,
      ...(frame.topic === undefined ? {} : { topic: frame.topic }),
      bytes: frame.bytes,
      ...(sts === undefined ? {} : { sts }),
      ...(this.#options.payloads === true && frame.text !== undefined ? { text: frame.text } : {}),
    };
  }

  #push(event: RecordEvent): void {
    if (this.#closed) return;
    // The tap's texts are redacted already; this second net covers close reasons and anything a later field adds.
    this.#ring.push(event.t, redactWireText(JSON.stringify(event)));
    this.#dirty = true;
  }
}

function statusFlags(text: string): StatusFlags | undefined {
  try {
    const parsed = JSON.parse(text) as { args?: Record<string, unknown> };
    const args = parsed.args;
    if (typeof args !== 'object' || args === null) return undefined;
    const flags: Record<string, boolean> = {};
    for (const key of ['authenticated', 'competing', 'connected', 'established'] as const)
      if (typeof args[key] === 'boolean') flags[key] = args[key];
    return flags;
  } catch {
    return undefined;
  }
}

/**
 * The bounds and flush interval with their defaults, checked: a RangeError names the option (`record.maxEvents …`).
 * Pure, so the client's option resolver can check a `record` option before anything is created.
 */
export function resolveRecorderLimits(options: FlightRecorderOptions): {
  bounds: RecordBounds;
  flushIntervalMs: number;
} {
  if (options.file !== undefined && (typeof options.file !== 'string' || options.file === ''))
    throw new RangeError(`record.file must be a file name, got ${String(options.file)}`);
  if (options.payloads !== undefined && typeof options.payloads !== 'boolean')
    throw new RangeError(`record.payloads must be true or false, got ${String(options.payloads)}`);
  return {
    bounds: {
      maxEvents: positiveInteger('maxEvents', options.maxEvents ?? RECORDER_DEFAULTS.maxEvents),
      maxAgeMs: nonNegative('maxAgeMs', options.maxAgeMs ?? RECORDER_DEFAULTS.maxAgeMs),
      maxBytes: positiveInteger('maxBytes', options.maxBytes ?? RECORDER_DEFAULTS.maxBytes),
    },
    flushIntervalMs: nonNegative('flushIntervalMs', options.flushIntervalMs ?? RECORDER_DEFAULTS.flushIntervalMs),
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`record.${name} must be a positive integer, got ${String(value)}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new RangeError(`record.${name} must be a non-negative number, got ${String(value)}`);
  return value;
}
