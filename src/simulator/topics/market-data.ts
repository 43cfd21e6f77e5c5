/**
 * `smd` / `umd` on one socket (§4.2): deltas with only the changed fields after a full first message, no ack, a
 * silent `umd`, the username's line limit, and streams that silently stop after their lifetime unless re-requested.
 *
 * Two paces: `interval` (one snapshot per stream every `marketDataIntervalMs`, like the gateway) and `flood` (as fast
 * as the socket drains, for benchmarks: it stops queueing past a high-water mark and resumes on `drain`).
 */
import type { ClientCommand } from '../../protocol/types.js';
import type { MarketDataMode } from '../options.js';
import { topicErrorFrame } from '../server-frames.js';
import type { MarketDataLines } from './market-data-lines.js';
import type { MarketState, MarketStates } from './market-states.js';
import { QuoteModel, type FieldValue } from './quote-model.js';
import type { TopicHandler, TopicOutcome, TopicOutlet } from './topic-outlet.js';

type SubscribeMarketData = Extract<ClientCommand, { op: 'subscribe'; topic: 'smd' }>;
type UnsubscribeMarketData = Extract<ClientCommand, { op: 'unsubscribe'; topic: 'smd' }>;

/** Flood mode stops queueing once this many bytes wait on the socket: bounded memory, a full pipe. */
const FLOOD_HIGH_WATER_BYTES = 1024 * 1024;
/**
 * Flood rounds per event-loop turn before yielding to I/O (other sockets, REST, the test's own client). A round sends
 * one message per stream, so a turn is also capped at FLOOD_MESSAGES_PER_TURN messages (at least one round): with
 * 1,000 streams, 64 rounds a turn kept the process from everything else for 165 ms and more
 * (test/simulator/flood-fairness.test.ts).
 */
const FLOOD_ROUNDS_PER_TURN = 64;
const FLOOD_MESSAGES_PER_TURN = 2_000;

interface Stream {
  readonly key: string;
  readonly topic: string;
  readonly conid: number;
  readonly conidEx: string;
  /** `server_id` / field 6119: a per-stream marker such as `q0` (§4.2). */
  readonly serverId: string;
  readonly fields: Set<string>;
  readonly quote: QuoteModel;
  /** The last value sent for each field: the base of the next delta. */
  readonly sent: Map<string, FieldValue>;
  firstSent: boolean;
  /** The market state 6509 last reported. */
  sentState: MarketState | undefined;
  expiresAt: number;
}

export interface FloodOutlet extends TopicOutlet {
  /** Runs `callback` once the socket has written out what is queued. */
  whenDrained(callback: () => void): void;
}

export class MarketDataTopic implements TopicHandler {
  readonly #outlet: FloodOutlet;
  readonly #lines: MarketDataLines;
  readonly #states: MarketStates | undefined;
  readonly #streams = new Map<string, Stream>();
  #mode: MarketDataMode;
  #interval: NodeJS.Timeout | undefined;
  #pumpScheduled = false;
  #nextServerId = 0;

  constructor(outlet: FloodOutlet, lines: MarketDataLines, mode: MarketDataMode, states?: MarketStates) {
    this.#outlet = outlet;
    this.#lines = lines;
    this.#states = states;
    this.#mode = mode;
  }

  get streamCount(): number {
    return this.#streams.size;
  }

