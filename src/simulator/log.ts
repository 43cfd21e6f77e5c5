/**
 * The simulator's only way to speak: the optional user logger, called pino-style `(fields, message)`. Nothing here
 * ever receives the session value or a client frame's text (a `{"session":…}` frame carries the secret).
 */
import type { SimulatorLogger } from './options.js';

export type SimulatorLog = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export function createSimulatorLog(logger: SimulatorLogger | undefined): SimulatorLog {
  return (level, message, fields) => {
    const method = logger?.[level];
    if (typeof method !== 'function') return;
    if (fields === undefined) method.call(logger, message);
    else method.call(logger, fields, message);
  };
}
