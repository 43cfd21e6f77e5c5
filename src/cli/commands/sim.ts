/**
 * `ibkr-ws sim`: the gateway simulator alone, until SIGINT/SIGTERM. It prints where to connect and the CA file to pin
 * (with `--oauth`, also the credentials file of the consumer it made up), then one line per socket opened or closed
 * and, with `--oauth`, one per live session token issued or request refused (never a key, token or header). Exit codes: 0 stopped cleanly, 1 could not start, 2 bad arguments.
 */
import { SIMULATOR_DEFAULTS, startGatewaySimulator, type GatewaySimulator, type GatewaySimulatorOptions } from '../../simulator/index.js';
import { parseNonNegativeNumber } from '../args.js';
import { UsageError } from '../io.js';

export interface SimCommandIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

export interface SimCommandControl {
  /** Stops the simulator like a signal would (tests, embedding). */
  readonly signal?: AbortSignal;
}

const SIM_USAGE = `Usage: ibkr-ws sim [--port N] [--heartbeat-interval MS] [--text-frames] [--oauth [OAUTH OPTIONS]]

Runs the Client Portal Gateway simulator on 127.0.0.1 (HTTPS + WSS, self-signed certificate) until Ctrl+C.
With --oauth it plays api.ibkr.com instead: first-party OAuth 1.0a, a consumer made up at start and written as a
credentials file (printed as oauth:) for ibkr-ws connect --oauth FILE.

Options:
  --port N                   port to listen on (default ${SIMULATOR_DEFAULTS.port}; 0 picks a free one)
  --oauth                    play IBKR's OAuth side (live session token, signed REST, oauth_token socket)
  --lst-lifetime MS          with --oauth: live session token lifetime (default ${SIMULATOR_DEFAULTS.oauthLstLifetimeMs})
  --oauth-lenient            with --oauth: also accept the query signing of IBind master, IbkrConduit, IBKR's sample
  --oauth-not-activated      with --oauth: the consumer is not active yet: every call answers 401 invalid consumer
  --ssodh-failure STATUS     with --oauth: every ssodh/init answers 500 (not enabled) or 410 (Gone)
  --expire-lst-every MS      with --oauth: revoke every live session token this often (a client must renew and recover)
  --heartbeat-interval MS    server heartbeat interval (default ${SIMULATOR_DEFAULTS.heartbeatIntervalMs})
  --text-frames              send text frames instead of the gateway's binary frames
  --help                     show this help`;

interface SimArguments {
  readonly help: boolean;
  readonly options: GatewaySimulatorOptions;
  /** OAuth faults switched on for the whole run. */
  readonly notActivated: boolean;
  readonly ssodhFailure: 410 | 500 | undefined;
  readonly expireLstEveryMs: number | undefined;
}

export async function runSimCommand(argv: string[], io: SimCommandIo, control: SimCommandControl = {}): Promise<number> {
  let parsed: SimArguments;
  try {
    parsed = parseSimArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`ibkr-ws sim: ${error.message}`);
    io.stderr(SIM_USAGE);
    return 2;
  }
  if (parsed.help) {
    io.stdout(SIM_USAGE);
    return 0;
  }

  let simulator: GatewaySimulator;
  try {
    simulator = await startGatewaySimulator(parsed.options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const port = parsed.options.port ?? SIMULATOR_DEFAULTS.port;
    io.stderr(
      code === 'EADDRINUSE'
        ? `ibkr-ws sim: port ${port} on 127.0.0.1 is already in use (is a gateway running?); choose another with --port`
        : `ibkr-ws sim: could not start: ${(error as Error).message}`,
    );
    return 1;
  }

  if (parsed.notActivated) simulator.oauth?.setConsumerActivated(false);
  if (parsed.ssodhFailure !== undefined) simulator.oauth?.failSsodhInit(parsed.ssodhFailure, Number.POSITIVE_INFINITY);
  io.stdout(`Gateway simulator listening on 127.0.0.1:${simulator.port}`);
  io.stdout(`  url: ${simulator.url}`);
  io.stdout(`  ws:  ${simulator.wsUrl}`);
  io.stdout(`  ca:  ${simulator.caPath}`);
  if (simulator.oauthFile !== undefined) {
    io.stdout(`  oauth: ${simulator.oauthFile}`);
    io.stdout(`Try: ibkr-ws connect --oauth ${simulator.oauthFile} --gateway ${simulator.url} --ca ${simulator.caPath}`);
    let hinted = parsed.options.oauthLenient === true;
    const burst = new LstBurstWatch();
    simulator.on('oauth-request', (event) => {
      if (event.endpoint === 'live-session-token') {
        const count = burst.record(Date.now());
        if (count !== undefined) io.stdout(`oauth: warning: ${count} live session token requests within 10 s (a client should back off)`);
      }
      if (event.outcome === 'rejected') io.stdout(`oauth: refused ${event.endpoint} ${event.method} ${event.path} (${event.reason ?? 'unknown'})`);
      else if (event.endpoint === 'live-session-token') io.stdout('oauth: live session token issued');
      if (!hinted && event.endpoint === 'signed-request' && event.reason === 'signature') {
        hinted = true;
        io.stdout('oauth: (a client that signs queries another way, as IBind master and IbkrConduit do, needs --oauth-lenient)');
      }
    });
  } else io.stdout(`Try: ibkr-ws connect --gateway ${simulator.url} --ca ${simulator.caPath}`);
  io.stdout('Stop with Ctrl+C.');
  simulator.on('connection', ({ connectionId, path }) => io.stdout(`socket ${connectionId} opened (${path})`));
  simulator.on('disconnect', ({ connectionId, code }) => io.stdout(`socket ${connectionId} closed (${code})`));

  const oauthControl = simulator.oauth;
  const expiring =
    parsed.expireLstEveryMs === undefined || oauthControl === undefined
      ? undefined
      : setInterval(() => {
          io.stdout('oauth: fault: every live session token revoked now');
          oauthControl.expireLiveSessionToken();
        }, parsed.expireLstEveryMs);
  const signalName = await waitForStop(control.signal);
  clearInterval(expiring);
  await simulator.close();
  io.stdout(`Gateway simulator stopped${signalName === undefined ? '' : ` (${signalName})`}.`);
  return 0;
}

