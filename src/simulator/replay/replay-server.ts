/**
 * `ibkr-ws sim --replay FILE`: a gateway that plays back the gateway's side of a flight record on loopback (HTTPS +
 * WSS, self-signed certificate, like the simulator): on the n-th socket the frames the n-th recorded socket received,
 * at their recorded offsets, then its close (code) if the gateway made it; on REST the recorded statuses after the
 * recorded delays. Client frames are read and ignored — a record is a script, not a model. A socket beyond the
 * record stays silent; a REST path the record never called answers 404 `Unknown path`. An OAuth run's token call is
 * never replayed (src/simulator/replay/oauth-record.ts): it answers 501 with the reason.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { FlightRecord } from '../../recorder/index.js';
import { createSimulatorCertificate } from '../certificate.js';
import { GatewayFaults } from '../faults.js';
import { accountsBody, brokerageStatusBody, tickleBody } from '../gateway-payloads.js';
import type { BrokerageStatus } from '../gateway-state.js';
import { createSimulatorLog } from '../log.js';
import { SIMULATOR_DEFAULTS, type SimulatorLogger } from '../options.js';
import { listenServers } from '../servers.js';
import { Timers } from '../timers.js';
import { TrafficRecord } from '../traffic-record.js';
import type { SimulatorEventName, SimulatorEvents } from '../types.js';
import { replayFrameText } from './replay-frames.js';
import { LIVE_SESSION_TOKEN_PATH, oauthReplayRefusal } from './oauth-record.js';
import {
  buildReplayScript,
  pickRestAnswer,
  type RestAnswer,
  type ReplayScript,
  type SocketScript,
  type TickleVerdict,
} from './replay-script.js';

export interface ReplayServerOptions {
  /** 0 = any free port. */
  readonly port?: number;
  readonly logger?: SimulatorLogger;
}

export interface ReplayServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly ca: string;
  readonly caPath: string;
  readonly script: ReplayScript;
  on<E extends SimulatorEventName>(event: E, listener: (payload: SimulatorEvents[E]) => void): () => void;
  close(): Promise<void>;
}

const STATUS: Readonly<Record<TickleVerdict, BrokerageStatus>> = {
  authenticated: { authenticated: true, competing: false, connected: true, established: true },
  'not-authenticated': { authenticated: false, competing: false, connected: true, established: false },
  competing: { authenticated: false, competing: true, connected: true, established: false },
  'no-session': { authenticated: false, competing: false, connected: false, established: false },
};
const IDENTITY = {
  username: SIMULATOR_DEFAULTS.username,
  accountId: SIMULATOR_DEFAULTS.accountId,
  isPaper: true,
  isFT: false,
};

