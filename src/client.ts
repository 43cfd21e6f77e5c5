/**
 * The public facade. `createIbkrWs(options)` resolves the options once (options.ts) and assembles the connection
 * statechart, its adapters (ws socket, undici HTTP), the subscription hub, metrics, events and logging; the object it
 * returns adds start/stop. The lifecycle itself is machines/connection.machine.ts: readiness of the data plane is its
 * state `socket.ready`, whose entry and exit actions (provided here) hand the hub the socket and take it away.
 */
import { createActor, fromPromise, type Actor } from 'xstate';
import {
  connectionMachine,
  isDataPlaneReady,
  lifecycleStateOf,
  type ConnectionEmitted,
  type LifecycleState,
} from '../machines/index.js';
import { translateEmitted, type IbkrWsEvents, type StateChange } from './client-events.js';
import { fanOutDiagnostics } from './diagnostics.js';
import { describeThrown, IbkrWsError, isFatal } from './errors.js';
import { KnownSecrets } from './known-secrets.js';
import { TypedEvents } from './events.js';
import { createRedactingLogger, type RedactingLogger } from './logger.js';
import { Metrics, type MetricsSnapshot } from './metrics.js';
import { createClientTelemetry, type ClientTelemetry, type HealthReport } from './observability/index.js';
import { resolveOptions, type IbkrWsOptions, type ResolvedOptions } from './options.js';
import type { SessionCheck, SessionCheckInput } from './protocol/session.js';
import { redactedInspection } from './redacted-inspection.js';
import { createRecorder } from './recorder/client-option.js';
import type { FlightRecorder } from './recorder/flight-recorder.js';
import { GatewaySession } from './adapters/gateway-session.js';
import { HttpTransport } from './adapters/http-transport.js';
import { createSocketActor, type LiveSocket } from './adapters/socket-actor.js';
import { clientSocketObserver } from './client-socket-observer.js';
import { OAuthWiring } from './adapters/oauth-wiring.js';
import type { Authorization, AuthorizeInput } from './protocol/authorization.js';
import { createFacade, SubscriptionHub, type SubscriptionFacade } from './subscriptions/index.js';

export type { IbkrWsOptions } from './options.js';
export type { IbkrWsEvents, StateChange } from './client-events.js';

/** The connection statechart's actor, as `IbkrWs.actor` exposes it. */
export type ConnectionActor = Actor<typeof connectionMachine>;

/** A live, authenticated WebSocket to the Client Portal Gateway, with declarative subscriptions. */
export interface IbkrWs extends SubscriptionFacade {
  /**
   * Starts the connection (the first call) and resolves once the socket is authenticated. Rejects when the client
   * ends in `failed` (with the fatal error, e.g. `tls-certificate`, when there was one) or is stopped first.
   */
  start(): Promise<void>;
  /** Stops everything: socket closed 1000, timers gone, streams ended, HTTP agent closed. Idempotent. */
  stop(): Promise<void>;
  /** After `failed`: check the session again and reconnect, with the attempt counter back at zero. */
  retry(): void;
  /** Listens to one typed event; returns the function that removes the listener. */
  on<Name extends keyof IbkrWsEvents>(name: Name, listener: (payload: IbkrWsEvents[Name]) => void): () => void;
  /** A copy of every counter, with the current state. */
  metrics(): MetricsSnapshot;
  /** Liveness and readiness (docs/OBSERVABILITY.md): what `/livez` and `/readyz` answer. */
  health(): HealthReport;
  /** The lifecycle state now (one of `LIFECYCLE_STATES`). */
  readonly state: LifecycleState;
  /** The fatal error (see `isFatal`) that sent the client to `failed`, until `retry()`. */
  readonly fatalError: IbkrWsError | undefined;
  /** The XState actor of the connection statechart, for embedding and inspection. */
  readonly actor: ConnectionActor;
}

export function createIbkrWs(options: IbkrWsOptions = {}): IbkrWs {
  return new IbkrWsClient(resolveOptions(options));
}

class IbkrWsClient implements IbkrWs {
  // Mutable state, all of it.
  #started = false;
  #stopping: Promise<void> | undefined;
  #fatal: IbkrWsError | undefined;
  /** The open socket of the current `socket` state (told by the socket actor); the hub sends only while `ready`. */
  #liveSocket: LiveSocket | undefined;
  /** Sockets still closing: stop() waits for them. */
  readonly #teardowns = new Set<Promise<void>>();
  /** The last few session values and the OAuth path's tokens: redaction scrubs them from any text. */
  readonly #secrets = new KnownSecrets(() => this.#oauth?.secrets() ?? []);
  /** The flight recorder (option `record`), on the diagnostics tap and the client's own events. */
  readonly #recorder: FlightRecorder | undefined;

