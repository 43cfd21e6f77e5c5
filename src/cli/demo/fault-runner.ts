/**
 * Injects the demo's faults on schedule and measures, from the client's own events, how long each took to be
 * detected and to heal. One timer at a time (the next injection or follow-up), all cleared by stop(): the demo
 * leaves nothing behind when it ends mid-cycle.
 */
import type { IbkrWs } from '../../client.js';
import type { GatewaySimulator } from '../../simulator/index.js';
import { formatDuration, type Reporter } from '../reporter.js';
import { DEMO_CYCLE_MS, type DemoFault } from './faults.js';

export type FaultStatus = 'scheduled' | 'injected' | 'detected' | 'recovered' | 'missed';

export interface FaultRecord {
  readonly fault: DemoFault;
  readonly cycle: number;
  status: FaultStatus;
  injectedAt?: number;
  followUpAt?: number;
  detectedAt?: number;
  recoveredAt?: number;
}

export interface FaultRunnerOptions {
  readonly client: IbkrWs;
  readonly simulator: GatewaySimulator;
  readonly reporter: Reporter;
  readonly faults: readonly DemoFault[];
  /** Repeat the schedule every cycle (no `--for`). */
  readonly repeat: boolean;
  readonly cycleMs?: number;
  /** A fault not healed this long after its injection (or follow-up) is reported as missed. */
  readonly deadlineMs?: number;
  /** Monotonic milliseconds. */
  readonly now?: () => number;
}

const PROTOCOL_ERROR_CODES = new Set([
  'malformed-json',
  'not-an-object',
  'empty-frame',
  'frame-too-large',
  'invalid-field',
]);
const DEFAULT_DEADLINE_MS = 8_000;

export class FaultRunner {
  readonly #options: FaultRunnerOptions;
  readonly #now: () => number;
  readonly #records: FaultRecord[] = [];
  readonly #offs: Array<() => void> = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** Counted as they happen: records of old cycles are dropped, so a demo left running for days stays small. */
  readonly #counts = { injected: 0, detected: 0, recovered: 0, missed: 0 };
  #startedAt = 0;
  #stopped = false;

  constructor(options: FaultRunnerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  get records(): readonly FaultRecord[] {
    return this.#records;
  }

  /** Milliseconds since start(): the `t=` of the schedule. */
  get elapsed(): number {
    return this.#now() - this.#startedAt;
  }

  start(): void {
    this.#startedAt = this.#now();
    const { client } = this.#options;
    this.#offs.push(
      client.on('lingering', () => this.#detect('lingering')),
      client.on('error', (error) => {
        if (PROTOCOL_ERROR_CODES.has(error.code)) this.#detect('protocol-error');
      }),
      client.on('state', (change) => {
        if (change.previous === 'authenticated' && change.state !== 'authenticated')
          this.#detect('leaves-authenticated');
        if (change.state === 'authenticated') this.#recover();
      }),
    );
    this.#scheduleCycle(0);
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const off of this.#offs.splice(0)) off();
  }

  summary(): { injected: number; detected: number; recovered: number; missed: number } {
    return { ...this.#counts };
  }

  #scheduleCycle(cycle: number): void {
    const cycleMs = this.#options.cycleMs ?? DEMO_CYCLE_MS;
    const keepFrom = this.#records.findIndex((record) => record.cycle >= cycle - 1);
    this.#records.splice(0, keepFrom === -1 ? this.#records.length : keepFrom);
    for (const fault of this.#options.faults) {
      const record: FaultRecord = { fault, cycle, status: 'scheduled' };
      this.#records.push(record);
      this.#at(cycle * cycleMs + fault.at, () => this.#inject(record));
    }
    // The next cycle is planned just before it starts: one cycle of records and timers at a time, however long it runs.
    if (this.#options.repeat) this.#at((cycle + 1) * cycleMs - 1, () => this.#scheduleCycle(cycle + 1));
  }

  /** Runs `action` at `offset` ms after start. */
  #at(offset: number, action: () => void): void {
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        if (!this.#stopped) action();
      },
      Math.max(0, offset - this.elapsed),
    );
    this.#timers.add(timer);
  }