export async function startReplayServer(
  record: FlightRecord,
  options: ReplayServerOptions = {},
): Promise<ReplayServer> {
  const script = buildReplayScript(record);
  const log = createSimulatorLog(options.logger);
  const certificate = await createSimulatorCertificate(undefined);
  const traffic = new TrafficRecord({ recordedFramesPerConnection: 0, recordedConnections: 100 });
  const timers = new Timers();
  const faults = new GatewayFaults();
  let sessionValue: string = SIMULATOR_DEFAULTS.sessionValue;
  /** Gateway actions (frames sent, closes made, or skipped because the client left first) so far. */
  let performed = 0;
  let nextSocket = 0;
  const callsInGap = new Map<string, number>();
  faults.handshakeDelayMs = script.sockets[0]?.handshakeDelayMs ?? 0;

  const play = (ws: WebSocket, scripted: SocketScript | undefined, connectionId: number): void => {
    let done = 0;
    const pending = new Set<NodeJS.Timeout | undefined>();
    ws.on('close', (code) => {
      for (const timer of pending) timers.clear(timer);
      // What the gateway would still have sent is passed: REST answers stay aligned with the record.
      performed += (scripted?.actions.length ?? 0) - done;
      traffic.closeConnection(connectionId, code);
    });
    ws.on('error', () => undefined);
    if (scripted === undefined) return;
    if (scripted.refused) {
      ws.terminate();
      return;
    }
    for (const action of scripted.actions) {
      const timer = timers.setTimeout(() => {
        pending.delete(timer);
        done += 1;
        performed += 1;
        if (ws.readyState !== ws.OPEN) return;
        if (action.type === 'frame') {
          const text = replayFrameText(action.frame, sessionValue);
          // The gateway writes binary frames (Vert.x), the ech+hb echo included.
          ws.send(Buffer.from(text, 'utf8'), { binary: true });
        } else if (action.code === 1006) ws.terminate();
        else if (action.code === 1005) ws.close();
        else ws.close(action.code);
      }, action.atMs);
      pending.add(timer);
    }
  };

  const answerRest = (request: IncomingMessage, response: ServerResponse): void => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    request.resume();
    request.on('end', () => {
      if (path === LIVE_SESSION_TOKEN_PATH) {
        const refusal = oauthReplayRefusal();
        finish(response, refusal.status, refusal.body, 'application/json; charset=utf-8');
        traffic.emit('rest-request', { method: request.method ?? 'GET', path, status: refusal.status });
        return;
      }
      const answers = script.rest.get(path);
      const gap = performed;
      const key = `${path}#${gap}`;
      const index = callsInGap.get(key) ?? 0;
      callsInGap.set(key, index + 1);
      const answer = answers === undefined ? undefined : pickRestAnswer(answers, gap, index);
      if (answer === undefined) {
        finish(response, 404, 'Unknown path', 'text/plain; charset=utf-8');
        traffic.emit('rest-request', { method: request.method ?? 'GET', path, status: 404 });
        return;
      }
      timers.setTimeout(() => {
        if (answer.error === 'timeout') return; // never answered: the client's own deadline fires
        if (answer.error !== undefined || answer.status === undefined) {
          response.destroy();
          return;
        }
        if (answer.rotate) sessionValue = randomBytes(16).toString('hex');
        const body = restBody(path, answer, sessionValue);
        finish(
          response,
          answer.status,
          body === undefined ? '' : JSON.stringify(body),
          'application/json; charset=utf-8',
        );
        traffic.emit('rest-request', { method: request.method ?? 'GET', path, status: answer.status });
      }, answer.delayMs);
    });
  };

  const listening = await listenServers(options.port ?? 0, {
    certificate,
    maxClientPayloadBytes: SIMULATOR_DEFAULTS.maxClientPayloadBytes,
    faults,
    log,
    onRequest: answerRest,
    onSocket: (ws, _socket, request) => {
      const scripted = script.sockets[nextSocket];
      nextSocket += 1;
      faults.handshakeDelayMs = script.sockets[nextSocket]?.handshakeDelayMs ?? 0;
      const connectionId = traffic.openConnection((request.url ?? '/').split('?')[0] ?? '/');
      play(ws, scripted, connectionId);
    },
  });
  const port = listening.port;
  let closing: Promise<void> | undefined;
  return {
    url: `https://localhost:${port}`,
    wsUrl: `wss://localhost:${port}/v1/api/ws`,
    port,
    ca: certificate.cert,
    caPath: certificate.caPath,
    script,
    on: (event, listener) => traffic.on(event, listener),
    close: () =>
      (closing ??= (async () => {
        timers.close();
        await listening.close();
        traffic.dispose();
        await certificate.remove();
      })()),
  };
}

function restBody(path: string, answer: RestAnswer, sessionValue: string): unknown {
  if (answer.status !== 200) return undefined;
  const status = STATUS[answer.verdict];
  if (path.endsWith('/tickle')) {
    return answer.verdict === 'no-session'
      ? { error: 'no session' }
      : tickleBody(sessionValue, SIMULATOR_DEFAULTS.ssoLifetimeMs, status);
  }
  if (path.endsWith('/iserver/auth/status')) return brokerageStatusBody(status);
  if (path.endsWith('/iserver/accounts')) return accountsBody(IDENTITY);
  if (path.endsWith('/iserver/account/orders')) return { orders: [], snapshot: true };
  if (path.endsWith('/iserver/reauthenticate')) return { message: 'triggered' };
  return {};
}

function finish(response: ServerResponse, status: number, body: string, type: string): void {
  if (response.destroyed) return;
  response.writeHead(status, {
    ...(body === '' ? {} : { 'content-type': type }),
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
