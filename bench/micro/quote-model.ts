/**
 * The simulator's own cost per market-data message, without the network, in one process:
 *
 *   node --import tsx bench/micro/quote-model.ts
 *
 * Per message: one step of a contract's quote (instrument-profile.ts, quote-model.ts) and the rendering of a typical
 * field set, against the same-run baseline of what every message costs anyway — `JSON.stringify` of the message and
 * `Buffer.from` of its text (what the socket writes). Best of 5 rounds of 200 000 messages over 4 contracts. Not part
 * of `npm run bench`: the throughput benchmark measures the product; this shows the quote model is not what limits it.
 */
import { QuoteModel } from '../../src/simulator/topics/quote-model.js';

const FIELDS = ['31', '84', '86', '85', '88', '7059', '87'];
const CONIDS = [265598, 8314, 272093, 756733];
const MESSAGES = 200_000;

function model(): number {
  const quotes = CONIDS.map((conid) => new QuoteModel(conid));
  let sink = 0;
  const started = performance.now();
  for (let index = 0; index < MESSAGES; index++) {
    const quote = quotes[index % quotes.length] as QuoteModel;
    quote.step();
    for (const field of FIELDS) {
      const value = quote.field(field);
      sink += typeof value === 'string' ? value.length : 1;
    }
  }
  if (sink === 0) throw new Error('nothing rendered');
  return ((performance.now() - started) * 1_000) / MESSAGES;
}

function baseline(): number {
  const message: Record<string, unknown> = {
    server_id: 'q0',
    conid: 265598,
    _updated: 0,
    '6119': 'q0',
    '31': '189.61',
    '84': '189.60',
    '86': '189.61',
    topic: 'smd+265598',
  };
  let sink = 0;
  const started = performance.now();
  for (let index = 0; index < MESSAGES; index++) {
    message['_updated'] = index;
    sink += Buffer.from(JSON.stringify(message), 'utf8').length;
  }
  if (sink === 0) throw new Error('nothing serialised');
  return ((performance.now() - started) * 1_000) / MESSAGES;
}

const best = (run: () => number): number => Math.min(...Array.from({ length: 5 }, run));
const modelUs = best(model);
const baselineUs = best(baseline);
console.log(
  `quote model: ${modelUs.toFixed(2)} µs/message; serialise + buffer: ${baselineUs.toFixed(2)} µs/message; ratio ${(modelUs / baselineUs).toFixed(2)}`,
);
