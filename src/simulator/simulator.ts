/**
 * startGatewaySimulator: a Client Portal Gateway on loopback (HTTPS + WSS, self-signed certificate) and the typed
 * control surface that drives its faults. It assembles the pieces: the shared gateway state, the REST routes, one
 * SocketSession per WebSocket, the gateway-wide resources, and the record of what clients sent.
 */
import type { IncomingMessage } from 'node:http';
import { createSimulatorCertificate } from './certificate.js';
import { handleControlRequest, isControlPath } from './control/http.js';
import { controlEntry, validateControlArgs } from './control/schema.js';
import { GatewayFaults } from './faults.js';
import { GatewayState } from './gateway-state.js';
import { createSimulatorLog } from './log.js';
import { resolveSimulatorOptions, type GatewaySimulatorOptions, type MarketDataMode } from './options.js';
import { startOAuthSide, type OAuthSide } from './oauth/oauth-side.js';
import { handleRestRequest, type RestContext } from './rest-routes.js';
import { listenServers, type ListeningServers } from './servers.js';
import { SocketSession } from './socket-session.js';
import { AccountActivity } from './topics/account-activity.js';
import { HistorySlots } from './topics/history.js';
import { MarketDataLines } from './topics/market-data-lines.js';
import { MarketStates } from './topics/market-states.js';
import type { GatewayResources } from './topics/socket-topics.js';
import { TrafficRecord } from './traffic-record.js';
import type { GatewaySimulator } from './types.js';

