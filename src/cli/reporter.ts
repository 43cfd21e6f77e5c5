/**
 * What the CLI prints. `--json`: one object per line, exactly the contract of README.md ("CLI reference") (state, data, subscription,
 * error) plus a few extra types (reconnect, lingering, gap). Human mode: a compact, colourised timeline of states with
 * the time spent in the previous one, and at most one quote line per instrument per second.
 * Nothing printed here ever carries the session value: events are built from redacted sources only.
 */
import type { IbkrWs, StateChange } from '../client.js';
import type { CliIo } from './io.js';

export interface Reporter {
  attach(client: IbkrWs): void;
  data(topic: string, message: unknown): void;
  subscription(key: string, status: string, reason?: string): void;
  gap(key: string, reason: string): void;
  note(text: string): void;
  /** A line of another type (`inspect`, `fault`, …): JSON as given, or `text` for people. */
  event(type: string, fields: Record<string, unknown>, text: string): void;
  close(): void;
}

const COLORS: Record<string, string> = {
  authenticated: '\u001b[32m',
  stopped: '\u001b[90m',
  idle: '\u001b[90m',
  'lingering-detected': '\u001b[33m',
  reconnect: '\u001b[33m',
  'login-required': '\u001b[31m',
  authorizing: '\u001b[36m',
  failed: '\u001b[31m',
};
const RESET = '\u001b[0m';
const QUOTE_LINE_INTERVAL_MS = 1_000;

export function createReporter(io: CliIo, options: { json: boolean; now?: () => number }): Reporter {
  const now = options.now ?? Date.now;
  const offs: Array<() => void> = [];
  const lastQuoteLineAt = new Map<string, number>();
  let enteredAt = now();
  // The contract's last line is state `stopped`: nothing is printed after it (late socket errors, closing streams).
  let ended = false;

  const paint = (text: string, state: string): string =>
    io.color && COLORS[state] ? `${COLORS[state]}${text}${RESET}` : text;
  const clock = (at: number): string => new Date(at).toISOString().slice(11, 23);
  const line = (value: object): void => {
    if (!ended) io.stdout(JSON.stringify(value));
  };
  const text = (value: string): void => {
    if (!ended) io.stdout(value);
  };

  function onState(change: StateChange): void {
    if (ended) return;
    if (options.json) {
      line({ type: 'state', state: change.state, at: change.at });
      ended = change.state === 'stopped';
      return;
    }
    const spent = formatDuration(change.at - enteredAt);
    enteredAt = change.at;
    const reason = change.reason ? `  (${change.reason})` : '';
    text(
      `${clock(change.at)}  ${paint(change.state.padEnd(18), change.state)} after ${spent} in ${change.previous}${reason}`,
    );
    ended = change.state === 'stopped';
  }

  return {
    attach(client) {
      offs.push(
        client.on('state', onState),
        client.on('error', (error) => {
          if (options.json) line({ type: 'error', code: error.code, message: error.message });
          else if (!ended) io.stderr(`${clock(now())}  error ${error.code}: ${error.message}`);
        }),
        client.on('reconnect', (event) => {
          if (options.json)
            line({
              type: 'reconnect',
              attempt: event.attempt,
              delayMs: event.delayMs,
              reason: event.reason,
              at: event.at,
            });
          else
            text(
              `${clock(event.at)}  ${paint('reconnect', 'reconnect')} attempt ${event.attempt} in ${formatDuration(event.delayMs)} (${event.reason})`,
            );
        }),
        client.on('token', (event) => {
          if (options.json)
            line({
              type: 'token',
              renewInMs: event.renewInMs,
              ...(event.expiresAtMs === undefined ? {} : { expiresAt: event.expiresAtMs }),
              at: event.at,
            });
          else
            text(
              `${clock(event.at)}  live session token obtained${event.expiresAtMs === undefined ? '' : `, expires ${new Date(event.expiresAtMs).toISOString()}`}; renewal in ${formatLongDuration(event.renewInMs)}`,
            );
        }),
        client.on('lingering', (event) => {
          if (options.json) line({ type: 'lingering', at: event.at });
        }),
        client.on('login-required', (event) => {
          if (options.json)
            line({ type: 'login-required', reason: event.reason, competing: event.competing, at: event.at });
          else
            text(
              `${clock(event.at)}  ${paint('login required', 'login-required')}: ${event.competing ? 'a competing session holds the brokerage login' : 'log in to the gateway in a browser'} (${event.reason})`,
            );
        }),
      );
    },
    data(topic, message) {
      if (options.json) {
        line({ type: 'data', topic, message });
        return;
      }
      const at = now();
      if (at - (lastQuoteLineAt.get(topic) ?? 0) < QUOTE_LINE_INTERVAL_MS) return;
      lastQuoteLineAt.set(topic, at);
      text(`${clock(at)}  ${topic.padEnd(18)} ${summarize(message)}`);
    },
    subscription(key, status, reason) {
      if (options.json) line({ type: 'subscription', key, status, ...(reason === undefined ? {} : { reason }) });
      else text(`${clock(now())}  subscription ${key} ${status}${reason ? ` (${reason})` : ''}`);
    },
    gap(key, reason) {
      if (options.json) line({ type: 'gap', key, reason, at: now() });
      else text(`${clock(now())}  gap in ${key}: data may be missing (${reason})`);
    },
    note(message) {
      if (options.json) line({ type: 'note', text: message, at: now() });
      else text(`${clock(now())}  ${message}`);
    },
    event(type, fields, message) {
      if (options.json) line({ type, ...fields, at: now() });
      else text(`${clock(now())}  ${message}`);
    },
    close() {
      for (const off of offs.splice(0)) off();
    },
  };
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** Hours for a day-long token's renewal ("20 h 24 min"), the usual form below an hour. */
function formatLongDuration(ms: number): string {
  if (ms < 3_600_000) return formatDuration(ms);
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

/** One short line for a data message: named quote fields when there are some, else the kind. */
function summarize(message: unknown): string {
  const named = (message as { named?: Record<string, unknown> } | undefined)?.named;
  if (named && typeof named === 'object') {
    const parts = ['symbol', 'last', 'bid', 'ask', 'volume']
      .filter((name) => named[name] !== undefined)
      .map((name) => `${name} ${String(named[name])}`);
    if (parts.length > 0) return parts.join('  ');
  }
  const kind = (message as { kind?: string } | undefined)?.kind;
  return kind ?? 'message';
}
