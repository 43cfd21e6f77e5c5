/**
 * Fault schedules: a JSON file of `{ "at": seconds, "fault": name, "args": [...] }` steps, run against a simulator
 * through its control surface. The file is either the bare array (times from the start) or
 * `{ "relativeTo": "start" | "first-authenticated-socket", "faults": [...] }`. Every step is validated when the file
 * is read, so a typo fails at start, not twenty minutes into a run.
 */
import type { GatewaySimulator } from '../types.js';
import { ControlError, validateControlArgs } from './schema.js';

export type ScheduleAnchor = 'start' | 'first-authenticated-socket';

export interface ScheduledFault {
  /** Seconds after the anchor. */
  readonly at: number;
  readonly fault: string;
  readonly args: readonly unknown[];
}

export interface FaultSchedule {
  readonly relativeTo: ScheduleAnchor;
  /** Sorted by `at`, stable for equal times. */
  readonly faults: readonly ScheduledFault[];
}

export interface FiredFault extends ScheduledFault {
  /** Seconds since the anchor when it actually fired. */
  readonly firedAt: number;
  /** Set when the control threw despite validation (it cannot, today): the run goes on. */
  readonly error?: string;
}

/** Parses and validates a schedule (the file's text); throws ControlError naming the step and the problem. */
export function parseFaultSchedule(text: string): FaultSchedule {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ControlError(`not JSON: ${(error as Error).message}`);
  }
  let relativeTo: ScheduleAnchor = 'start';
  let steps: unknown = parsed;
  if (!Array.isArray(parsed)) {
    if (typeof parsed !== 'object' || parsed === null)
      throw new ControlError('expected an array of steps or {"relativeTo":…,"faults":[…]}');
    const { relativeTo: anchor = 'start', faults, ...rest } = parsed as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0)
      throw new ControlError(`unknown key ${extra.map((key) => `'${key}'`).join(', ')} (keys: relativeTo, faults)`);
    if (anchor !== 'start' && anchor !== 'first-authenticated-socket') {
      throw new ControlError(
        `relativeTo must be 'start' or 'first-authenticated-socket', got ${JSON.stringify(anchor)}`,
      );
    }
    relativeTo = anchor;
    steps = faults;
  }
  if (!Array.isArray(steps)) throw new ControlError('faults must be an array of steps');
  const faults = steps.map((step, index): ScheduledFault => {
    const where = `step ${index + 1}`;
    if (typeof step !== 'object' || step === null || Array.isArray(step))
      throw new ControlError(`${where}: expected {"at":…,"fault":…,"args":[…]}`);
    const { at, fault, args, ...rest } = step as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0)
      throw new ControlError(
        `${where}: unknown key ${extra.map((key) => `'${key}'`).join(', ')} (keys: at, fault, args)`,
      );
    if (typeof at !== 'number' || !Number.isFinite(at) || at < 0)
      throw new ControlError(`${where}: at must be a non-negative number of seconds`);
    if (typeof fault !== 'string') throw new ControlError(`${where}: fault must be a control name`);
    try {
      return { at, fault, args: validateControlArgs(fault, args) };
    } catch (error) {
      throw new ControlError(`${where}: ${(error as Error).message}`);
    }
  });
  return {
    relativeTo,
    faults: faults
      .map((step, index) => ({ step, index }))
      .sort((a, b) => a.step.at - b.step.at || a.index - b.index)
      .map(({ step }) => step),
  };
}

/**
 * Runs the schedule: one timer per step, armed at the anchor. Returns the function that cancels what has not fired
 * (call it before closing the simulator).
 */
export function runFaultSchedule(
  simulator: GatewaySimulator,
  schedule: FaultSchedule,
  onFired: (fired: FiredFault) => void,
): () => void {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const arm = (): void => {
    if (stopped) return;
    const anchoredAt = performance.now();
    for (const step of schedule.faults) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        const firedAt = (performance.now() - anchoredAt) / 1_000;
        try {
          simulator.control(step.fault, [...step.args], 'schedule');
          onFired({ ...step, firedAt });
        } catch (error) {
          onFired({ ...step, firedAt, error: (error as Error)?.message ?? String(error) });
        }
      }, step.at * 1_000);
      timers.add(timer);
    }
  };
  let offReady: (() => void) | undefined;
  if (schedule.relativeTo === 'start') arm();
  else
    offReady = simulator.on('ready', () => {
      offReady?.();
      offReady = undefined;
      arm();
    });
  return () => {
    stopped = true;
    offReady?.();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}
