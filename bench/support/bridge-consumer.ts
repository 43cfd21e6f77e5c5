/**
 * One consumer process of the bridge benchmark (bench/bridge.ts): a plain NATS client that follows docs/BRIDGE.md —
 * core subscription on `ibkr.<p>.md.>`, the whole set on `ctl.subscribe`, renewed every lease/3 — and measures what
 * it got: quotes, seq numbers missed without a gap, gaps, and latency from the bridge's receipt of each quote
 * (`receivedAt`, same machine clock) to here.
 *
 * Mode `body` (the default) reads kind, key, run and seq from the body, which repeats the headers
 * (docs/BRIDGE.md, "Messages"); mode `headers` reads them from `msg.headers`, as nats.js decodes them — the reference
 * for what header decoding costs a JavaScript consumer (docs/BENCHMARKS.md, "Bridge").
 *
 * stdin, one JSON object per line: `{"cmd":"phase","prefix","conids","leaseMs"}`, `{"cmd":"window","from","to"}`
 * (counts start again, and quotes and latencies count only when the bridge received the quote within [from, to),
 * epoch ms: a quote still in flight when the window ends is counted when it arrives, a quote from before it never),
 * `{"cmd":"report"}` (answers `{"type":"report",…}` on stdout), `{"cmd":"late","prefix","conids"}` (answers
 * `{"type":"late",…}`), `{"cmd":"exit"}`.
 * argv: <nats url> <consumer id>. `phase` may carry `"mode":"body"|"headers"`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { connect, type Subscription } from '@nats-io/transport-node';

const [url = 'nats://127.0.0.1:4222', id = 'bench'] = process.argv.slice(2);
let mode: 'body' | 'headers' = 'body';
const nc = await connect({
  servers: url,
  maxReconnectAttempts: -1,
  reconnectTimeWait: 100,
  reconnectJitter: 50,
  pingInterval: 5_000,
  name: id,
});
const decoder = new TextDecoder();
const encoder = new TextEncoder();

let subscription: Subscription | undefined;
let renewal: NodeJS.Timeout | undefined;
const last = new Map<string, { run: string; seq: number }>();
let received = 0;
let missed = 0;
let gaps = 0;
let latencies: number[] = [];
let reconnectedAt = Number.NaN;
let firstQuoteAfterReconnectAt = Number.NaN;

/** Bridge receipt times (epoch ms) of the quotes that count; everything before the first `window`. */
let windowFrom = Number.NEGATIVE_INFINITY;
let windowTo = Number.POSITIVE_INFINITY;

/** How late this process's event loop ran in the window: CPU starvation and long handlers show here. */
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let bodyBytes = 0;

function reset(): void {
  loopDelay.reset();
  bodyBytes = 0;
  received = 0;
  missed = 0;
  gaps = 0;
  latencies = [];
}

function onMessage(text: string, bytes: number, run: string, seq: number, key: string, kind: string): void {
  const previous = last.get(key);
  if (kind === 'gap') gaps++;
  else if (previous !== undefined && previous.run === run && seq > previous.seq + 1) missed += seq - previous.seq - 1;
  if (previous === undefined) last.set(key, { run, seq });
  else {
    previous.run = run;
    previous.seq = seq;
  }
  if (kind !== 'quote') return;
  const receivedAt = numberAfter(text, '"receivedAt":');
  if (!Number.isNaN(reconnectedAt) && Number.isNaN(firstQuoteAfterReconnectAt)) firstQuoteAfterReconnectAt = Date.now();
  if (receivedAt < windowFrom || receivedAt >= windowTo) return;
  received++;
  bodyBytes += bytes;
  latencies.push(Date.now() - receivedAt);
}

/**
 * Top-level fields read from the body text without parsing it whole: the figures need only these, and a full
 * JSON.parse of every quote in 10 processes would measure this consumer's CPU rather than the bridge's delivery.
 * A quote's and a gap's `kind` and `key` come first and `receivedAt`, `bridge` and `seq` last (docs/BRIDGE.md,
 * "Messages"), so the first or the last occurrence of a label is the top-level field.
 */
/**
 * Only the ends of a long body: the fields read here are in its first and last bytes, and decoding all of it in ten
 * processes is CPU taken from the bridge and nats-server on this 2-core machine (the figures are about delivery).
 */
function headAndTail(data: Uint8Array): string {
  if (data.length <= HEAD_BYTES + TAIL_BYTES) return decoder.decode(data);
  return `${decoder.decode(data.subarray(0, HEAD_BYTES))}…${decoder.decode(data.subarray(data.length - TAIL_BYTES))}`;
}
const HEAD_BYTES = 64;
const TAIL_BYTES = 96;

