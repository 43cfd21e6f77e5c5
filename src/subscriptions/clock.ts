/**
 * Real time for production; tests inject a fake clock so that ack timeouts, expiry and pause caps run without sleeps.
 */
import type { Clock } from './types.js';

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
