/**
 * `smd+<conid>`, and `smd+<conid>@<exchange>`: docs/PROTOCOL.md §4.1 says a response relays the topic of its request, so
 * a `conid@EXCHANGE` subscription may come back under that topic (docs/PROTOCOL-NOTES.md). Shared by the general
 * path (classify.ts, which turns `undefined` into an error) and the market-data scanner (which then refuses the frame).
 */
import { isIdentifier, readConid } from './wire-grammar.js';

/** The conid of a market-data topic whose `+` is at `plus`; `undefined` when the topic is not a valid one. */
export function marketDataConid(topic: string, plus: number): number | undefined {
  if (plus === -1) return undefined;
  const at = topic.indexOf('@', plus + 1);
  const conid = readConid(topic, plus + 1, at === -1 ? topic.length : at);
  if (conid === undefined || (at !== -1 && !isIdentifier(topic, at + 1))) return undefined;
  return conid;
}