export async function startGatewaySimulator(options: GatewaySimulatorOptions = {}): Promise<GatewaySimulator> {
  const resolved = resolveSimulatorOptions(options);
  const log = createSimulatorLog(resolved.logger);
  const certificate = await createSimulatorCertificate(resolved.certificate);
  const state = new GatewayState(resolved);
  const faults = new GatewayFaults();
  const record = new TrafficRecord(resolved);
  const resources: GatewayResources = {
    marketDataLines: new MarketDataLines(resolved.marketDataLines),
    historySlots: new HistorySlots(resolved.maxHistoryStreams),
    accountActivity: new AccountActivity(resolved),
    marketStates: new MarketStates(),
  };
  const sessions = new Set<SocketSession>();
  let requireSessionMessage = resolved.requireSessionMessage;
  let marketDataMode: MarketDataMode = resolved.marketDataMode;

  // OAuth mode: IBKR's side of the live session token and signatures, in front of the gateway's routes and sockets.
  const oauth: OAuthSide | undefined =
    resolved.auth === 'oauth'
      ? await startOAuthSide({
          options: resolved,
          state,
          log,
          emit: (event) => record.emit('oauth-request', event),
          onLiveSessionTokenLost: () => {
            if (resolved.oauthCloseSocketsOnLstExpiry) for (const session of [...sessions]) session.close(1000);
          },
        }).catch(async (error: unknown) => {
          // Nothing of a failed start may linger: timers, the record, the certificate file.
          state.dispose();
          resources.accountActivity.dispose();
          record.dispose();
          await certificate.remove();
          throw error;
        })
      : undefined;

  state.onChange((change) => {
    if (change.kind === 'brokerage-lost') record.counters.brokerageSessionsLost += 1;
    log('info', `simulator gateway change: ${change.kind}`);
    for (const session of [...sessions]) session.onGatewayChange(change);
  });

  const restContext: RestContext = {
    options: resolved,
    state,
    faults,
    record,
    marketDataLines: resources.marketDataLines,
    oauth: oauth?.gate,
    stopMarketData: (conid) => {
      for (const session of sessions) session.topics.marketData.stopStreams(conid);
    },
  };

  const disposeState = (): void => {
    state.dispose();
    resources.accountActivity.dispose();
  };

  let listening: ListeningServers;
  try {
    listening = await listenServers(resolved.port, {
      certificate,
      maxClientPayloadBytes: resolved.maxClientPayloadBytes,
      faults,
      log,
      onRequest: (request, response) => {
        // `/__sim/` shares no prefix with a gateway path (`/v1/api`, `/v1/portal`): the control API stays apart.
        if (resolved.controlApi && isControlPath(request.url)) handleControlRequest(request, response, simulator);
        else handleRestRequest(request, response, restContext);
      },
      ...(oauth === undefined ? {} : { refuseUpgrade: (request: IncomingMessage) => oauth.refuseUpgrade(request) }),
      onSocket: (ws, socket, request) => {
        const path = (request.url ?? '/').split('?')[0] ?? '/';
        const mustSendSession = requireSessionMessage || (oauth?.needsSessionMessage(request) ?? false);
        const session = new SocketSession(
          ws,
          socket,
          path,
          { options: resolved, state, record, resources, log, requireSessionMessage: mustSendSession, marketDataMode },
          (closed) => sessions.delete(closed),
        );
        sessions.add(session);
        // Maintenance: the upstream is unreachable, so the gateway closes 1000 right after accepting (§5).
        if (faults.maintenance) session.close(1000);
      },
    });
  } catch (error) {
    disposeState();
    record.dispose();
    await oauth?.dispose();
    await certificate.remove();
    throw error;
  }
  const port = listening.port;
  oauth?.announce(port);
  log('info', 'gateway simulator listening', { url: `https://localhost:${port}` });

  let closing: Promise<void> | undefined;
  const everySession = (action: (session: SocketSession) => void): void => {
    for (const session of [...sessions]) action(session);
  };

  const simulator: GatewaySimulator = {
    url: `https://localhost:${port}`,
    wsUrl: `wss://localhost:${port}/v1/api/ws`,
    port,
    ca: certificate.cert,
    caPath: certificate.caPath,
    oauthFile: oauth?.control.file,
    oauth: oauth?.control,
    get sessionValue() {
      return state.sessionValue;
    },
    get sockets() {
      return sessions.size;
    },
    get counters() {
      return { ...record.counters };
    },
    get connections() {
      return record.connections;
    },
    get state() {
      return {
        loggedIn: state.loggedIn,
        brokerage: { ...state.brokerage },
        maintenance: faults.maintenance,
        marketDataLinesInUse: resources.marketDataLines.inUse(),
        historyStreamsInUse: resources.historySlots.inUse,
        marketStates: resources.marketStates.snapshot(),
      };
    },
    on: (event, listener) => record.on(event, listener),
    waitForClientFrame: (predicate, timeoutMs) => record.waitForClientFrame(predicate, timeoutMs),
    linger: () => everySession((session) => session.linger()),
    resume: () => everySession((session) => session.resume()),
    dropConnections: () => everySession((session) => session.terminate()),
    closeSockets: (code = 1000) => {
      assertSendableCloseCode(code);
      everySession((session) => session.close(code));
    },
    logout: () => state.logout(),
    login: () => state.login(),
    expireBrokerageSession: () => state.expireBrokerage(),
    competingSession: () => state.compete(),
    rotateSession: () => state.rotateSession(),
    maintenance: (on) => {
      faults.maintenance = on;
      if (on) everySession((session) => session.close(1000));
    },
    sendRaw: (data, sendOptions = {}) => {
      const binary = sendOptions.binary ?? resolved.frames === 'binary';
      everySession((session) => session.sendRaw(data, binary));
    },
    slowHandshake: (delayMs) => {
      faults.handshakeDelayMs = delayMs;
    },
    failNextTickles: (count, status = 401) => faults.failNextTickles(count, status),
    setRequireSessionMessage: (required) => {
      requireSessionMessage = required;
    },
    setMarketDataMode: (mode) => {
      if (mode !== 'interval' && mode !== 'flood')
        throw new RangeError(`market data mode must be 'interval' or 'flood', got ${String(mode)}`);
      marketDataMode = mode;
      everySession((session) => session.topics.setMarketDataMode(mode));
    },
    setMarketState: (conid, marketState) => resources.marketStates.set(conid, marketState),
    pushOrders: (orders) => resources.accountActivity.pushOrders(orders),
    pushTrades: (trades) => resources.accountActivity.pushTrades(trades),
    pushNotice: (topic, args) => everySession((session) => session.pushToReady({ topic, args })),
    control: (name, args, source = 'code') => {
      const entry = controlEntry(name);
      const checked = validateControlArgs(name, args);
      const result = entry.run(simulator, checked);
      if (entry.kind === 'fault') record.emit('fault', { name, args: checked, source, at: Date.now() });
      return result;
    },
    close: () =>
      (closing ??= (async () => {
        disposeState();
        everySession((session) => session.dispose());
        await listening.close();
        record.dispose();
        await oauth?.dispose();
        await certificate.remove();
        log('info', 'gateway simulator closed');
      })()),
  };
  return simulator;
}

/** Codes a server may put in a close frame (RFC 6455 §7.4): 1005, 1006 and 1015 are never sent. */
function assertSendableCloseCode(code: number): void {
  const valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  if (!Number.isInteger(code) || !valid)
    throw new RangeError(`closeSockets: ${code} is not a close code a server can send`);
}
