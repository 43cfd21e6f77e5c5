/**
 * How each topic tells us that a subscription took (docs/PROTOCOL.md §4): the gateway has no acknowledgement frame, so
 * the first data message is the acknowledgement where a topic answers at once, and nothing is for those that do not.
 */
import type { SubscribableTopic } from '../protocol/types.js';

export type AckRule =
  /** The first data message acknowledges; no data within the ack timeout → re-send, then `failed`. */
  | 'first-data'
  /**
   * The first data message acknowledges; silence within the ack timeout → `active` (assumed), never re-sent:
   * a day without executions sends nothing, and a re-sent `str` replays the day's trades (duplicates).
   */
  | 'first-data-or-quiet'
  /** No acknowledgement exists: `active` as soon as it is sent on a ready socket. */
  | 'on-send';

export const ACK_RULES: Readonly<Record<SubscribableTopic, AckRule>> = {
  /** The first delta (metadata and 6509 at least) comes within one 500 ms cadence (§4.2; IBIND confirms on it). */
  smd: 'first-data',
  /** One response per request (§4.3). */
  smh: 'first-data',
  /** Sent at once, then up to once a second (§4.6; IBIND confirms on it). */
  spl: 'first-data',
  /** The day's trades first, unless `realtimeUpdatesOnly` (§4.7) — and there may be none. */
  str: 'first-data-or-quiet',
  /** Sent at once (§4.8; IBIND confirms on it). */
  ssd: 'first-data',
  sld: 'first-data',
  /** No ack on subscribe (§4.5, LIVE-PY, IBIND). */
  sor: 'on-send',
  /** No response documented (§4.4). */
  sbd: 'on-send',
};