  subscribe(command: SubscribeMarketData): TopicOutcome {
    const key = command.exchange === undefined ? String(command.conid) : `${command.conid}@${command.exchange}`;
    const now = Date.now();
    const expiresAt = now + this.#outlet.options.marketDataStreamLifetimeMs;
    if (!this.#lines.acquire(key, expiresAt, now)) {
      // The refusal is undocumented; an error on the stream's topic is what clients check for (TS-STREAM, §4.2).
      this.#outlet.send(
        topicErrorFrame(
          `smd+${command.conid}`,
          `market data lines exhausted: ${this.#outlet.options.marketDataLines} in use`,
        ),
      );
      return 'refused-limit';
    }
    const existing = this.#streams.get(key);
    if (existing === undefined) {
      this.#streams.set(key, {
        key,
        topic: `smd+${command.conid}`,
        conid: command.conid,
        conidEx: key,
        serverId: `q${this.#nextServerId++}`,
        fields: new Set(command.fields),
        quote: new QuoteModel(command.conid, this.#states?.cell(command.conid)),
        sent: new Map(),
        firstSent: false,
        sentState: undefined,
        expiresAt,
      });
    } else {
      // Re-requesting adds fields to the stream and restarts its lifetime (§4.2).
      for (const field of command.fields) existing.fields.add(field);
      existing.expiresAt = expiresAt;
    }
    this.#schedule();
    return 'handled';
  }

  /** `umd` has no reply (§4.2). */
  unsubscribe(command: UnsubscribeMarketData): TopicOutcome {
    const key = command.exchange === undefined ? String(command.conid) : `${command.conid}@${command.exchange}`;
    this.#streams.delete(key);
    this.#lines.release(key);
    this.#schedule();
    return 'handled';
  }

  /** Stops the streams of `conid` (every one when undefined): REST `marketdata/unsubscribe(all)` (§3.5). */
  stopStreams(conid?: number): void {
    for (const [key, stream] of this.#streams)
      if (conid === undefined || stream.conid === conid) this.#streams.delete(key);
    this.#schedule();
  }

  setMode(mode: MarketDataMode): void {
    this.#mode = mode;
    this.#schedule();
  }

  clear(): void {
    this.#streams.clear();
    this.#schedule();
  }

  /** Keeps exactly the one timer the current mode and stream count need. */
  #schedule(): void {
    const wantInterval = this.#mode === 'interval' && this.#streams.size > 0;
    if (wantInterval && this.#interval === undefined) {
      this.#interval = this.#outlet.timers.setInterval(
        () => this.#tick(Date.now()),
        this.#outlet.options.marketDataIntervalMs,
      );
    } else if (!wantInterval && this.#interval !== undefined) {
      this.#outlet.timers.clear(this.#interval);
      this.#interval = undefined;
    }
    if (this.#mode === 'flood' && this.#streams.size > 0 && !this.#pumpScheduled) {
      this.#pumpScheduled = true;
      this.#outlet.timers.setImmediate(() => this.#pump());
    }
  }

  #pump(): void {
    this.#pumpScheduled = false;
    if (this.#mode !== 'flood' || this.#streams.size === 0) return;
    const rounds = Math.max(
      1,
      Math.min(FLOOD_ROUNDS_PER_TURN, Math.floor(FLOOD_MESSAGES_PER_TURN / this.#streams.size)),
    );
    for (let round = 0; round < rounds; round++) {
      if (this.#outlet.bufferedAmount >= FLOOD_HIGH_WATER_BYTES) {
        this.#pumpScheduled = true;
        this.#outlet.whenDrained(() => this.#pump());
        return;
      }
      if (this.#tick(Date.now()) === 0) {
        // Nothing could be sent (a lingering socket, every stream expired): do not spin, look again later.
        if (this.#streams.size === 0) return;
        this.#pumpScheduled = true;
        this.#outlet.timers.setTimeout(() => this.#pump(), this.#outlet.options.marketDataIntervalMs);
        return;
      }
    }
    this.#pumpScheduled = true;
    this.#outlet.timers.setImmediate(() => this.#pump());
  }

  /** One snapshot round: expired streams end silently (§4.2: the termination signal is undocumented). */
  #tick(now: number): number {
    let sent = 0;
    for (const [key, stream] of this.#streams) {
      if (stream.expiresAt <= now) {
        this.#streams.delete(key);
        continue;
      }
      const message = nextMessage(stream, now);
      if (message !== undefined && this.#outlet.send(message)) sent += 1;
    }
    if (this.#streams.size === 0) this.#schedule();
    return sent;
  }
}

/** The first message carries every modelled field plus `conidEx` and 6509; later ones only what changed, 6509 again when the market state changed (§4.2). */
function nextMessage(stream: Stream, now: number): Record<string, unknown> | undefined {
  stream.quote.step();
  const message: Record<string, unknown> = {
    server_id: stream.serverId,
    conid: stream.conid,
    _updated: now,
    '6119': stream.serverId,
  };
  let changed = 0;
  for (const field of stream.fields) {
    const value = stream.quote.field(field);
    if (value === undefined || stream.sent.get(field) === value) continue;
    message[field] = value;
    stream.sent.set(field, value);
    changed += 1;
  }
  const state = stream.quote.marketState;
  if (state !== stream.sentState) {
    stream.sentState = state;
    const availability = stream.quote.field('6509') as string;
    message['6509'] = availability;
    stream.sent.set('6509', availability);
    changed += 1;
  }
  if (!stream.firstSent) {
    stream.firstSent = true;
    message['conidEx'] = stream.conidEx;
  } else if (changed === 0) {
    return undefined;
  }
  message['topic'] = stream.topic;
  return message;
}
