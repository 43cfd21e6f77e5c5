/**
 * The flight record, version 1: what a client saw of its connection, written as JSON Lines — one header object, then
 * one event per line, oldest first. docs/SIMULATOR.md ("The flight record") documents every field; `ibkr-ws sim
 * --replay` reads it back. A reader must refuse a `version` it does not know.
 *
 * Nothing here ever holds a secret: REST paths carry no query string, frames carry their kind, topic and size (their
 * text only with `payloads`, already redacted), socket close reasons are redacted, errors are their code only.
 */

export const RECORD_FORMAT = 'ibkr-ws-record';
export const RECORD_VERSION = 1;

/** Why the file was (re)written. */
export type DumpReason = 'flush' | 'failed' | 'stop' | 'signal' | 'manual';

export interface RecordBounds {
  /** The ring keeps at most this many events… */
  readonly maxEvents: number;
  /** …none older than this (0 = no age bound)… */
  readonly maxAgeMs: number;
  /** …and at most this many bytes of event lines. */
  readonly maxBytes: number;
}

export interface RecordHeader {
  readonly format: typeof RECORD_FORMAT;
  readonly version: typeof RECORD_VERSION;
  /** Epoch ms: when the recorder was created, and when this file was written. */
  readonly startedAt: number;
  readonly dumpedAt: number;
  readonly reason: DumpReason;
  /** Frame texts (redacted) are in the record. */
  readonly payloads: boolean;
  readonly bounds: RecordBounds;
  /** Events in the file, and events pushed out of the ring by its bounds since the start. */
  readonly events: number;
  readonly dropped: number;
}

/** The brokerage flags of an `sts` frame: lifecycle facts, recorded even without payloads (replay needs them). */
export interface StatusFlags {
  readonly authenticated?: boolean;
  readonly competing?: boolean;
  readonly connected?: boolean;
  readonly established?: boolean;
}

export type RecordEvent =
  | {
      readonly t: number;
      readonly type: 'state';
      readonly state: string;
      readonly previous: string;
      readonly reason?: string;
    }
  | { readonly t: number; readonly type: 'login-required'; readonly reason: string; readonly competing: boolean }
  | {
      readonly t: number;
      readonly type: 'reconnect';
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | { readonly t: number; readonly type: 'error'; readonly code: string }
  /** The tickle handed out a new session value (the value itself is never recorded). */
  | { readonly t: number; readonly type: 'session-rotated' }
  | { readonly t: number; readonly type: 'socket-opening' | 'socket-opened'; readonly socket: number }
  | {
      readonly t: number;
      readonly type: 'socket-closed';
      readonly socket: number;
      readonly code: number;
      readonly reason: string;
    }
  | {
      readonly t: number;
      readonly type: 'rest';
      readonly method: string;
      readonly path: string;
      readonly status?: number;
      /** The typed error code when no usable answer came (`timeout`, `network`, …). */
      readonly error?: string;
      readonly ms: number;
    }
  | {
      readonly t: number;
      readonly type: 'frame';
      readonly dir: 'in' | 'out';
      readonly socket: number;
      readonly kind: string;
      readonly topic?: string;
      readonly bytes: number;
      readonly sts?: StatusFlags;
      /** Redacted frame text: only in a record made with payloads. */
      readonly text?: string;
    };

export type RecordEventType = RecordEvent['type'];

export interface FlightRecord {
  readonly header: RecordHeader;
  readonly events: readonly RecordEvent[];
}
