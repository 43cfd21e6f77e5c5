/**
 * One consumer process of the bridge benchmark (bench/bridge.ts): a plain NATS client that follows docs/BRIDGE.md —
 * core subscription on `ibkr.<p>.md.>`, the whole set on `ctl.subscribe`, renewed every lease/3 — and measures what
 * it got: quotes, seq numbers missed without a gap, gaps, and latency from the bridge's receipt of each quote
 * (`receivedAt`, same machine clock) to here.
 *
 * stdin, one JSON object per line: `{"cmd":"phase","prefix","conids","leaseMs"}`, `{"cmd":"reset"}`,
 * `{"cmd":"report"}` (answers `{"type":"report",…}` on stdout), `{"cmd":"late","prefix","conids"}` (answers
 * `{"type":"late",…}`), `{"cmd":"exit"}`.
 * argv: <nats url> <consumer id>.
 */
import { createInterface } from 'node:readline';
import { connect, type Subscription } from '@nats-io/transport-node';

const [url = 'nats://127.0.0.1:4222', id = 'bench'] = process.argv.slice(2);
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

function reset(): void {
  received = 0;
  missed = 0;
  gaps = 0;
  latencies = [];
}

function onMessage(data: Uint8Array, run: string, seq: number, key: string, kind: string): void {
  const previous = last.get(key);
  if (kind === 'gap') gaps++;
  else if (previous !== undefined && previous.run === run && seq > previous.seq + 1) missed += seq - previous.seq - 1;
  last.set(key, { run, seq });
  if (kind !== 'quote') return;
  received++;
  latencies.push(Date.now() - receivedAtOf(data));
  if (!Number.isNaN(reconnectedAt) && Number.isNaN(firstQuoteAfterReconnectAt)) firstQuoteAfterReconnectAt = Date.now();
}

/**
 * The quote's `receivedAt` without parsing the whole body: the latency figure needs only that field, and a full
 * JSON.parse of every quote in 10 processes would measure this consumer's CPU rather than the bridge's delivery.
 */
function receivedAtOf(data: Uint8Array): number {
  const text = decoder.decode(data);
  const at = text.lastIndexOf('"receivedAt":');
  if (at === -1) return Number.NaN;
  return Number.parseInt(text.slice(at + 13, at + 30), 10);
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

function phase(prefix: string, conids: readonly number[], leaseMs: number): void {
  subscription?.unsubscribe();
  if (renewal) clearInterval(renewal);
  last.clear();
  reset();
  subscription = nc.subscribe(`ibkr.${prefix}.md.>`, {
    callback: (error, msg) => {
      if (error !== null) return;
      const h = msg.headers;
      onMessage(
        msg.data,
        h?.get('Ibkr-Bridge') ?? '',
        Number(h?.get('Ibkr-Seq')),
        h?.get('Ibkr-Key') ?? '',
        h?.get('Ibkr-Kind') ?? '',
      );
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
  const command = JSON.parse(line) as { cmd: string; prefix?: string; conids?: number[]; leaseMs?: number };
  if (command.cmd === 'phase') phase(command.prefix!, command.conids!, command.leaseMs ?? 10_000);
  else if (command.cmd === 'reset') reset();
  else if (command.cmd === 'late') void late(command.prefix!, command.conids!);
  else if (command.cmd === 'report') {
    const sorted = [...latencies].sort((a, b) => a - b);
    process.stdout.write(
      `${JSON.stringify({ type: 'report', id, received, missed, gaps, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN, reconnectedAt, firstQuoteAfterReconnectAt })}\n`,
    );
  } else if (command.cmd === 'exit') {
    if (renewal) clearInterval(renewal);
    void nc.close().then(() => process.exit(0));
  }
});
process.stdout.write(`${JSON.stringify({ type: 'loaded', id })}\n`);
