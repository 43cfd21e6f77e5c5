/** Every default of the bridge, with its reason (one source of truth; docs/BRIDGE.md quotes them). */
export const BRIDGE_DEFAULTS = {
  prefix: 'main',
  /** The default lease and the longest a consumer may ask for: consumers renew every lease/3. */
  leaseMs: 30_000,
  /** Shorter leases than this would make renewals a flood. */
  minLeaseMs: 100,
  /** How often leases are checked (2.9 has no per-key TTL: the bridge sweeps itself). */
  sweepIntervalMs: 250,
  /** Orders and trades kept while NATS is down; more is a marked gap (`outbox-overflow`). */
  outboxSize: 10_000,
  /** Retry pause for a failed JetStream publish while the link is up. */
  outboxRetryMs: 250,
  /** nats.js defaults give up after ~20 s: the bridge reconnects forever, quickly, with a little jitter. */
  natsReconnectWaitMs: 250,
  natsReconnectJitterMs: 100,
  /** A dead server is noticed within ~2 pings even when TCP does not say so. */
  natsPingIntervalMs: 5_000,
  natsApiTimeoutMs: 5_000,
  /**
   * Asserting streams after a reconnect asks the JetStream API, which does not answer while a cluster elects a new
   * leader: short tries, retried, bring the bridge back as soon as one answers (5 s tries cost a cluster failover ~10 s).
   */
  assertTimeoutMs: 1_500,
  assertRetryMs: 250,
  /** Dead conids age out of the last-value stream. */
  lastValueMaxAgeMs: 24 * 3_600_000,
  eventsMaxAgeMs: 7 * 24 * 3_600_000,
  /** Retries of a JetStream publish with the same Nats-Msg-Id inside this window are stored once. */
  duplicateWindowMs: 120_000,
  replicas: 1,
} as const;