function numberAfter(text: string, label: string): number {
  const at = text.lastIndexOf(label);
  return at === -1 ? Number.NaN : Number.parseInt(text.slice(at + label.length, at + label.length + 20), 10);
}

function stringAfter(text: string, label: string, first = false): string {
  const at = first ? text.indexOf(label) : text.lastIndexOf(label);
  if (at === -1) return '';
  const start = at + label.length + 1;
  return text.slice(start, text.indexOf('"', start));
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

void (async () => {
  for await (const status of nc.status()) {
    // Own disconnect: what follows may jump; not counted as missed (it is a gap the consumer knows of).
    if (status.type === 'disconnect') last.clear();
    if (status.type === 'reconnect') {
      reconnectedAt = Date.now();
      firstQuoteAfterReconnectAt = Number.NaN;
    }
  }
})();

function phase(prefix: string, conids: readonly number[], leaseMs: number, readFrom: 'body' | 'headers'): void {
  mode = readFrom;
  subscription?.unsubscribe();
  if (renewal) clearInterval(renewal);
  last.clear();
  reset();
  windowFrom = Number.NEGATIVE_INFINITY;
  windowTo = Number.POSITIVE_INFINITY;
  subscription = nc.subscribe(`ibkr.${prefix}.md.>`, {
    callback: (error, msg) => {
      if (error !== null) return;
      if (mode === 'headers') {
        const text = decoder.decode(msg.data);
        const h = msg.headers;
        onMessage(
          text,
          msg.data.length,
          h?.get('Ibkr-Bridge') ?? '',
          Number(h?.get('Ibkr-Seq')),
          h?.get('Ibkr-Key') ?? '',
          h?.get('Ibkr-Kind') ?? '',
        );
      } else {
        const text = headAndTail(msg.data);
        onMessage(
          text,
          msg.data.length,
          stringAfter(text, '"bridge":'),
          numberAfter(text, '"seq":'),
          stringAfter(text, '"key":', true),
          stringAfter(text, '"kind":', true),
        );
      }
    },
  });
  const request = encoder.encode(
    JSON.stringify({
      v: 1,
      consumer: id,
      leaseMs,
      subs: conids.map((conid) => ({ topic: 'smd', conid, fields: ['31', '84', '86'] })),
    }),
  );
  const send = () =>
    void nc.request(`ibkr.${prefix}.ctl.subscribe`, request, { timeout: 2_000 }).catch(() => undefined);
  send();
  renewal = setInterval(send, Math.floor(leaseMs / 3));
}

/** A late joiner's first value: one direct get of the last value per conid, timed (this process reads nothing else). */
async function late(prefix: string, conids: readonly number[]): Promise<void> {
  const samples: number[] = [];
  let found = 0;
  for (const conid of conids) {
    const at = performance.now();
    const reply = await nc.request(
      `$JS.API.DIRECT.GET.IBKR_${prefix.toUpperCase()}_LV`,
      encoder.encode(JSON.stringify({ last_by_subj: `ibkr.${prefix}.md.${conid}` })),
      { timeout: 2_000 },
    );
    samples.push(performance.now() - at);
    if (reply.headers?.get('Ibkr-Kind') === 'quote') found++;
  }
  samples.sort((a, b) => a - b);
  process.stdout
    .write(`${JSON.stringify({ type: 'late', median: samples[Math.floor(samples.length / 2)], max: samples.at(-1), found })}
`);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as {
    cmd: string;
    prefix?: string;
    conids?: number[];
    leaseMs?: number;
    mode?: 'body' | 'headers';
    from?: number;
    to?: number;
  };
  if (command.cmd === 'phase')
    phase(command.prefix!, command.conids!, command.leaseMs ?? 10_000, command.mode ?? 'body');
  else if (command.cmd === 'window') {
    reset();
    windowFrom = command.from!;
    windowTo = command.to!;
  } else if (command.cmd === 'late') void late(command.prefix!, command.conids!);
  else if (command.cmd === 'report') {
    const sorted = [...latencies].sort((a, b) => a - b);
    process.stdout.write(
      `${JSON.stringify({ type: 'report', id, received, missed, gaps, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN, loopDelayP99: loopDelay.percentile(99) / 1e6, loopDelayMax: loopDelay.max / 1e6, bodyBytes: received === 0 ? 0 : Math.round(bodyBytes / received), reconnectedAt, firstQuoteAfterReconnectAt })}\n`,
    );
  } else if (command.cmd === 'exit') {
    if (renewal) clearInterval(renewal);
    void nc.close().then(() => process.exit(0));
  }
});
process.stdout.write(`${JSON.stringify({ type: 'loaded', id })}\n`);
