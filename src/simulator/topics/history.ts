/**
 * `smh` / `umh` (§4.3): one response per request with a string `serverId` and bars, at most `maxHistoryStreams`
 * requests held at once across the gateway (a request holds its slot until `umh`, "customers must still
 * unsubscribe"), and `umh+<serverId>` answered `{"message":"Unsubscribed <serverId>"}` (IBIND; CAMPUS-TX says no reply).
 */
import type { ClientCommand } from '../../protocol/types.js';
import { contractInfo } from '../gateway-payloads.js';
import { topicErrorFrame } from '../server-frames.js';
import { instrumentProfile } from './instrument-profile.js';
import { seededRandom } from './quote-model.js';
import type { TopicHandler, TopicOutcome, TopicOutlet } from './topic-outlet.js';

type SubscribeHistory = Extract<ClientCommand, { op: 'subscribe'; topic: 'smh' }>;
type UnsubscribeHistory = Extract<ClientCommand, { op: 'unsubscribe'; topic: 'smh' }>;

/** The gateway-wide history slots and server ids. The first id is the documented one (`341115`). */
export class HistorySlots {
  readonly #limit: number;
  readonly #held = new Set<string>();
  #nextId = 341_115;

  constructor(limit: number) {
    this.#limit = limit;
  }

  acquire(): string | undefined {
    if (this.#held.size >= this.#limit) return undefined;
    const serverId = String(this.#nextId++);
    this.#held.add(serverId);
    return serverId;
  }

  release(serverId: string): boolean {
    return this.#held.delete(serverId);
  }

  get inUse(): number {
    return this.#held.size;
  }
}

const MINUTES: Readonly<Record<string, number>> = { min: 1, h: 60, d: 1_440, w: 10_080, m: 43_200, y: 525_600 };
/** A response never carries more bars than this, whatever was asked (the real limit is undocumented). */
const MAX_BARS = 1_000;

export class HistoryTopic implements TopicHandler {
  readonly #outlet: TopicOutlet;
  readonly #slots: HistorySlots;
  /** The server ids this socket holds: freed when it closes. */
  readonly #mine = new Set<string>();

  constructor(outlet: TopicOutlet, slots: HistorySlots) {
    this.#outlet = outlet;
    this.#slots = slots;
  }

  subscribe(command: SubscribeHistory): TopicOutcome {
    const serverId = this.#slots.acquire();
    const topic = `smh+${command.conid}`;
    if (serverId === undefined) {
      // Undocumented refusal; an error on the request's topic lets the client fail that one request.
      this.#outlet.send(
        topicErrorFrame(
          topic,
          `too many concurrent history requests: at most ${this.#outlet.options.maxHistoryStreams}`,
        ),
      );
      return 'refused-limit';
    }
    this.#mine.add(serverId);
    this.#outlet.timers.setTimeout(() => {
      if (this.#mine.has(serverId)) this.#outlet.send(historyResponse(command, serverId, topic, Date.now()));
    }, this.#outlet.options.historyResponseDelayMs);
    return 'handled';
  }

  unsubscribe(command: UnsubscribeHistory): TopicOutcome {
    this.#mine.delete(command.serverId);
    this.#slots.release(command.serverId);
    this.#outlet.send({ message: `Unsubscribed ${command.serverId}` });
    return 'handled';
  }

  clear(): void {
    for (const serverId of this.#mine) this.#slots.release(serverId);
    this.#mine.clear();
  }
}

function durationMinutes(text: unknown, fallback: number): number {
  if (typeof text !== 'string') return fallback;
  const match = /^(\d+)(min|h|d|w|m|y)$/.exec(text);
  const unit = match?.[2] === undefined ? undefined : MINUTES[match[2]];
  return match === null || unit === undefined ? fallback : Number(match[1]) * unit;
}

/** The documented response shape (CPW-SRC, §4.3) with bars `{o,c,h,l,v,t}` (CAMPUS-TX). Invalid params are ignored. */
function historyResponse(
  command: SubscribeHistory,
  serverId: string,
  topic: string,
  now: number,
): Record<string, unknown> {
  const periodMinutes = durationMinutes(command.params['period'], 1_440);
  const barMinutes = Math.max(1, durationMinutes(command.params['bar'], 60));
  const points = Math.max(1, Math.min(MAX_BARS, Math.floor(periodMinutes / barMinutes)));
  const info = contractInfo(command.conid);
  const random = seededRandom(command.conid ^ points);
  const start = now - points * barMinutes * 60_000;
  // The same level as the contract's quotes (instrument-profile.ts).
  const profile = instrumentProfile(command.conid);
  let price = round2(profile.startTicks * profile.tickSize);
  const data: Array<Record<string, number>> = [];
  for (let index = 0; index < points; index++) {
    const open = price;
    const close = round2(open * (1 + (random() - 0.5) / 100));
    const high = round2(Math.max(open, close) * (1 + random() / 400));
    const low = round2(Math.min(open, close) * (1 - random() / 400));
    data.push({
      o: open,
      c: close,
      h: high,
      l: low,
      v: Math.round(1_000 + random() * 50_000),
      t: start + index * barMinutes * 60_000,
    });
    price = close;
  }
  const high = Math.max(...data.map((bar) => bar['h'] ?? 0));
  const low = Math.min(...data.map((bar) => bar['l'] ?? 0));
  return {
    serverId,
    symbol: info.symbol,
    text: info.company,
    priceFactor: 100,
    startTime: formatStartTime(start),
    high: `${Math.round(high * 100)}/${data.reduce((sum, bar) => sum + (bar['v'] ?? 0), 0)}/0`,
    low: `${Math.round(low * 100)}/0/0`,
    timePeriod: `${periodMinutes * 60}s`,
    barLength: barMinutes * 60,
    mdAvailability: 'S',
    mktDataDelay: 0,
    outsideRth: command.params['outsideRth'] === true,
    volumeFactor: 1,
    priceDisplayRule: 1,
    priceDisplayValue: '2',
    negativeCapable: false,
    messageVersion: 2,
    data,
    points,
    topic,
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** `20210317-18:00:00` (UTC). */
function formatStartTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 19)}`;
}