  // Assembled once, in the constructor.
  readonly actor: ConnectionActor;
  readonly #metrics = new Metrics();
  readonly #logger: RedactingLogger;
  /** Health, OpenTelemetry metrics and traces, built on the public events and the diagnostics tap. */
  readonly #telemetry: ClientTelemetry;
  readonly #events: TypedEvents<IbkrWsEvents>;
  readonly #http: HttpTransport;
  readonly #gatewaySession: GatewaySession;
  readonly #hub: SubscriptionHub;
  /** The direct OAuth path (docs/OAUTH.md); undefined in gateway mode. */
  readonly #oauth: OAuthWiring | undefined;
  readonly marketData: SubscriptionFacade['marketData'];
  readonly pnl: SubscriptionFacade['pnl'];
  readonly trades: SubscriptionFacade['trades'];
  readonly book: SubscriptionFacade['book'];
  readonly history: SubscriptionFacade['history'];
  readonly accountSummary: SubscriptionFacade['accountSummary'];
  readonly ledger: SubscriptionFacade['ledger'];
  readonly raw: SubscriptionFacade['raw'];
  readonly subscriptions: SubscriptionFacade['subscriptions'];
  readonly #orders: SubscriptionFacade['orders'];

  constructor(options: ResolvedOptions) {
    // Methods stay usable detached (`const { stop } = client`), as xstate's Actor does for `send`.
    this.start = this.start.bind(this);
    this.stop = this.stop.bind(this);
    this.retry = this.retry.bind(this);
    this.on = this.on.bind(this);
    this.metrics = this.metrics.bind(this);
    this.health = this.health.bind(this);
    this.orders = this.orders.bind(this);

    this.#oauth =
      options.oauth === undefined
        ? undefined
        : new OAuthWiring({
            credentials: options.oauth,
            gateway: options.gateway,
            refusedRetryMs: options.timing.authorizationRetryMs,
            onError: (error) => this.#reportUnlessStopping(error),
            onToken: ({ expiresAtMs, renewInMs }) => {
              this.#metrics.liveSessionTokens++;
              this.#events.emit('token', {
                ...(expiresAtMs === undefined ? {} : { expiresAtMs }),
                renewInMs,
                at: Date.now(),
              });
            },
          });
    const oauth = this.#oauth;
    this.#telemetry = createClientTelemetry(options.telemetry);
    this.#logger = createRedactingLogger(this.#telemetry.correlate(options.logger), () => this.#secrets.all());
    this.#events = new TypedEvents<IbkrWsEvents>((error) =>
      this.#reportError(new IbkrWsError('listener-error', `an event listener threw: ${describeThrown(error)}`)),
    );
    this.#recorder = createRecorder(options.record, (error) =>
      this.#reportError(new IbkrWsError('record-failed', `flight record not written: ${error.message}`)),
    );
    this.#recorder?.attach(this.#events);
    const taps = [
      ...options.diagnostics,
      ...(this.#recorder === undefined ? [] : [this.#recorder.diagnostics]),
      ...(this.#telemetry.diagnostics === undefined ? [] : [this.#telemetry.diagnostics]),
    ];
    const diagnostics = fanOutDiagnostics(taps, (error) =>
      this.#reportError(new IbkrWsError('listener-error', `a diagnostics tap threw: ${describeThrown(error)}`)),
    );
    const tap = diagnostics === undefined ? {} : { diagnostics };

    const signer = oauth === undefined ? {} : { signer: oauth.session.signer };
    this.#http = new HttpTransport({
      gateway: options.gateway,
      tls: options.tls,
      requestTimeoutMs: options.requestTimeoutMs,
      maxResponseBytes: options.maxResponseBytes,
      userAgent: options.userAgent,
      ...tap,
      ...signer,
    });
    oauth?.session.attach(this.#http);
    this.#gatewaySession = new GatewaySession(this.#http, {
      onError: (error) => this.#reportUnlessStopping(error),
      wantsOrders: () => this.#hub.wants('sor'),
      // The OAuth path reopens the brokerage session with ssodh/init where the gateway's would reauthenticate.
      ...(oauth === undefined ? {} : { reauthenticate: async () => void (await oauth.session.openBrokerageSession()) }),
    });

    this.#hub = new SubscriptionHub({
      options: options.subscriptions,
      // Only called inside `socket.ready`, whose socket opened before the state was entered and closes after it is left.
      send: (commands) => this.#liveSocket?.send(commands),
      pauseReading: (paused) => (paused ? this.#liveSocket?.pause() : this.#liveSocket?.resume()),
      countDrop: (reason, count) => this.#metrics.countDrop(reason, count),
      reportError: (error) => this.#reportError(error),
      onStatus: (change) => this.#events.emit('subscription', { ...change, at: Date.now() }),
      onGap: (gap) => this.#events.emit('gap', { ...gap, at: Date.now() }),
    });
    const facade = createFacade(this.#hub);
    ({
      marketData: this.marketData,
      pnl: this.pnl,
      trades: this.trades,
      book: this.book,
      history: this.history,
    } = facade);
    ({ accountSummary: this.accountSummary, ledger: this.ledger, raw: this.raw } = facade);
    ({ subscriptions: this.subscriptions, orders: this.#orders } = facade);

    const socket = createSocketActor({
      wsUrl: oauth === undefined ? options.wsUrl : oauth.socketUrl(options.wsUrl),
      tls: options.tls,
      userAgent: options.userAgent,
      cookieFormat: options.cookieFormat,
      maxFrameBytes: options.maxFrameBytes,
      maxPayloadBytes: options.maxPayloadBytes,
      closeTimeoutMs: options.closeTimeoutMs,
      activityThrottleMs: options.activityThrottleMs,
      ...tap,
      observer: clientSocketObserver({
        metrics: this.#metrics,
        logger: this.#logger,
        hub: this.#hub,
        emitError: (error) => this.#events.emit('error', error),
        reportError: (error) => this.#reportError(error),
        setLiveSocket: (live) => {
          this.#liveSocket = live;
        },
        teardowns: this.#teardowns,
      }),
    });

    const machine = connectionMachine.provide({
      actors: {
        checkSession: fromPromise<SessionCheck, SessionCheckInput>(async ({ input }) => {
          const result =
            oauth === undefined
              ? await this.#gatewaySession.check(input)
              : await oauth.check(this.#gatewaySession, input);
          if (result.kind === 'authenticated') this.#secrets.remember(result.session.reveal());
          return result;
        }),
        socket,
        ...(oauth === undefined
          ? {}
          : { authorize: fromPromise<Authorization, AuthorizeInput>(({ input }) => oauth.authorize(input)) }),
      },
      actions: {
        dataPlaneReady: (_, { socketId }) => {
          this.#metrics.dataPlaneReady(Date.now());
          if (this.#hub.wants('sor')) this.#preflightOrders();
          this.#hub.onReady(socketId);
        },
        dataPlaneLost: (_, { reason }) => {
          this.#metrics.dataPlaneLost(Date.now());
          this.#hub.onNotReady(reason);
        },
        refreshMarketData: () => this.#hub.refreshMarketData(),
      },
    });
    this.actor = createActor(machine, {
      input: {
        timing: options.timing,
        maxAttempts: options.maxAttempts,
        autoReauthenticate: options.autoReauthenticate,
        learnCadence: options.learnCadence,
        random: options.random,
        oauth: oauth !== undefined,
      },
      ...(options.inspect === undefined
        ? {}
        : { inspect: redactedInspection(options.inspect, () => this.#secrets.all()) }),
    });
    oauth?.onExpiring(() => this.actor.send({ type: 'AUTHORIZATION.EXPIRING' }));
    this.actor.subscribe({
      next: (snapshot) => this.#onSnapshot(lifecycleStateOf(snapshot), snapshot.context.lastReason),
      error: (error) =>
        this.#reportError(new IbkrWsError('failed', `the connection statechart crashed: ${describeThrown(error)}`)),
    });
    this.actor.on('*', (emitted) => {
      const { name, payload } = translateEmitted(emitted as ConnectionEmitted, this.#metrics, Date.now());
      this.#events.emit(name, payload);
    });
    this.#telemetry.attach({
      on: this.#events.on.bind(this.#events),
      state: () => this.#metrics.state,
      counters: () => this.#metrics.snapshot(Date.now()),
      subscriptions: () => this.#hub.subscriptions(),
      fatalError: () => this.#fatal,
    });
  }

  get state(): LifecycleState {
    return this.#metrics.state;
  }

  get fatalError(): IbkrWsError | undefined {
    return this.#fatal;
  }

  start(): Promise<void> {
    if (this.#stopping) return Promise.reject(new IbkrWsError('stopped', 'the client was stopped; create a new one'));
    if (!this.#started) {
      this.#started = true;
      this.actor.start();
      this.actor.send({ type: 'START' });
    }
    return this.#whenAuthenticated();
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      // A never-started client still ends in `stopped`, so every consumer sees the same final state.
      if (!this.#started) {
        this.#started = true;
        this.actor.start();
      }
      // STOP may arrive while the actor is still processing (e.g. from inside a `state` listener): it is queued, not
      // lost, so wait for the final state instead of stopping the actor under it (which would drop the queued STOP).
      this.actor.send({ type: 'STOP' });
      if (this.actor.getSnapshot().status === 'active') {
        await new Promise<void>((resolve) => {
          const subscription = this.actor.subscribe({ complete: resolve, error: () => resolve() });
          if (this.actor.getSnapshot().status !== 'active') {
            subscription.unsubscribe();
            resolve();
          }
        });
      }
      this.#oauth?.stop();
      this.#hub.stop();
      await Promise.all([...this.#teardowns]);
      await this.#http.close();
      await this.#recorder?.close('stop');
    })();
    return this.#stopping;
  }

  retry(): void {
    this.#fatal = undefined;
    this.actor.send({ type: 'RETRY' });
  }

  on<Name extends keyof IbkrWsEvents>(name: Name, listener: (payload: IbkrWsEvents[Name]) => void): () => void {
    return this.#events.on(name, listener);
  }

  metrics(): MetricsSnapshot {
    return this.#metrics.snapshot(Date.now());
  }

  health(): HealthReport {
    return this.#telemetry.health();
  }

  orders(...args: Parameters<SubscriptionFacade['orders']>): ReturnType<SubscriptionFacade['orders']> {
    // Held until the day's orders were queried on this session, if they were not yet (docs/PROTOCOL.md §6).
    if (isDataPlaneReady(this.actor.getSnapshot())) this.#preflightOrders();
    return this.#orders(...args);
  }

  #onSnapshot(state: LifecycleState, reason: string | undefined): void {
    const previous = this.#metrics.state;
    if (state === previous) return;
    const change: StateChange = { state, previous, at: Date.now(), ...(reason === undefined ? {} : { reason }) };
    this.#metrics.enterState(state);
    this.#logger.log('info', `state ${previous} → ${state}`, { state, previous, reason });
    this.#events.emit('state', change);
  }

  /** Counted, logged, emitted; a fatal error (see `isFatal`) also sends the statechart to `failed`. */
  #reportError(error: IbkrWsError): void {
    this.#metrics.countError(error.code);
    this.#logger.log('warn', error.message, { code: error.code });
    const fatal = isFatal(error.code);
    if (fatal) this.#fatal ??= error;
    this.#events.emit('error', error);
    // After the error event, so that listeners read the error before the `failed` state it causes.
    if (fatal && this.actor.getSnapshot().status === 'active') this.actor.send({ type: 'FATAL', code: error.code });
  }

  /** A request cut by stop() (it destroys the HTTP agent) fails because of stopping, not because of the gateway. */
  #reportUnlessStopping(error: IbkrWsError): void {
    if (this.#stopping === undefined) this.#reportError(error);
  }

  #whenAuthenticated(): Promise<void> {
    if (this.#metrics.state === 'authenticated') return Promise.resolve();
    if (this.#metrics.state === 'failed') return Promise.reject(this.#failure());
    return new Promise<void>((resolve, reject) => {
      const off = this.#events.on('state', ({ state }) => {
        if (state === 'authenticated') resolve();
        else if (state === 'failed') reject(this.#failure());
        else if (state === 'stopped') reject(new IbkrWsError('stopped', 'stopped before the socket was authenticated'));
        else return;
        off();
      });
    });
  }

  #failure(): IbkrWsError {
    return this.#fatal ?? new IbkrWsError('failed', 'gave up reconnecting (maxAttempts reached)');
  }

  /**
   * `sor` waits for `/iserver/account/orders` once per session value (docs/PROTOCOL.md §6). A connect check already
   * made the query when orders were wanted then; this covers orders opened later, and a session value that changed.
   */
  #preflightOrders(): void {
    if (this.#gatewaySession.ordersPreflighted) return;
    this.#hub.hold('sor');
    void this.#gatewaySession.preflightOrders().finally(() => this.#hub.release('sor'));
  }
}
