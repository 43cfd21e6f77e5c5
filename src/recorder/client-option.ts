/**
 * The client's `record` option: options (the client makes and owns the recorder) or a FlightRecorder the caller
 * keeps to dump on demand (the CLI on SIGUSR2). Checked once by the option resolver (src/options.ts): a bad bound is
 * `invalid-option` naming it (`record.maxEvents`) before anything exists; the recorder is made by the client.
 */
import { IbkrWsError } from '../errors.js';
import { FlightRecorder, resolveRecorderLimits, type FlightRecorderOptions } from './flight-recorder.js';

export type RecordOption = Omit<FlightRecorderOptions, 'onError'> | FlightRecorder;

export function resolveRecordOption(option: RecordOption | undefined): RecordOption | undefined {
  if (option === undefined || option instanceof FlightRecorder) return option;
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new IbkrWsError('invalid-option', 'record must be an object of recorder options or a FlightRecorder', {
      option: 'record',
    });
  }
  try {
    resolveRecorderLimits(option);
  } catch (error) {
    const message = (error as Error).message;
    throw new IbkrWsError('invalid-option', message, { option: /^(record\.\w+)/.exec(message)?.[1] ?? 'record' });
  }
  return option;
}

export function createRecorder(
  option: RecordOption | undefined,
  onError: (error: Error) => void,
): FlightRecorder | undefined {
  if (option === undefined) return undefined;
  return option instanceof FlightRecorder ? option : new FlightRecorder({ ...option, onError });
}
