/**
 * The public facade: wires the connection statechart to its adapters (ws socket, undici HTTP), the subscription
 * layer, metrics, events and logging. Everything here is glue; the lifecycle itself is machines/connection.machine.ts.
 */
import { createActor, fromPromise, type Actor, type InspectionEvent } from 'xstate';
import { DEFAULT_TIMING, connectionMachine, lifecycleStateOf, type ConnectionTiming, type LifecycleState } from '../machines/index.js';
import { CLIENT_DEFAULTS, OAUTH_DEFAULTS } from './defaults.js';
import { IbkrWsError } from './errors.js';
import { TypedEvents } from './events.js';
import { Metrics, type MetricsSnapshot } from './metrics.js';
import { createRedactingLogger, type Logger, type RedactingLogger } from './logger.js';
import { createRedactor } from './redaction.js';
import { DEFAULT_MAX_FRAME_BYTES } from './protocol/limits.js';
import type { ServerMessage } from './protocol/types.js';
import type { SessionCheck } from './protocol/session.js';
import { fanOutDiagnostics, type ConnectionDiagnostics } from './diagnostics.js';
import { GatewaySession } from './adapters/gateway-session.js';
import { HttpTransport } from './adapters/http-transport.js';
import { createSocketActor, type LiveSocket } from './adapters/socket-actor.js';
import { resolveTls, type TlsOptions } from './adapters/tls.js';
import { OAuthWiring } from './adapters/oauth-wiring.js';
import type { OAuthOptions } from './oauth/index.js';
import { SUBSCRIPTION_DEFAULTS, SubscriptionHub, type SubscriptionOptions, type SubscriptionStatus } from './subscriptions/index.js';

export interface IbkrWsOptions {
  /** Base URL of the Client Portal Gateway. Default `https://localhost:5000` (`https://api.ibkr.com` with `oauth`). */
  readonly gateway?: string | URL;
  /** Connect straight to IBKR's Web API with first-party OAuth 1.0a instead of a local gateway (docs/OAUTH.md). */
  readonly oauth?: OAuthOptions;
  /** Certificate pinning (`ca`) or the explicit `insecure` opt-in. */
  readonly tls?: TlsOptions;
  /** Statechart timings in milliseconds; see docs/CONFIGURATION.md. */
  readonly timing?: Partial<ConnectionTiming>;
  /** Give up (state `failed`) after this many consecutive reconnect attempts. Default: never. */
  readonly maxAttempts?: number;
  readonly autoReauthenticate?: boolean;
  /** console, pino, or anything with debug/info/warn/error. Secrets are redacted before it sees anything. */
  readonly logger?: Logger;
  readonly userAgent?: string;
  readonly cookieFormat?: 'plain' | 'json';
  readonly requestTimeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly maxFrameBytes?: number;
  readonly maxPayloadBytes?: number;
  readonly closeTimeoutMs?: number;
  readonly activityThrottleMs?: number;
  readonly subscriptions?: SubscriptionOptions;
  /** Backoff jitter source; tests inject a deterministic one. */
  readonly random?: () => number;
  /**
   * Taps on the adapters (REST calls, socket opening and closing, frames): the flight recorder and telemetry are built
   * on it. Never given a secret. See src/diagnostics.ts.
   */
  readonly diagnostics?: ConnectionDiagnostics | readonly ConnectionDiagnostics[];
  /** XState inspection hook (e.g. `@statelyai/inspect`'s `inspector.inspect`); events are redacted by construction. */
  readonly inspect?: (event: InspectionEvent) => void;
}

export interface StateChange {
  readonly state: LifecycleState;
  readonly previous: LifecycleState;
  readonly at: number;
  /** Why the previous state was left, when the statechart recorded one (e.g. `probe-timeout`). */
  readonly reason?: string;
}

