/**
 * The client's `record` option: options (the client makes and owns the recorder) or a FlightRecorder the caller
 * keeps to dump on demand (the CLI on SIGUSR2). Bad bounds are an `invalid-option` error at construction.
 */
import { IbkrWsError } from '../errors.js';
import { FlightRecorder, type FlightRecorderOptions } from './flight-recorder.js';

export type RecordOption = Omit<FlightRecorderOptions, 'onError'> | FlightRecorder;

export function createRecorder(option: RecordOption | undefined, onError: (error: Error) => void): FlightRecorder | undefined {
  if (option === undefined) return undefined;
  if (option instanceof FlightRecorder) return option;
  try {
    return new FlightRecorder({ ...option, onError });
  } catch (error) {
    throw new IbkrWsError('invalid-option', (error as Error).message);
  }
}
