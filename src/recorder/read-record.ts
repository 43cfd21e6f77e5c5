/**
 * Reads a flight record back (replay, tools): JSON Lines, a known format and version in the header, one event per
 * line. A malformed line is an error naming it: a replay built on a guessed record would prove nothing.
 */
import {
  RECORD_FORMAT,
  RECORD_VERSION,
  type FlightRecord,
  type RecordEvent,
  type RecordHeader,
} from './record-format.js';

export class RecordFormatError extends Error {
  override readonly name = 'RecordFormatError';
}

export function parseFlightRecord(text: string): FlightRecord {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new RecordFormatError('the record is empty');
  const header = parseLine(lines[0] as string, 1) as Partial<RecordHeader>;
  if (header.format !== RECORD_FORMAT) throw new RecordFormatError(`line 1: not an ${RECORD_FORMAT} file`);
  if (header.version !== RECORD_VERSION)
    throw new RecordFormatError(
      `line 1: record version ${String(header.version)} is not supported (this reader knows ${RECORD_VERSION})`,
    );
  const events = lines.slice(1).map((line, index) => {
    const event = parseLine(line, index + 2) as Partial<RecordEvent>;
    if (typeof event.t !== 'number' || typeof event.type !== 'string')
      throw new RecordFormatError(`line ${index + 2}: an event needs a numeric t and a type`);
    return event as RecordEvent;
  });
  return { header: header as RecordHeader, events };
}

function parseLine(line: string, number: number): unknown {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value;
  } catch (error) {
    throw new RecordFormatError(`line ${number}: ${(error as Error).message}`);
  }
}