function parseSimArguments(argv: readonly string[]): SimArguments {
  const options: { -readonly [K in keyof GatewaySimulatorOptions]: GatewaySimulatorOptions[K] } = {};
  let help = false;
  let notActivated = false;
  let ssodhFailure: 410 | 500 | undefined;
  let expireLstEveryMs: number | undefined;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] ?? '';
    const [flag = '', inlineValue] = argument.startsWith('--') ? splitOnce(argument, '=') : [argument, undefined];
    const value = (): string => {
      if (inlineValue !== undefined) return inlineValue;
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} expects a value`);
      index += 1;
      return next;
    };
    switch (flag) {
      case '--help':
      case '-h':
        help = true;
        break;
      case '--port': {
        const port = parseNonNegativeNumber('--port', value(), { integer: true });
        if (port > 65_535) throw new UsageError(`--port expects a port number up to 65535, got ${port}`);
        options.port = port;
        break;
      }
      case '--heartbeat-interval': {
        const interval = parseNonNegativeNumber('--heartbeat-interval', value(), { integer: true });
        if (interval === 0) throw new UsageError('--heartbeat-interval must be greater than 0');
        options.heartbeatIntervalMs = interval;
        break;
      }
      case '--text-frames':
        if (inlineValue !== undefined) throw new UsageError('--text-frames takes no value');
        options.frames = 'text';
        break;
      case '--oauth':
        if (inlineValue !== undefined) throw new UsageError('--oauth takes no value');
        options.auth = 'oauth';
        break;
      case '--oauth-lenient':
        if (inlineValue !== undefined) throw new UsageError('--oauth-lenient takes no value');
        options.oauthLenient = true;
        break;
      case '--oauth-not-activated':
        if (inlineValue !== undefined) throw new UsageError('--oauth-not-activated takes no value');
        notActivated = true;
        break;
      case '--ssodh-failure': {
        const status = value();
        if (status !== '500' && status !== '410') throw new UsageError(`--ssodh-failure expects 500 or 410, got '${status}'`);
        ssodhFailure = status === '500' ? 500 : 410;
        break;
      }
      case '--expire-lst-every': {
        const interval = parseNonNegativeNumber('--expire-lst-every', value(), { integer: true });
        if (interval === 0) throw new UsageError('--expire-lst-every must be greater than 0');
        expireLstEveryMs = interval;
        break;
      }
      case '--lst-lifetime': {
        const lifetime = parseNonNegativeNumber('--lst-lifetime', value(), { integer: true });
        if (lifetime === 0) throw new UsageError('--lst-lifetime must be greater than 0');
        options.oauthLstLifetimeMs = lifetime;
        break;
      }
      default:
        throw new UsageError(`unknown argument '${argument}'`);
    }
  }
  const oauthOnly =
    options.oauthLenient !== undefined || options.oauthLstLifetimeMs !== undefined || notActivated || ssodhFailure !== undefined || expireLstEveryMs !== undefined;
  if (options.auth !== 'oauth' && oauthOnly) {
    throw new UsageError('--lst-lifetime, --oauth-lenient, --oauth-not-activated, --ssodh-failure and --expire-lst-every need --oauth');
  }
  return { help, options, notActivated, ssodhFailure, expireLstEveryMs };
}

/**
 * Watches for a client hammering the LST endpoint: more than 3 requests within 10 s (a refused token must be retried
 * with backoff). Returns the count the first time a burst crosses the line, then stays quiet until the burst ends.
 */
class LstBurstWatch {
  readonly #times: number[] = [];
  #warned = false;

  record(now: number): number | undefined {
    this.#times.push(now);
    while (this.#times.length > 0 && now - (this.#times[0] as number) > 10_000) this.#times.shift();
    if (this.#times.length <= 3) {
      this.#warned = false;
      return undefined;
    }
    if (this.#warned) return undefined;
    this.#warned = true;
    return this.#times.length;
  }
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** Resolves on SIGINT, SIGTERM or the abort signal, and removes its listeners so nothing outlives the command. */
function waitForStop(signal: AbortSignal | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    const stop = (name: string | undefined): void => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
      signal?.removeEventListener('abort', onAbort);
      resolve(name);
    };
    const onInterrupt = (): void => stop('SIGINT');
    const onTerminate = (): void => stop('SIGTERM');
    const onAbort = (): void => stop(undefined);
    process.once('SIGINT', onInterrupt);
    process.once('SIGTERM', onTerminate);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
