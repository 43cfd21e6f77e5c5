/**
 * Client-level defaults, one source of truth each. Statechart timings live in machines/connection.defaults.ts; the
 * frame-size limit in src/protocol/limits.ts. docs/CONFIGURATION.md explains every one.
 */
export const CLIENT_DEFAULTS = {
  /** Where the Client Portal Gateway listens out of the box (conf.yaml `listenPort: 5000`, TLS on). */
  gateway: 'https://localhost:5000',
  /** The socket path the gateway proxies upstream (docs/PROTOCOL.md §1.1). */
  socketPath: '/v1/api/ws',
  /** What the gateway itself and IBind/IbkrConduit send upstream (docs/PROTOCOL.md §1.1); harmless for the local gateway. */
  userAgent: 'ClientPortalGW/1',
  /** `Cookie: api=<session>` as the issue and IBKR's OAuth path use; `json` for clients that need `api={"session":…}`. */
  cookieFormat: 'plain' as 'plain' | 'json',
  /** A tickle answers in milliseconds on loopback; 10 s covers a gateway busy at its daily restart. */
  requestTimeoutMs: 10_000,
  /** The largest REST body we read (the biggest documented one, /iserver/accounts, is ~3 KiB). */
  maxResponseBytes: 1024 * 1024,
  /**
   * ws closes the socket (1009) past this; frames between the codec limit and this are refused by the codec and the
   * stream goes on. 16 MiB keeps a hostile frame from killing the connection without unbounded memory.
   */
  maxPayloadBytes: 16 * 1024 * 1024,
  /** How long a close handshake may take before ws destroys the socket (ws defaults to 30 s, which would hold stop()). */
  closeTimeoutMs: 2_000,
  /** Data frames tell the liveness watch "still alive" at most this often: cheap, and ≤ 1 s early at worst. */
  activityThrottleMs: 1_000,
  /** Reclaim the brokerage session with /iserver/reauthenticate when the gateway is logged in (never when competing). */
  autoReauthenticate: true,
  /** Learn the silence threshold from the gateway's heartbeats, under `timing.heartbeatTimeoutMs` (machines/cadence.ts). */
  learnCadence: true,
} as const;

/** The direct OAuth path's defaults (docs/OAUTH.md), one source of truth each. */
export const OAUTH_DEFAULTS = {
  /** IBKR's public Web API host; publicly trusted certificate, so no `ca` is needed. */
  gateway: 'https://api.ibkr.com',
  liveSessionTokenPath: '/v1/api/oauth/live_session_token',
  brokerageSessionPath: '/v1/api/iserver/auth/ssodh/init',
  /** What every client sends: publish is required, compete takes the brokerage session over from another login. */
  brokerageSessionBody: { publish: true, compete: true },
  /** Renew after 85 % of the token's life (IBKR: 24 h): inside the 80–90 % window, hours before a real expiry. */
  renewAtFraction: 0.85,
  /** When IBKR's answer carries no usable expiration: its documented lifetime. */
  assumedLifetimeMs: 24 * 60 * 60 * 1000,
} as const;
