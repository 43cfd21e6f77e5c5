/**
 * The client's options: what a caller may pass (`IbkrWsOptions`), and the one resolver that fills every default from
 * its single source and validates everything once, at construction. A nonsensical value throws
 * `IbkrWsError('invalid-option')` naming the option the caller passed (`error.option`, e.g. `timing.backoffInitialMs`)
 * and the value, before any timer, socket or request exists. Nothing downstream validates options again.
 *
 * Where each default lives: statechart timings in machines/connection.defaults.ts, client-level ones in defaults.ts,
 * the frame limit in protocol/limits.ts, subscription ones in subscriptions/defaults.ts.
 */
import type { InspectionEvent } from 'xstate';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMING, maxReadingPauseMs, type ConnectionTiming } from '../machines/index.js';
import { resolveTls, type ResolvedTls, type TlsOptions } from './adapters/tls.js';
import { CLIENT_DEFAULTS, OAUTH_DEFAULTS } from './defaults.js';
import { OAuthCredentials, type OAuthOptions } from './oauth/index.js';
import type { ConnectionDiagnostics } from './diagnostics.js';
import { IbkrWsError } from './errors.js';
import { resolveRecordOption, type RecordOption } from './recorder/client-option.js';
import type { Logger } from './logger.js';
import type { TelemetryOptions } from './observability/index.js';
import { DEFAULT_MAX_FRAME_BYTES } from './protocol/limits.js';
import { SUBSCRIPTION_DEFAULTS, type SubscriptionOptions } from './subscriptions/index.js';
import { resolveSubscriptionOptions, type ResolvedSubscriptionOptions } from './subscriptions/defaults.js';

export interface IbkrWsOptions {
  /** Base URL of the Client Portal Gateway. Default `https://localhost:5000` (`https://api.ibkr.com` with `oauth`). */
  readonly gateway?: string | URL;
  /** Connect straight to IBKR's Web API with first-party OAuth 1.0a instead of a local gateway (docs/OAUTH.md). */
  readonly oauth?: OAuthOptions;
  /** Certificate pinning (`ca`) or the explicit `insecure` opt-in. */
  readonly tls?: TlsOptions;
  /** Statechart timings in milliseconds (positive integers); see docs/CONFIGURATION.md. */
  readonly timing?: Partial<ConnectionTiming>;
  /** Give up (state `failed`) after this many consecutive reconnect attempts. Default: never. */
  readonly maxAttempts?: number;
  /** In `login-required`, ask the gateway to reclaim the brokerage session (never while a competing session holds it). */
  readonly autoReauthenticate?: boolean;
  /** Learn the liveness threshold from the gateway's heartbeats (default); false: a fixed `timing.heartbeatTimeoutMs`. */
  readonly learnCadence?: boolean;
  /** console, pino, or anything with debug/info/warn/error. Secrets are redacted before it sees anything. */
  readonly logger?: Logger;
  /** The `User-Agent` of every REST request and of the socket upgrade. */
  readonly userAgent?: string;
  /** How the session travels in the socket's cookie: `api=<session>` (plain) or `api={"session":…}` (json). */
  readonly cookieFormat?: 'plain' | 'json';
  /** How long one REST request may take. */
  readonly requestTimeoutMs?: number;
  /** The largest REST body read. */
  readonly maxResponseBytes?: number;
  /** Frames larger than this are refused by the codec (counted; the stream goes on). */
  readonly maxFrameBytes?: number;
  /** Frames larger than this close the socket (1009): a hard ceiling above `maxFrameBytes`. */
  readonly maxPayloadBytes?: number;
  /** How long a close handshake may take before the socket is destroyed. */
  readonly closeTimeoutMs?: number;
  /** Data frames tell the liveness watch "still alive" at most this often. */
  readonly activityThrottleMs?: number;
  readonly subscriptions?: SubscriptionOptions;
  /** Backoff jitter source in [0, 1); tests inject a deterministic one. */
  readonly random?: () => number;
  /**
   * Taps on the adapters (REST calls, socket opening and closing, frames): the flight recorder and telemetry are built
   * on it. Never given a secret. See src/diagnostics.ts.
   */
  readonly diagnostics?: ConnectionDiagnostics | readonly ConnectionDiagnostics[];
  /**
   * The flight recorder: `{ file, payloads, maxEvents, maxAgeMs, maxBytes, flushIntervalMs }`, or a FlightRecorder you
   * keep (to dump it yourself). A bounded, redacted record written continuously, on `failed` and on stop().
   * See docs/SIMULATOR.md ("The flight record").
   */
  readonly record?: RecordOption;
  /** XState inspection hook (e.g. `@statelyai/inspect`'s `inspector.inspect`); events are redacted by construction. */
  readonly inspect?: (event: InspectionEvent) => void;
  /** OpenTelemetry providers (default: the global ones); `false` turns metrics and traces off. docs/OBSERVABILITY.md. */
  readonly telemetry?: TelemetryOptions | false;
}

