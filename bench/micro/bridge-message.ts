/**
 * The bridge's per-message costs without the network, in one process:
 *
 *   node --import tsx bench/micro/bridge-message.ts
 *
 * Writing a quote's body: `quoteJsonText` (src/subscriptions/quote-json.ts) against the same-run baseline of what it
 * replaced, `JSON.stringify({ ...quote.toJSON(), v, kind, key })`. Reading a message in a nats.js consumer: decoding
 * its headers as `msg.headers` does (`MsgHdrsImpl.decode`) and reading the four contract values, against reading
 * them from the end of the body, against the baseline of `JSON.parse` of the body (what an application does anyway).
 * Best of 5 rounds of 100 000 messages over 100 conids. Not part of `npm run bench`: `npm run bench:bridge` measures
 * the product end to end; this shows where a message's microseconds go (docs/BENCHMARKS.md, "Bridge").
 */
import { MsgHdrsImpl } from '@nats-io/transport-node';
import { ContractHeaders } from '../../src/bridge/contract-headers.js';
import { QuoteAccumulator } from '../../src/subscriptions/quote.js';
import { quoteJsonText } from '../../src/subscriptions/quote-json.js';
import type { Quote } from '../../src/subscriptions/types.js';

const MESSAGES = 100_000;
const ROUNDS = 5;
const FIELDS = ['31', '84', '86', '85', '88', '7059', '6509', '55', '87_raw'];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// One accumulated stream per conid, each quote a delta of half the fields on top of a full first message.
const quotes: Quote[] = [];
const accumulators = Array.from(
  { length: 100 },
  (_, index) => new QuoteAccumulator(`smd+${100_001 + index}`, 100_001 + index, undefined),
);
for (let index = 0; index < MESSAGES; index++) {
  const accumulator = accumulators[index % accumulators.length]!;
  const fields: Record<string, string | number> = {};
  for (const [position, id] of FIELDS.entries())
    if (index < accumulators.length || (index + position) % 2 === 0)
      fields[id] = id === '87_raw' ? index : id === '6509' ? 'RpB' : (189 + (index % 100) / 100).toFixed(2);
  quotes.push(
    accumulator.apply(
      { kind: 'smd', topic: 'smd', conid: 0, fields, updated: 1_764_000_000_000 + index },
      1_764_000_000_000 + index,
    ),
  );
}
const keyOf = (quote: Quote) => `smd+${quote.conid}`;
const bodies = quotes.map((quote, seq) =>
  encoder.encode(`${quoteJsonText(quote, keyOf(quote), '"v":1').slice(0, -1)},"bridge":"3f9a1c2e","seq":${seq}}`),
);
const headerBytes = quotes.map((quote, seq) => new ContractHeaders('quote', keyOf(quote), '3f9a1c2e', seq).encode());

function best(run: () => number): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    if (run() === 0) throw new Error('nothing done');
    fastest = Math.min(fastest, ((performance.now() - started) * 1_000) / MESSAGES);
  }
  return fastest;
}

const writeText = best(() =>
  quotes.reduce((sum, quote) => sum + quoteJsonText(quote, keyOf(quote), '"v":1').length, 0),
);
const writeStringify = best(() =>
  quotes.reduce((sum, quote) => {
    const plain = (quote as unknown as { toJSON(): object }).toJSON();
    return sum + JSON.stringify({ ...plain, v: 1, kind: 'quote', key: keyOf(quote) }).length;
  }, 0),
);
const readHeaders = best(() =>
  headerBytes.reduce((sum, bytes) => {
    const h = MsgHdrsImpl.decode(bytes);
    return (
      sum +
      h.get('Ibkr-Kind').length +
      h.get('Ibkr-Key').length +
      h.get('Ibkr-Bridge').length +
      Number(h.get('Ibkr-Seq'))
    );
  }, 0),
);
const readBodyEnd = best(() =>
  bodies.reduce((sum, body) => {
    const tail = decoder.decode(body.subarray(body.length - 48));
    const seqAt = tail.lastIndexOf('"seq":');
    const runAt = tail.lastIndexOf('"bridge":"');
    return (
      sum + Number.parseInt(tail.slice(seqAt + 6), 10) + tail.slice(runAt + 10, tail.indexOf('"', runAt + 10)).length
    );
  }, 0),
);
const parseBody = best(() =>
  bodies.reduce((sum, body) => sum + (JSON.parse(decoder.decode(body)) as { seq: number }).seq, 0),
);

const us = (value: number) => `${value.toFixed(2)} µs`;
const ratio = (value: number, base: number) => (value / base).toFixed(2);
process.stdout.write(
  [
    `body bytes (median message): ${bodies[Math.floor(bodies.length / 2)]!.length}, header bytes: ${headerBytes[0]!.length}`,
    `write a quote body: quoteJsonText ${us(writeText)}, JSON.stringify of the body object ${us(writeStringify)} (ratio ${ratio(writeText, writeStringify)})`,
    `read kind/key/run/seq: nats.js header decode ${us(readHeaders)}, end of the body ${us(readBodyEnd)}; JSON.parse of the body ${us(parseBody)} (ratios ${ratio(readHeaders, parseBody)} and ${ratio(readBodyEnd, parseBody)})`,
    '',
  ].join('\n'),
);
