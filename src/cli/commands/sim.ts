/**
 * `ibkr-ws sim`: the gateway simulator alone, until SIGINT/SIGTERM. It prints where to connect and the CA file to pin,
 * then one line per socket opened or closed and per fault fired (`--json`: one JSON object per event). Its control
 * API answers on the same port under `/__sim/`; `--faults FILE` runs a fault schedule. With `--oauth` it plays
 * api.ibkr.com's OAuth side and also prints the credentials file of the consumer it made up (src/cli/sim-oauth.ts).
 * Exit codes: 0 stopped cleanly, 1 could not start, 2 bad arguments (or a bad schedule file).
 */
import { readFileSync } from 'node:fs';
import {
  SIMULATOR_DEFAULTS,
  startGatewaySimulator,
  type GatewaySimulator,
  type GatewaySimulatorOptions,
} from '../../simulator/index.js';
import { parseFaultSchedule, runFaultSchedule, type FaultSchedule } from '../../simulator/control/schedule.js';
import { controlEntry } from '../../simulator/control/schema.js';
import { startReplayServer, type ReplayServer } from '../../simulator/replay/replay-server.js';
import { isOAuthRecord, OAUTH_REPLAY_NOTICE } from '../../simulator/replay/oauth-record.js';
import { parseFlightRecord, type FlightRecord } from '../../recorder/index.js';
import { parseNonNegativeNumber } from '../args.js';
import { UsageError } from '../io.js';
import { createSimPrinter, printSimulatorEvents } from '../sim-events.js';
import {
  SIM_OAUTH_USAGE,
  checkSimOAuthFlags,
  noOAuthFaults,
  parseSimOAuthFlag,
  startSimOAuth,
  type SimOAuthFaults,
} from '../sim-oauth.js';

export interface SimCommandIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

export interface SimCommandControl {
  /** Stops the simulator like a signal would (tests, embedding). */
  readonly signal?: AbortSignal;
}

const SIM_USAGE = `Usage: ibkr-ws sim [--port N] [--heartbeat-interval MS] [--text-frames] [--faults FILE] [--json] [--replay FILE]
                   [--oauth [OAUTH OPTIONS]]

Runs the Client Portal Gateway simulator on 127.0.0.1 (HTTPS + WSS, self-signed certificate) until Ctrl+C.
Faults from any language: curl -k -X POST https://localhost:PORT/__sim/closeSockets -d '[1000]' (docs/SIMULATOR.md).
With --oauth it plays api.ibkr.com instead: first-party OAuth 1.0a, a consumer made up at start and written as a
credentials file (printed as oauth:) for ibkr-ws connect --oauth FILE.

Options:
  --port N                   port to listen on (default ${SIMULATOR_DEFAULTS.port}; 0 picks a free one)
${SIM_OAUTH_USAGE}
  --heartbeat-interval MS    server heartbeat interval (default ${SIMULATOR_DEFAULTS.heartbeatIntervalMs})
  --text-frames              send text frames instead of the gateway's binary frames
  --faults FILE              run a fault schedule: [{"at": seconds, "fault": name, "args": [...]}, ...]
  --json                     one JSON object per line: sockets opened/closed, faults fired, REST calls
  --no-control-api           serve gateway paths only (no /__sim/)
  --replay FILE              play back the gateway's side of a flight record (ibkr-ws connect --record FILE)
  --help                     show this help`;

interface SimArguments {
  readonly help: boolean;
  readonly options: GatewaySimulatorOptions;
  readonly json: boolean;
  readonly schedule?: FaultSchedule;
  readonly replay?: FlightRecord;
  readonly oauthFaults: SimOAuthFaults;
}