  #inject(record: FaultRecord): void {
    const { fault } = record;
    const { simulator } = this.#options;
    record.injectedAt = this.#now();
    record.status = 'injected';
    this.#counts.injected++;
    this.#report(record, 'injected', `fault: ${fault.name} — ${fault.what}`);
    fault.inject(simulator);
    if (fault.followUp) {
      const followUp = fault.followUp;
      this.#at(this.elapsed + followUp.afterMs, () => {
        record.followUpAt = this.#now();
        this.#report(record, 'follow-up', `fault: ${fault.name} — ${followUp.what}`);
        followUp.run(simulator);
        // Already authenticated again (nothing left to wait for)?
        if (record.detectedAt !== undefined && this.#options.client.state === 'authenticated') this.#recover();
      });
    }
    const deadline = (fault.followUp?.afterMs ?? 0) + (this.#options.deadlineMs ?? DEFAULT_DEADLINE_MS);
    this.#at(this.elapsed + deadline, () => {
      if (record.status === 'recovered') return;
      record.status = 'missed';
      this.#counts.missed++;
      this.#report(
        record,
        'missed',
        `fault: ${fault.name} → ${record.detectedAt === undefined ? 'not detected' : 'not recovered'} within ${formatDuration(deadline)}`,
      );
    });
  }

  /** The oldest open fault that this kind of signal detects. */
  #detect(rule: DemoFault['detection']): void {
    const record = this.#records.find((each) => each.status === 'injected' && each.fault.detection === rule);
    if (!record || record.injectedAt === undefined) return;
    record.detectedAt = this.#now();
    record.status = 'detected';
    this.#counts.detected++;
    const detectedIn = record.detectedAt - record.injectedAt;
    if (record.fault.recovery === 'unaffected' && this.#options.client.state === 'authenticated') {
      record.recoveredAt = record.detectedAt;
      record.status = 'recovered';
      this.#counts.recovered++;
      this.#report(
        record,
        'recovered',
        `fault: ${record.fault.name} → detected in ${formatDuration(detectedIn)}, connection unaffected (frame dropped and counted)`,
        {
          detectedInMs: round(detectedIn),
          recoveredInMs: round(detectedIn),
        },
      );
      return;
    }
    this.#report(record, 'detected', `fault: ${record.fault.name} → detected in ${formatDuration(detectedIn)}`, {
      detectedInMs: round(detectedIn),
    });
  }

  #recover(): void {
    for (const record of this.#records) {
      if (record.status !== 'detected' || record.fault.recovery !== 'authenticated') continue;
      if (record.fault.followUp && record.followUpAt === undefined) continue;
      const injectedAt = record.injectedAt as number;
      record.recoveredAt = this.#now();
      record.status = 'recovered';
      this.#counts.recovered++;
      const detectedIn = (record.detectedAt as number) - injectedAt;
      const recoveredIn = record.recoveredAt - injectedAt;
      const afterFollowUp =
        record.followUpAt === undefined
          ? ''
          : ` (${formatDuration(record.recoveredAt - record.followUpAt)} after: ${record.fault.followUp?.what})`;
      this.#report(
        record,
        'recovered',
        `fault: ${record.fault.name} → detected in ${formatDuration(detectedIn)}, recovered in ${formatDuration(recoveredIn)}${afterFollowUp}`,
        {
          detectedInMs: round(detectedIn),
          recoveredInMs: round(recoveredIn),
          ...(record.followUpAt === undefined
            ? {}
            : { recoveredAfterFollowUpMs: round(record.recoveredAt - record.followUpAt) }),
        },
      );
    }
  }

  #report(record: FaultRecord, phase: string, text: string, extra: Record<string, number> = {}): void {
    const t = `t=${(this.elapsed / 1_000).toFixed(1)}s`;
    this.#options.reporter.event(
      'fault',
      { name: record.fault.name, phase, t: round(this.elapsed), ...extra },
      `${t}  ${text}`,
    );
  }
}

function round(ms: number): number {
  return Math.round(ms);
}