/** Every option with its value decided: what the client is assembled from. */
export interface ResolvedOptions {
  readonly gateway: URL;
  /** The direct OAuth path's key material, parsed and checked (the secret decrypted); undefined in gateway mode. */
  readonly oauth: OAuthCredentials | undefined;
  /** The gateway's socket URL (`wss://…/v1/api/ws`, or `ws:` for a plain-HTTP gateway). */
  readonly wsUrl: URL;
  readonly tls: ResolvedTls;
  readonly timing: ConnectionTiming;
  readonly maxAttempts: number;
  readonly autoReauthenticate: boolean;
  readonly learnCadence: boolean;
  readonly logger: Logger | undefined;
  readonly userAgent: string;
  readonly cookieFormat: 'plain' | 'json';
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly maxFrameBytes: number;
  readonly maxPayloadBytes: number;
  readonly closeTimeoutMs: number;
  readonly activityThrottleMs: number;
  readonly subscriptions: ResolvedSubscriptionOptions;
  readonly random: () => number;
  readonly diagnostics: readonly ConnectionDiagnostics[];
  readonly record: RecordOption | undefined;
  readonly inspect: ((event: InspectionEvent) => void) | undefined;
  /** `undefined`: the global providers. */
  readonly telemetry: TelemetryOptions | false | undefined;
}

/** Node clamps a timer past 2^31 − 1 ms to 1 ms: a "long" timeout would fire at once, so it is refused here. */
const MAX_TIMER_MS = 2_147_483_647;

export function resolveOptions(options: IbkrWsOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options', options, 'must be an object');
  // Parsed first: with it the gateway defaults to api.ibkr.com. Its errors name the field, never the value.
  const oauth = options.oauth === undefined ? undefined : new OAuthCredentials(options.oauth);
  const gateway = resolveGateway(
    options.gateway,
    oauth === undefined ? CLIENT_DEFAULTS.gateway : OAUTH_DEFAULTS.gateway,
  );
  const wsUrl = new URL(CLIENT_DEFAULTS.socketPath, gateway);
  wsUrl.protocol = gateway.protocol === 'https:' ? 'wss:' : 'ws:';
  const timing = resolveTiming(options.timing);
  const cookieFormat = resolveCookieFormat(options.cookieFormat);
  if (oauth !== undefined && cookieFormat !== 'plain')
    throw invalid('cookieFormat', cookieFormat, "must be 'plain' with oauth (Cookie: api=<session>)");
  return {
    gateway,
    oauth,
    wsUrl,
    tls: resolveTls(gateway, optionalObject('tls', options.tls)),
    timing,
    maxAttempts: resolveMaxAttempts(options.maxAttempts),
    autoReauthenticate:
      optionalBoolean('autoReauthenticate', options.autoReauthenticate) ?? CLIENT_DEFAULTS.autoReauthenticate,
    learnCadence: optionalBoolean('learnCadence', options.learnCadence) ?? CLIENT_DEFAULTS.learnCadence,
    logger: optionalObject('logger', options.logger),
    userAgent: resolveUserAgent(options.userAgent),
    cookieFormat,
    requestTimeoutMs: positiveInteger(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      CLIENT_DEFAULTS.requestTimeoutMs,
      MAX_TIMER_MS,
    ),
    maxResponseBytes: positiveInteger('maxResponseBytes', options.maxResponseBytes, CLIENT_DEFAULTS.maxResponseBytes),
    maxFrameBytes: positiveInteger('maxFrameBytes', options.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES),
    maxPayloadBytes: positiveInteger('maxPayloadBytes', options.maxPayloadBytes, CLIENT_DEFAULTS.maxPayloadBytes),
    closeTimeoutMs: positiveInteger(
      'closeTimeoutMs',
      options.closeTimeoutMs,
      CLIENT_DEFAULTS.closeTimeoutMs,
      MAX_TIMER_MS,
    ),
    activityThrottleMs: nonNegativeInteger(
      'activityThrottleMs',
      options.activityThrottleMs,
      CLIENT_DEFAULTS.activityThrottleMs,
    ),
    subscriptions: resolveSubscriptions(options.subscriptions, timing),
    random: optionalFunction('random', options.random) ?? Math.random,
    diagnostics: resolveDiagnostics(options.diagnostics),
    record: resolveRecordOption(options.record),
    inspect: optionalFunction('inspect', options.inspect),
    telemetry: resolveTelemetry(options.telemetry),
  };
}

function resolveGateway(value: IbkrWsOptions['gateway'], fallback: string): URL {
  if (value === undefined) return new URL(fallback);
  let url: URL | undefined;
  try {
    url = typeof value === 'string' || value instanceof URL ? new URL(String(value)) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw invalid('gateway', value, 'expects an http(s) URL such as https://localhost:5000');
  }
  return url;
}

/**
 * Every timing is a positive integer of milliseconds a timer can hold. Unknown names are refused: a misspelt timing
 * would otherwise be ignored silently and the default used.
 */