export async function runSimCommand(
  argv: string[],
  io: SimCommandIo,
  control: SimCommandControl = {},
): Promise<number> {
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

  let simulator: GatewaySimulator | ReplayServer;
  try {
    simulator =
      parsed.replay === undefined
        ? await startGatewaySimulator(parsed.options)
        : await startReplayServer(parsed.replay, { port: parsed.options.port ?? SIMULATOR_DEFAULTS.port });
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

  const printer = createSimPrinter(io.stdout, parsed.json);
  const script = 'script' in simulator ? simulator.script : undefined;
  const replaying = script !== undefined;
  if (parsed.json) {
    const controlUrl = !replaying && parsed.options.controlApi !== false ? { control: `${simulator.url}/__sim/` } : {};
    const oauthFile = 'script' in simulator ? undefined : simulator.oauthFile;
    printer.event('listening', {
      url: simulator.url,
      ws: simulator.wsUrl,
      ca: simulator.caPath,
      port: simulator.port,
      ...controlUrl,
      ...(oauthFile === undefined ? {} : { oauth: oauthFile }),
      ...(replaying ? { replay: true } : {}),
    });
  } else {
    io.stdout(
      `Gateway ${script !== undefined ? `replay (${script.sockets.length} sockets, ${script.states.length} client states recorded)` : 'simulator'} listening on 127.0.0.1:${simulator.port}`,
    );
    io.stdout(`  url: ${simulator.url}`);
    io.stdout(`  ws:  ${simulator.wsUrl}`);
    io.stdout(`  ca:  ${simulator.caPath}`);
    if (!replaying && parsed.options.controlApi !== false)
      io.stdout(
        `  control: ${simulator.url}/__sim/  (e.g. curl --cacert ${simulator.caPath} -X POST ${simulator.url}/__sim/linger)`,
      );
    const oauthFile = 'script' in simulator ? undefined : simulator.oauthFile;
    if (oauthFile !== undefined) {
      io.stdout(`  oauth: ${oauthFile}`);
      io.stdout(`Try: ibkr-ws connect --oauth ${oauthFile} --gateway ${simulator.url} --ca ${simulator.caPath}`);
    } else io.stdout(`Try: ibkr-ws connect --gateway ${simulator.url} --ca ${simulator.caPath}`);
    io.stdout('Stop with Ctrl+C.');
  }
  if (parsed.replay !== undefined && parsed.replay.header.dropped > 0) {
    // A ring that overflowed starts mid-story: the client's own start is not in it.
    io.stderr(
      `ibkr-ws sim: the record lost its ${parsed.replay.header.dropped} oldest events to its bounds; the replay starts where the record does`,
    );
  }
  if (parsed.replay !== undefined && isOAuthRecord(parsed.replay)) {
    io.stderr(
      `ibkr-ws sim: ${OAUTH_REPLAY_NOTICE}: ibkr-ws connect --gateway ${simulator.url} --ca ${simulator.caPath}`,
    );
  }
  const stopPrinting = printSimulatorEvents(simulator, printer);
  const stopOAuth =
    'script' in simulator
      ? () => {}
      : startSimOAuth(
          simulator,
          parsed.oauthFaults,
          parsed.options.oauthLenient === true,
          parsed.json ? undefined : io.stdout,
        );
  const schedule = parsed.schedule;
  const stopSchedule =
    schedule === undefined || 'script' in simulator
      ? undefined
      : runFaultSchedule(simulator, schedule, (fired) => {
          if (fired.error !== undefined) io.stderr(`ibkr-ws sim: scheduled ${fired.fault} failed: ${fired.error}`);
          // Fired faults are printed by the simulator's own `fault` event; people also see when, on the schedule.
          else if (!parsed.json) {
            const anchor = schedule.relativeTo === 'start' ? 'start' : 'the first authenticated socket';
            io.stdout(`  fired t=${fired.firedAt.toFixed(1)}s after ${anchor} (scheduled ${fired.at}s)`);
          }
        });

  const signalName = await waitForStop(control.signal);
  stopSchedule?.();
  stopOAuth();
  await simulator.close();
  stopPrinting();
  if (parsed.json) printer.event('stopped', signalName === undefined ? {} : { signal: signalName });
  else io.stdout(`Gateway simulator stopped${signalName === undefined ? '' : ` (${signalName})`}.`);
  return 0;
}

function parseSimArguments(argv: readonly string[]): SimArguments {
  const options: { -readonly [K in keyof GatewaySimulatorOptions]: GatewaySimulatorOptions[K] } = {};
  let help = false;
  let json = false;
  let schedule: FaultSchedule | undefined;
  let replay: FlightRecord | undefined;
  const oauthFaults = noOAuthFaults();
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
      case '--json':
        if (inlineValue !== undefined) throw new UsageError('--json takes no value');
        json = true;
        break;
      case '--no-control-api':
        if (inlineValue !== undefined) throw new UsageError('--no-control-api takes no value');
        options.controlApi = false;
        break;
      case '--faults':
        schedule = readSchedule(value());
        break;
      case '--replay':
        replay = readRecord(value());
        break;
      default:
        if (!parseSimOAuthFlag(flag, inlineValue, value, options, oauthFaults))
          throw new UsageError(`unknown argument '${argument}'`);
    }
  }
  if (replay !== undefined) {
    const simulatorFlags = Object.keys(options).filter((key) => key !== 'port');
    if (schedule !== undefined || simulatorFlags.length > 0)
      throw new UsageError('--replay plays a record as it is: only --port and --json go with it');
  }
  checkSimOAuthFlags(options, oauthFaults);
  // An OAuth fault in a gateway-mode schedule would fail only when it fires: refuse the file at start instead.
  const oauthOnly =
    options.auth === 'oauth'
      ? undefined
      : schedule?.faults.find((step) => controlEntry(step.fault).requires === 'oauth');
  if (oauthOnly !== undefined) throw new UsageError(`--faults: ${oauthOnly.fault} (at ${oauthOnly.at}s) needs --oauth`);
  return {
    help,
    options,
    json,
    oauthFaults,
    ...(schedule === undefined ? {} : { schedule }),
    ...(replay === undefined ? {} : { replay }),
  };
}

function readRecord(path: string): FlightRecord {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--replay ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    return parseFlightRecord(text);
  } catch (error) {
    throw new UsageError(`--replay ${path}: ${(error as Error).message}`);
  }
}

function readSchedule(path: string): FaultSchedule {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--faults ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    return parseFaultSchedule(text);
  } catch (error) {
    throw new UsageError(`--faults ${path}: ${(error as Error).message}`);
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
