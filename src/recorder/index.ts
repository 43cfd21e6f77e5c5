/** `ibkr-ws/recorder`: the flight recorder and its record format (docs/SIMULATOR.md, "The flight record"). */
export {
  FlightRecorder,
  RECORDER_DEFAULTS,
  type FlightRecorderOptions,
  type RecordedEventSource,
} from './flight-recorder.js';
export { parseFlightRecord, RecordFormatError } from './read-record.js';
export {
  RECORD_FORMAT,
  RECORD_VERSION,
  type DumpReason,
  type FlightRecord,
  type RecordBounds,
  type RecordEvent,
  type RecordEventType,
  type RecordHeader,
  type StatusFlags,
} from './record-format.js';
