/**
 * `--record FILE` for `connect`: the flight recorder (src/recorder/), written continuously, on `failed`, on the way
 * out, and whenever the process gets SIGUSR2 (`kill -USR2 <pid>`: "write what you have now").
 */
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FlightRecorder, RECORDER_DEFAULTS } from '../recorder/index.js';
import { parseNonNegativeNumber } from './args.js';
import { UsageError, type CliIo } from './io.js';

export const RECORD_HELP = `  --record FILE        write a flight record (JSON Lines, redacted; docs/SIMULATOR.md); SIGUSR2 writes it now
  --record-payloads    include frame texts (redacted) in the record
  --record-max-events N   keep the last N events (default ${RECORDER_DEFAULTS.maxEvents})
  --record-max-minutes M  keep the last M minutes (default ${RECORDER_DEFAULTS.maxAgeMs / 60_000}; 0 = no age bound)
  --record-max-bytes N    bound the record's size (default ${RECORDER_DEFAULTS.maxBytes})`;

export const RECORD_OPTIONS = {
  record: { type: 'string' },
  'record-payloads': { type: 'boolean' },
  'record-max-events': { type: 'string' },
  'record-max-minutes': { type: 'string' },
  'record-max-bytes': { type: 'string' },
} as const;

export interface RecordFlags {
  readonly file: string;
  readonly payloads: boolean;
  readonly maxEvents?: number;
  readonly maxAgeMs?: number;
  readonly maxBytes?: number;
}

export function parseRecordFlags(values: Record<string, unknown>): RecordFlags | undefined {
  const file = values['record'];
  const dependent = ['record-payloads', 'record-max-events', 'record-max-minutes', 'record-max-bytes'].filter(
    (flag) => values[flag] !== undefined,
  );
  if (typeof file !== 'string') {
    if (dependent.length > 0) throw new UsageError(`--${dependent[0]} needs --record FILE`);
    return undefined;
  }
  if (file === '') throw new UsageError('--record expects a file name');
  try {
    // The record is written next to itself (a temporary file, then a rename): the directory must be writable.
    accessSync(dirname(resolve(file)), constants.W_OK);
  } catch {
    throw new UsageError(`--record ${file}: cannot write in ${dirname(resolve(file))}`);
  }
  const positive = (flag: string): number | undefined => {
    const text = values[flag];
    if (typeof text !== 'string') return undefined;
    const value = parseNonNegativeNumber(`--${flag}`, text, { integer: true });
    if (value === 0) throw new UsageError(`--${flag} must be greater than 0`);
    return value;
  };
  const minutes =
    typeof values['record-max-minutes'] === 'string'
      ? parseNonNegativeNumber('--record-max-minutes', values['record-max-minutes'])
      : undefined;
  const maxEvents = positive('record-max-events');
  const maxBytes = positive('record-max-bytes');
  return {
    file,
    payloads: Boolean(values['record-payloads']),
    ...(maxEvents === undefined ? {} : { maxEvents }),
    ...(minutes === undefined ? {} : { maxAgeMs: minutes * 60_000 }),
    ...(maxBytes === undefined ? {} : { maxBytes }),
  };
}

export interface CliRecording {
  readonly recorder: FlightRecorder;
  /** Removes the SIGUSR2 handler (the client's stop() writes the final record). */
  close(): void;
}

export function startCliRecording(
  io: CliIo,
  flags: RecordFlags | undefined,
  command: 'connect' | 'bridge',
): CliRecording | undefined {
  if (flags === undefined) return undefined;
  const { file, ...bounds } = flags;
  const recorder = new FlightRecorder({
    file,
    ...bounds,
    onError: (error) => io.stderr(`ibkr-ws ${command}: flight record not written to ${file}: ${error.message}`),
  });
  const onSignal = (): void => void recorder.dump('signal');
  process.on('SIGUSR2', onSignal);
  return { recorder, close: () => process.off('SIGUSR2', onSignal) };
}