export interface IbkrWsEvents extends Record<string, unknown> {
  state: StateChange;
  authenticated: { readonly socketId: number; readonly at: number };
  lingering: { readonly at: number };
  'false-alarm': { readonly at: number };
  reconnect: { readonly attempt: number; readonly delayMs: number; readonly reason: string; readonly at: number };
  'login-required': { readonly reason: string; readonly competing: boolean; readonly at: number };
  'session-rotated': { readonly at: number };
  failed: { readonly attempts: number; readonly at: number };
  /** OAuth: a live session token was obtained or renewed (the token itself is never handed out). */
  token: { readonly expiresAtMs?: number; readonly renewInMs: number; readonly at: number };
  /** A wire subscription changed status (`pending`, `active`, `failed`, `expired`, `closed`). */
  subscription: { readonly key: string; readonly status: SubscriptionStatus; readonly reason?: string; readonly at: number };
  /** Data on this subscription may be missing (the socket was replaced); every stream also yields a gap marker. */
  gap: { readonly key: string; readonly reason: string; readonly at: number };
  error: IbkrWsError;
}

export type IbkrWs = ReturnType<typeof createIbkrWs>;

export function createIbkrWs(options: IbkrWsOptions = {}) {
  const gateway = new URL(String(options.gateway ?? (options.oauth ? OAUTH_DEFAULTS.gateway : CLIENT_DEFAULTS.gateway)));
  if (gateway.protocol !== 'https:' && gateway.protocol !== 'http:') {
    throw new IbkrWsError('invalid-option', `gateway must be an http(s) URL, got ${gateway.protocol}`);
  }
  const userAgent = options.userAgent ?? CLIENT_DEFAULTS.userAgent;
  // IBKR's edge answers 403 to a request without one, and ws sends none by itself.
  if (typeof userAgent !== 'string' || userAgent.trim() === '') throw new IbkrWsError('invalid-option', 'userAgent must be a non-empty string');
  if (options.oauth && options.cookieFormat === 'json') throw new IbkrWsError('invalid-option', 'cookieFormat must be plain with oauth (Cookie: api=<session>)');
  const tls = resolveTls(gateway, options.tls);
  const oauth =
    options.oauth === undefined
      ? undefined
      : new OAuthWiring({
          oauth: options.oauth,
          gateway,
          refusedRetryMs: options.timing?.authorizationRetryMs ?? DEFAULT_TIMING.authorizationRetryMs,
          onError: (error) => {
            if (stopping === undefined) reportError(error);
          },
          onToken: ({ expiresAtMs, renewInMs }) => events.emit('token', { ...(expiresAtMs === undefined ? {} : { expiresAtMs }), renewInMs, at: Date.now() }),
        });
  const plainWsUrl = new URL(CLIENT_DEFAULTS.socketPath, gateway);
  plainWsUrl.protocol = gateway.protocol === 'https:' ? 'wss:' : 'ws:';
  const wsUrl = oauth ? oauth.socketUrl(plainWsUrl) : plainWsUrl;

  const metrics = new Metrics();
  const knownSecrets: string[] = [];
  // The OAuth access token is redacted wherever it might appear (the socket URL carries it).
  const redactedValues = (): readonly string[] => (oauth ? [...knownSecrets, ...oauth.secrets()] : knownSecrets);
  const logger: RedactingLogger = createRedactingLogger(options.logger, redactedValues);
  const events = new TypedEvents<IbkrWsEvents>((error) =>
    reportError(new IbkrWsError('invalid-option', `an event listener threw: ${(error as Error)?.message ?? String(error)}`)),
  );

  function reportError(error: IbkrWsError): void {
    metrics.countError(error.code);
    logger.log('warn', error.message, { code: error.code });
    events.emit('error', error);
    if (error.code === 'tls-certificate') fatal ??= error;
  }

  const diagnostics = fanOutDiagnostics(
    options.diagnostics === undefined ? [] : Array.isArray(options.diagnostics) ? options.diagnostics : [options.diagnostics as ConnectionDiagnostics],
    (error) => reportError(new IbkrWsError('invalid-option', `a diagnostics tap threw: ${(error as Error)?.message ?? String(error)}`)),
  );

  const http = new HttpTransport({
    gateway,
    tls,
    requestTimeoutMs: options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? CLIENT_DEFAULTS.maxResponseBytes,
    userAgent,
    ...(diagnostics === undefined ? {} : { diagnostics }),
    ...(oauth ? { signer: oauth.session.signer } : {}),
  });
  oauth?.session.attach(http);
  // `hub` and `stopping` are declared below; the session reads them only when a check runs, after construction. A
  // request cut by stop() (it destroys the HTTP agent) fails as a consequence of stopping, not of the gateway.
  const gatewaySession = new GatewaySession(http, {
    onError: (error) => {
      if (stopping === undefined) reportError(error);
    },
    wantsOrders: () => hub.wants('sor'),
    ...(oauth ? { reauthenticate: async () => void (await oauth.session.openBrokerageSession()) } : {}),
  });

  let liveSocket: LiveSocket | undefined;
  const teardowns = new Set<Promise<void>>();
  let fatal: IbkrWsError | undefined;

  // The socket of an authenticated phase (set by the statechart's notifyAuthenticated, cleared when the phase ends):
  // subscriptions go out only on it, never before the gateway's greeting.
  let readySocketId: number | undefined;
  // A paused socket reads no heartbeats: a backpressure pause must end well before the liveness watch would fire.
  const heartbeatTimeoutMs = options.timing?.heartbeatTimeoutMs ?? DEFAULT_TIMING.heartbeatTimeoutMs;
  const subscriptionOptions: SubscriptionOptions = {
    maxPauseMs: Math.max(1, Math.min(SUBSCRIPTION_DEFAULTS.maxPauseMs, Math.floor(heartbeatTimeoutMs / 2))),
    ...options.subscriptions,
  };
  const hub = new SubscriptionHub({
    options: subscriptionOptions,
    send: (commands) => {
      if (liveSocket === undefined || readySocketId !== liveSocket.socketId) return false;
      liveSocket.send(commands);
      return true;
    },
    pauseReading: (paused) => (paused ? liveSocket?.pause() : liveSocket?.resume()),
    countDrop: (reason, count) => metrics.countDrop(reason, count),
    reportError,
    onStatus: (change) => events.emit('subscription', { ...change, at: Date.now() }),
    onGap: (gap) => events.emit('gap', { ...gap, at: Date.now() }),
  });

  const socketActor = createSocketActor({
    wsUrl,
    tls,
    userAgent,
    cookieFormat: options.cookieFormat ?? CLIENT_DEFAULTS.cookieFormat,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    maxPayloadBytes: options.maxPayloadBytes ?? CLIENT_DEFAULTS.maxPayloadBytes,
    closeTimeoutMs: options.closeTimeoutMs ?? CLIENT_DEFAULTS.closeTimeoutMs,
    activityThrottleMs: options.activityThrottleMs ?? CLIENT_DEFAULTS.activityThrottleMs,
    ...(diagnostics === undefined ? {} : { diagnostics }),
    observer: {
      onData(message: ServerMessage) {
        metrics.dataMessages++;
        if (message.kind === 'error') {
          metrics.errorFrames++;
          logger.log('warn', 'the gateway sent an error frame', { code: message.code, topic: message.topic });
        }
        hub.onMessage(message);
      },
      onProtocolError(error) {
        metrics.countProtocolError(error.code);
        const reported = new IbkrWsError(error.code, error.message);
        logger.log('warn', `undecodable frame dropped: ${error.message}`, { code: error.code });
        events.emit('error', reported);
      },
      onFrameIn(byteLength) {
        metrics.framesIn++;
        metrics.bytesIn += byteLength;
      },
      onFrameOut(byteLength) {
        metrics.framesOut++;
        metrics.bytesOut += byteLength;
      },
      onSocketChange(socket) {
        liveSocket = socket;
      },
      onTransportError: reportError,
      onTeardown(closed) {
        teardowns.add(closed);
        void closed.then(() => teardowns.delete(closed));
      },
    },
  });

  const machine = connectionMachine.provide({
    actors: {
      checkSession: fromPromise<SessionCheck, { purpose: 'connect' | 'login-poll' | 'keep-alive'; reauthenticate: boolean }>(
        async ({ input }) => {
          const result = oauth ? await oauth.check(gatewaySession, input) : await gatewaySession.check(input);
          if (result.kind === 'authenticated') rememberSecret(result.session.reveal());
          return result;
        },
      ),
      socket: socketActor,
      ...(oauth ? { authorize: fromPromise(({ input }: { input: { reason: string } }) => oauth.authorize(input)) } : {}),
    },
    actions: {
      notifyAuthenticated: ({ context }) => {
        readySocketId = context.socketId;
        if (hub.wants('sor')) preflightOrders();
        hub.onReady(context.socketId);
      },
      refreshMarketData: () => hub.refreshMarketData(),
    },
  });

  /**
   * `sor` waits for `/iserver/account/orders` once per session value (PROTOCOL.md §6). A connect check already made
   * the query when orders were wanted then; this covers orders opened later, and a session value that changed.
   */
  function preflightOrders(): void {
    if (gatewaySession.ordersPreflighted) return;
    hub.hold('sor');
    void gatewaySession.preflightOrders().finally(() => hub.release('sor'));
  }

  function rememberSecret(value: string): void {
    if (!knownSecrets.includes(value)) knownSecrets.push(value);
    // Keep the last few: a rotated value may still appear in a late log line.
    if (knownSecrets.length > 4) knownSecrets.shift();
  }

  const actor: Actor<typeof machine> = createActor(machine, {
    input: {
      ...(options.timing === undefined ? {} : { timing: options.timing }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      autoReauthenticate: options.autoReauthenticate ?? CLIENT_DEFAULTS.autoReauthenticate,
      random: options.random ?? Math.random,
      oauth: oauth !== undefined,
    },
    ...(options.inspect === undefined ? {} : { inspect: redactedInspection(options.inspect, redactedValues) }),
  });
  oauth?.onExpiring(() => actor.send({ type: 'AUTHORIZATION.EXPIRING' }));

  let previousState: LifecycleState = 'idle';
  actor.subscribe({
    next(snapshot) {
      const state = lifecycleStateOf(snapshot);
      if (state === previousState) return;
      const at = Date.now();
      const change: StateChange = {
        state,
        previous: previousState,
        at,
        ...(snapshot.context.lastReason === undefined ? {} : { reason: snapshot.context.lastReason }),
      };
      const wasReady = previousState === 'authenticated' || previousState === 'lingering-detected';
      previousState = state;
      metrics.enterState(state, at);
      logger.log('info', `state ${change.previous} → ${state}`, { state, previous: change.previous, reason: change.reason });
      if (wasReady && state !== 'authenticated' && state !== 'lingering-detected') {
        readySocketId = undefined;
        hub.onNotReady(change.reason ?? state);
      }
      events.emit('state', change);
    },
    error(error) {
      reportError(new IbkrWsError('failed', `the connection statechart crashed: ${(error as Error)?.message ?? String(error)}`));
    },
  });

  actor.on('authenticated', (event) => {
    metrics.authentications++;
    events.emit('authenticated', { socketId: event.socketId, at: Date.now() });
  });
  actor.on('lingering', () => {
    metrics.lingeringDetections++;
    events.emit('lingering', { at: Date.now() });
  });
  actor.on('false-alarm', () => {
    metrics.lingeringFalseAlarms++;
    events.emit('false-alarm', { at: Date.now() });
  });
  actor.on('reconnect', (event) => {
    metrics.reconnects++;
    events.emit('reconnect', { attempt: event.attempt, delayMs: event.delayMs, reason: event.reason, at: Date.now() });
  });
  actor.on('login-required', (event) => {
    metrics.loginRequired++;
    events.emit('login-required', { reason: event.reason, competing: event.competing, at: Date.now() });
  });
  actor.on('session-rotated', () => {
    metrics.sessionRotations++;
    events.emit('session-rotated', { at: Date.now() });
  });
  actor.on('failed', (event) => events.emit('failed', { attempts: event.attempts, at: Date.now() }));

  let started = false;
  let stopping: Promise<void> | undefined;

  /** Resolves once authenticated; rejects if the client fails, is stopped first, or cannot ever succeed (TLS). */
  function start(): Promise<void> {
    if (stopping) return Promise.reject(new IbkrWsError('stopped', 'the client was stopped; create a new one'));
    if (!started) {
      started = true;
      actor.start();
      actor.send({ type: 'START' });
    }
    return whenAuthenticated();
  }

  function whenAuthenticated(): Promise<void> {
    if (metrics.state === 'authenticated') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const offs: Array<() => void> = [];
      const done = (error?: IbkrWsError): void => {
        for (const off of offs) off();
        if (error) reject(error);
        else resolve();
      };
      offs.push(
        events.on('state', ({ state }) => {
          if (state === 'authenticated') done();
          else if (state === 'failed') done(new IbkrWsError('failed', 'gave up reconnecting (maxAttempts reached)'));
          else if (state === 'stopped') done(new IbkrWsError('stopped', 'stopped before the socket was authenticated'));
        }),
        events.on('error', (error) => {
          if (error.code === 'tls-certificate' || error.code === 'insecure-remote') {
            done(error);
            void stop();
          }
        }),
      );
    });
  }

  /** Stops everything: socket closed 1000, timers gone, streams ended, HTTP agent closed. Idempotent. */
  function stop(): Promise<void> {
    stopping ??= (async () => {
      // A never-started client still ends in `stopped`, so every consumer sees the same final state.
      if (!started) {
        started = true;
        actor.start();
      }
      // STOP may arrive while the actor is still processing (e.g. from inside a `state` listener): it is queued, not
      // lost, so wait for the final state instead of stopping the actor under it (which would drop the queued STOP).
      actor.send({ type: 'STOP' });
      if (actor.getSnapshot().status === 'active') {
        await new Promise<void>((resolve) => {
          const subscription = actor.subscribe({ complete: resolve, error: () => resolve() });
          if (actor.getSnapshot().status !== 'active') {
            subscription.unsubscribe();
            resolve();
          }
        });
      }
      oauth?.stop();
      hub.stop();
      await Promise.all([...teardowns]);
      await http.close();
    })();
    return stopping;
  }

  const facade = hub.facade();
  return {
    start,
    stop,
    /** Send RETRY after `failed`. */
    retry: () => actor.send({ type: 'RETRY' }),
    on: events.on.bind(events),
    metrics: (): MetricsSnapshot => metrics.snapshot(Date.now()),
    get state(): LifecycleState {
      return metrics.state;
    },
    /** The XState actor, for embedding and inspection. */
    actor,
    ...facade,
    orders(...args: Parameters<typeof facade.orders>) {
      // Held until the day's orders were queried on this session, if they were not yet (PROTOCOL.md §6).
      if (readySocketId !== undefined) preflightOrders();
      return facade.orders(...args);
    },
    get fatalError(): IbkrWsError | undefined {
      return fatal;
    },
  };
}

/**
 * Inspection events keep their actor references (inspectors need them) but every event payload they carry is
 * redacted: the context already holds the session only as a `Secret`, and this catches anything a frame might quote.
 */
function redactedInspection(inspect: (event: InspectionEvent) => void, knownSecrets: () => readonly string[]): (event: InspectionEvent) => void {
  const redact = createRedactor(knownSecrets);
  return (event) => inspect(event.type === '@xstate.event' ? ({ ...event, event: redact(event.event) } as InspectionEvent) : event);
}
