/**
 * The demo for a person at a terminal: one screen redrawn in place (at most five times a second) with the connection
 * state, a live quote table, the fault schedule with what each fault cost, and the latest events. It is a Reporter,
 * so the demo feeds it exactly what the line reporters get. Used only when stdout is a TTY; otherwise the demo prints
 * throttled lines instead.
 */
import type { IbkrWs } from '../../client.js';
import type { LifecycleState } from '../../../machines/index.js';
import type { CliIo } from '../io.js';
import { formatDuration, type Reporter } from '../reporter.js';
import type { FaultRecord } from './fault-runner.js';
import { groupSubscriptionLines } from './grouped-lines.js';
import { QUOTE_HEADER, quoteRow, tableLine, type QuoteLike } from './quote-format.js';
import type { DemoInstrument } from './setup.js';

export interface DashboardOptions {
  readonly title: string;
  readonly instruments: readonly DemoInstrument[];
  /** Seconds the demo runs, when bounded. */
  readonly forSeconds?: number;
  readonly now?: () => number;
  readonly redrawMs?: number;
  /** Lines that stay under the title (where the simulator and the live view are). */
  readonly details?: readonly string[];
}

export interface Dashboard extends Reporter {
  /** Where the fault schedule's state comes from (set once the runner exists). */
  showFaults(records: () => readonly FaultRecord[]): void;
}

const ESC = '\u001b[';
const COLORS: Partial<Record<LifecycleState, string>> = {
  authenticated: '32',
  'lingering-detected': '33',
  reconnect: '33',
  'login-required': '31',
  authorizing: '36',
  failed: '31',
};
const LOG_LINES = 10;

export function createDashboard(io: CliIo, options: DashboardOptions): Dashboard {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const quotes = new Map<string, { quote: QuoteLike; at: number }>();
  const statuses = new Map<string, string>();
  const log: string[] = [];
  const offs: Array<() => void> = [];
  let client: IbkrWs | undefined;
  let state: LifecycleState = 'idle';
  let stateSince = startedAt;
  let faults: () => readonly FaultRecord[] = () => [];
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const paint = (text: string, code: string | undefined): string =>
    io.color && code ? `${ESC}${code}m${text}${ESC}0m` : text;
  const clock = (at: number): string => new Date(at).toISOString().slice(11, 19);
  const push = (line: string): void => {
    log.push(`${clock(now())}  ${line}`);
    if (log.length > LOG_LINES) log.splice(0, log.length - LOG_LINES);
  };
  const showCursor = (): void => io.write?.(`${ESC}?25h`);
  const grouped = groupSubscriptionLines(push);

  function frame(): string[] {
    const elapsed = (now() - startedAt) / 1_000;
    const bound = options.forSeconds === undefined ? 'Ctrl-C to stop' : `ends at ${options.forSeconds} s`;
    const metrics = client?.metrics();
    const lines = [
      `${paint(options.title, '1')}   t=${elapsed.toFixed(1)} s (${bound})`,
      ...(options.details ?? []).map((detail) => paint(detail, '2')),
      '',
      `state ${paint(state, COLORS[state])} for ${formatDuration(now() - stateSince)}` +
        (metrics
          ? `   reconnects ${metrics.reconnects} · lingering ${metrics.lingeringDetections} · frames ${metrics.framesIn} · dropped frames ${metrics.protocolErrors}`
          : ''),
      '',
      paint(tableLine(QUOTE_HEADER), '2'),
    ];
    for (const instrument of options.instruments) {
      const key = `smd+${instrument.conid}`;
      const entry = quotes.get(key);
      const row = quoteRow(instrument.symbol, instrument.conid, entry?.quote);
      const age = entry ? formatDuration(now() - entry.at) : '—';
      const status = statuses.get(key) ?? 'pending';
      lines.push(
        tableLine([row.symbol, String(row.conid), row.last, row.bid, row.ask, row.change, row.volume, status, age]),
      );
    }
    lines.push('', paint('faults', '1'));
    // The schedule of the cycle under way (without --for it repeats).
    const all = faults();
    const cycle = Math.max(0, ...all.filter((record) => record.injectedAt !== undefined).map((record) => record.cycle));
    for (const record of all.filter((each) => each.cycle === cycle))
      lines.push(
        `  t=${String(record.fault.at / 1_000).padStart(2)}s  ${record.fault.name.padEnd(18)} ${describeFault(record)}`,
      );
    lines.push('', paint('events', '1'), ...log);
    return lines;
  }

  function render(): void {
    if (closed && timer === undefined) return;
    const width = io.columns ?? 120;
    const text = frame()
      .map((line) => `${truncate(line, width)}${ESC}K`)
      .join('\n');
    io.write?.(`${ESC}H${text}\n${ESC}J`);
  }

  return {
    attach(attached) {
      client = attached;
      io.write?.(`${ESC}?25l${ESC}2J${ESC}H`);
      process.once('exit', showCursor);
      timer = setInterval(render, options.redrawMs ?? 200);
      offs.push(
        attached.on('state', (change) => {
          state = change.state;
          stateSince = change.at;
          push(`${change.state}${change.reason ? ` (${change.reason})` : ''}`);
        }),
        attached.on('reconnect', (event) =>
          push(`reconnect attempt ${event.attempt} in ${formatDuration(event.delayMs)} (${event.reason})`),
        ),
        attached.on('error', (error) => push(`error ${error.code}: ${error.message}`)),
      );
    },
    data(topic, message) {
      quotes.set(topic, { quote: message as QuoteLike, at: now() });
    },
    subscription(key, status, reason) {
      statuses.set(key, status);
      grouped.subscription(key, status, reason);
    },
    gap(key, reason) {
      grouped.gap(key, reason);
    },
    note(text) {
      push(text);
    },
    event(_type, _fields, text) {
      push(text);
    },
    showFaults(records) {
      faults = records;
    },
    close() {
      if (closed) return;
      grouped.flush();
      render();
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      for (const off of offs.splice(0)) off();
      process.off('exit', showCursor);
      showCursor();
    },
  };
}

function describeFault(record: FaultRecord): string {
  const injectedAt = record.injectedAt;
  if (injectedAt === undefined) return 'scheduled';
  const detected = record.detectedAt === undefined ? undefined : formatDuration(record.detectedAt - injectedAt);
  switch (record.status) {
    case 'injected':
      return 'injected, waiting for the client to notice…';
    case 'detected':
      return `detected in ${detected}, recovering…`;
    case 'recovered':
      return record.recoveredAt === record.detectedAt
        ? `detected in ${detected}, connection unaffected`
        : `detected in ${detected}, recovered in ${formatDuration((record.recoveredAt as number) - injectedAt)}`;
    case 'missed':
      return detected === undefined ? 'NOT detected' : `detected in ${detected}, NOT recovered`;
    default:
      return 'scheduled';
  }
}

/** Cuts a line to the terminal width, ignoring colour codes when counting. */
function truncate(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let index = 0; index < line.length; index++) {
    if (line[index] === '\u001b') {
      const end = line.indexOf('m', index);
      if (end !== -1) {
        out += line.slice(index, end + 1);
        index = end;
        continue;
      }
    }
    if (visible >= width) break;
    out += line[index];
    visible++;
  }
  return out;
}