function resolveTiming(value: IbkrWsOptions['timing']): ConnectionTiming {
  const given = optionalObject('timing', value) ?? {};
  const timing: Record<string, number> = { ...DEFAULT_TIMING };
  for (const [name, setting] of Object.entries(given)) {
    if (!(name in DEFAULT_TIMING)) {
      throw new IbkrWsError(
        'invalid-option',
        `timing.${name} is not a timing (known: ${Object.keys(DEFAULT_TIMING).join(', ')})`,
        { option: `timing.${name}` },
      );
    }
    if (setting !== undefined) timing[name] = positiveInteger(`timing.${name}`, setting, 0, MAX_TIMER_MS);
  }
  if (timing['backoffInitialMs']! > timing['backoffMaxMs']!) {
    throw new IbkrWsError(
      'invalid-option',
      `timing.backoffInitialMs must not exceed timing.backoffMaxMs, got ${timing['backoffInitialMs']} > ${timing['backoffMaxMs']}`,
      { option: 'backoffInitialMs' in given ? 'timing.backoffInitialMs' : 'timing.backoffMaxMs' },
    );
  }
  return timing as unknown as ConnectionTiming;
}

/** A count of attempts, or `Infinity` (the default: never give up). */
function resolveMaxAttempts(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_ATTEMPTS;
  if (value === Number.POSITIVE_INFINITY) return value;
  return nonNegativeInteger('maxAttempts', value, 0);
}

function resolveUserAgent(value: unknown): string {
  if (value === undefined) return CLIENT_DEFAULTS.userAgent;
  // A header value: printable ASCII, so it can never split the request (CR/LF) or be refused by the HTTP stack later.
  if (typeof value !== 'string' || !/^[\x20-\x7e]+$/.test(value))
    throw invalid('userAgent', value, 'must be a non-empty string of printable ASCII');
  return value;
}

function resolveCookieFormat(value: unknown): 'plain' | 'json' {
  if (value === undefined) return CLIENT_DEFAULTS.cookieFormat;
  if (value !== 'plain' && value !== 'json') throw invalid('cookieFormat', value, "must be 'plain' or 'json'");
  return value;
}

/**
 * A paused socket reads no heartbeats: unless the caller says otherwise, a backpressure pause ends well before the
 * liveness watch would fire (half its timeout, at most the subscription layer's own default).
 */
function resolveSubscriptions(
  value: SubscriptionOptions | undefined,
  timing: ConnectionTiming,
): ResolvedSubscriptionOptions {
  const given = optionalObject('subscriptions', value) ?? {};
  // A paused socket reads nothing, not even a probe's answer: a backpressure pause must end before a probe times out.
  const maxPauseMs = maxReadingPauseMs(timing, SUBSCRIPTION_DEFAULTS.maxPauseMs);
  return resolveSubscriptionOptions({ maxPauseMs, ...given });
}

function resolveDiagnostics(value: IbkrWsOptions['diagnostics']): readonly ConnectionDiagnostics[] {
  if (value === undefined) return [];
  const taps = Array.isArray(value) ? (value as readonly ConnectionDiagnostics[]) : [value as ConnectionDiagnostics];
  taps.forEach((tap, index) => {
    if (typeof tap !== 'object' || tap === null)
      throw invalid(
        Array.isArray(value) ? `diagnostics[${index}]` : 'diagnostics',
        tap,
        'must be an object of tap functions',
      );
  });
  return taps;
}

/** A wrong provider would otherwise fail at the first state change, far from its cause. */
function resolveTelemetry(value: IbkrWsOptions['telemetry']): TelemetryOptions | false | undefined {
  if (value === undefined || value === false) return value;
  if (typeof value !== 'object' || value === null)
    throw invalid('telemetry', value, 'must be an object of providers or false');
  if (value.meterProvider !== undefined && typeof value.meterProvider?.getMeter !== 'function') {
    throw invalid(
      'telemetry.meterProvider',
      value.meterProvider,
      'must be an OpenTelemetry MeterProvider (with getMeter)',
    );
  }
  if (value.tracerProvider !== undefined && typeof value.tracerProvider?.getTracer !== 'function') {
    throw invalid(
      'telemetry.tracerProvider',
      value.tracerProvider,
      'must be an OpenTelemetry TracerProvider (with getTracer)',
    );
  }
  return value;
}

function positiveInteger(option: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw invalid(
      option,
      value,
      max === MAX_TIMER_MS
        ? `must be a positive integer of milliseconds up to ${MAX_TIMER_MS}`
        : 'must be a positive integer',
    );
  }
  return value;
}

function nonNegativeInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw invalid(option, value, 'must be a non-negative integer');
  return value;
}

function optionalBoolean(option: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw invalid(option, value, 'must be true or false');
  return value;
}

function optionalObject<T>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value)))
    throw invalid(option, value, 'must be an object');
  return value;
}

function optionalFunction<T>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw invalid(option, value, 'must be a function');
  return value;
}

function invalid(option: string, value: unknown, requirement: string): IbkrWsError {
  return new IbkrWsError('invalid-option', `${option} ${requirement}, got ${describe(value)}`, { option });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value instanceof URL) return JSON.stringify(value.href);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
