/**
 * The demo's fault schedule: what is injected into the simulator and when, how the client is expected to notice it
 * and what counts as healed. One cycle fits in 20 s (`npm start -- --for 20` sees every fault recover); without
 * `--for` the cycle repeats until Ctrl-C.
 */
import type { GatewaySimulator } from '../../simulator/index.js';

/** How a fault shows up in the client's events. */
export type DetectionRule =
  /** The liveness watch fired: the socket went silent (`lingering` event). */
  | 'lingering'
  /** The client left `authenticated` (a close, a lost session). */
  | 'leaves-authenticated'
  /** A frame was dropped as undecodable (an `error` event with a protocol code). */
  | 'protocol-error';

export interface DemoFault {
  /** Short name used in every line about it. */
  readonly name: string;
  /** Offset in the cycle, ms. */
  readonly at: number;
  /** What the simulator does, for people. */
  readonly what: string;
  readonly inject: (simulator: GatewaySimulator) => void;
  readonly detection: DetectionRule;
  /** A second step after the injection (a person logging in again). Recovery is timed from it too. */
  readonly followUp?: {
    readonly afterMs: number;
    readonly what: string;
    readonly run: (simulator: GatewaySimulator) => void;
  };
  /** `authenticated`: healed when the client is authenticated again; `unaffected`: the connection never broke. */
  readonly recovery: 'authenticated' | 'unaffected';
}

export const DEMO_CYCLE_MS = 20_000;

/** A frame that is not JSON at all: the codec must drop and count it without disturbing the stream. */
const MALFORMED_FRAME = '{"topic":"smd+265598","31":"1';

export const DEMO_FAULTS: readonly DemoFault[] = [
  {
    name: 'lingering socket',
    at: 4_000,
    what: 'the gateway goes silent with the TCP connection still open',
    inject: (simulator) => simulator.linger(),
    detection: 'lingering',
    recovery: 'authenticated',
  },
  {
    name: 'close 1000',
    at: 10_000,
    what: 'the gateway closes the socket with 1000, as when its upstream link ends',
    inject: (simulator) => simulator.closeSockets(1000),
    detection: 'leaves-authenticated',
    recovery: 'authenticated',
  },
  {
    name: 'session logout',
    at: 13_000,
    what: 'the gateway session ends (REST 401, sts authenticated:false)',
    inject: (simulator) => simulator.logout(),
    detection: 'leaves-authenticated',
    followUp: { afterMs: 1_500, what: 'a person logs in again', run: (simulator) => simulator.login() },
    recovery: 'authenticated',
  },
  {
    name: 'malformed frame',
    at: 17_000,
    what: 'the gateway sends a frame that is not JSON',
    inject: (simulator) => simulator.sendRaw(MALFORMED_FRAME),
    detection: 'protocol-error',
    recovery: 'unaffected',
  },
];

/**
 * `npm start -- --oauth`: the direct OAuth path's schedule. The token lives 6 s (DEMO_OAUTH_LST_LIFETIME_MS), so it
 * is renewed in the background every ~5 s without a socket drop; the faults add what a token cannot survive.
 */
export const DEMO_OAUTH_FAULTS: readonly DemoFault[] = [
  {
    name: 'token expiry',
    at: 4_000,
    what: 'IBKR drops every live session token: signed calls answer 401, the socket closes',
    inject: (simulator) => simulator.oauth?.expireLiveSessionToken(),
    detection: 'leaves-authenticated',
    recovery: 'authenticated',
  },
  { ...DEMO_FAULTS[1]!, at: 10_000 },
  { ...DEMO_FAULTS[0]!, at: 13_000 },
  DEMO_FAULTS[3]!,
];

/** A short-lived token, as IBKR's (24 h) would be after 20 h: the demo shows its renewal every few seconds. */
export const DEMO_OAUTH_LST_LIFETIME_MS = 6_000;
