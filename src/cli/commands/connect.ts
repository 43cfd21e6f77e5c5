/**
 * `ibkr-ws connect`: the client against any gateway, printing the life of the connection. `--json` prints one object
 * per line (the contract in README.md "CLI reference"); the human mode prints a timeline and a throttled quote line per instrument.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createIbkrWs, type IbkrWs, type IbkrWsOptions } from '../../client.js';
import { IbkrWsError } from '../../errors.js';
import { parseNonNegativeNumber, parseSubscribeSpec, type CliSubscription } from '../args.js';
import { HEALTH_HELP, HEALTH_OPTIONS, parseHealthFlags, prepareCliHealth, type HealthFlags } from '../health-option.js';
import {
  INSPECT_HELP,
  INSPECT_OPTIONS,
  parseInspectFlags,
  startCliInspection,
  type InspectFlags,
} from '../inspect-option.js';
import {
  parseRecordFlags,
  RECORD_HELP,
  RECORD_OPTIONS,
  startCliRecording,
  type RecordFlags,
} from '../record-option.js';
import { UsageError, type CliIo } from '../io.js';
import { TIMING_FLAGS, timingFromFlags } from '../timing-flags.js';
import { createReporter } from '../reporter.js';
import { readOAuthFile } from '../oauth-file.js';
import { OAUTH_DEFAULTS } from '../../defaults.js';
import { runSession } from '../run-session.js';

const HELP = `Usage: ibkr-ws connect --gateway URL [--ca FILE | --insecure] [--subscribe SPEC]... [--json] [--for SECONDS] [--health-port N] [timing flags]
       ibkr-ws connect --oauth FILE [--gateway URL] [--ca FILE] …

  --gateway URL        the Client Portal Gateway, e.g. https://localhost:5000 (with --oauth: ${OAUTH_DEFAULTS.gateway})
  --oauth FILE         connect straight to IBKR's Web API with first-party OAuth 1.0a; FILE is JSON, see docs/OAUTH.md
  --ca FILE            trust this PEM certificate (pin the gateway's self-signed certificate)
  --insecure           skip TLS verification (explicit opt-in; loopback gateways only)
  --subscribe SPEC     smd:<conid>:<field,field,…> | sor | spl | str | sbd:<acct>:<conid> | ssd:<acct> | sld:<acct> | smh:<conid>
                       (repeatable)
  --json               one JSON object per line on stdout
  --for SECONDS        stop cleanly after SECONDS and exit 0
${INSPECT_HELP}
${RECORD_HELP}
${HEALTH_HELP}
Timing flags (milliseconds): ${Object.keys(TIMING_FLAGS)
  .map((flag) => `--${flag}`)
  .join(', ')}`;

export async function runConnectCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseConnectArgs(argv);
  if (parsed === 'help') {
    io.stdout(HELP);
    return 0;
  }
  const health =
    parsed.health === undefined
      ? undefined
      : await prepareCliHealth(io, parsed.health, { json: parsed.json, command: 'connect' });
  const inspection = await startCliInspection(io, parsed.inspect, {
    json: parsed.json,
    title: `ibkr-ws connect ${parsed.clientOptions.gateway}`,
  });
  const recording = startCliRecording(io, parsed.record, 'connect');
  try {
    const reporter = createReporter(io, { json: parsed.json });
    const client = createClient({
      ...parsed.clientOptions,
      ...(inspection ? { inspect: inspection.inspect } : {}),
      ...(recording ? { record: recording.recorder } : {}),
      ...(health ? { telemetry: health.telemetry } : {}),
    });
    await health?.serve(client);
    return await runSession({
      client,
      subscriptions: parsed.subscriptions,
      reporter,
      ...(parsed.forSeconds === undefined ? {} : { forSeconds: parsed.forSeconds }),
    });
  } finally {
    // The live view lives exactly as long as the client; the record's last write happened in the client's stop().
    recording?.close();
    await recording?.recorder.close();
    await inspection?.close();
    await health?.close();
  }
}

/**
 * The client validates its options once, at construction (src/options.ts); the CLI does not repeat the rules. Its
 * verdict is a usage error (exit 2) worded with the flags the person typed (`--backoff-initial`, not `timing.…`).
 */
function createClient(options: IbkrWsOptions): IbkrWs {
  try {
    return createIbkrWs(options);
  } catch (error) {
    if (error instanceof IbkrWsError && (error.code === 'invalid-option' || error.code === 'insecure-remote'))
      throw new UsageError(inFlagTerms(error.message));
    throw error;
  }
}

const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  gateway: '--gateway',
  'tls.ca': '--ca',
  ...Object.fromEntries(Object.entries(TIMING_FLAGS).map(([flag, option]) => [`timing.${option}`, `--${flag}`])),
};

/** `timing.backoffInitialMs must not exceed timing.backoffMaxMs` → `--backoff-initial must not exceed --backoff-max`. */
function inFlagTerms(message: string): string {
  return message.replace(/^gateway\b|\b(?:timing\.\w+|tls\.ca)\b/g, (option) => FLAG_OF_OPTION[option] ?? option);
}

export interface ConnectArgs {
  readonly clientOptions: IbkrWsOptions;
  readonly subscriptions: readonly CliSubscription[];
  readonly json: boolean;
  readonly forSeconds?: number;
  readonly inspect: InspectFlags;
  readonly record?: RecordFlags;
  readonly health?: HealthFlags;
}

export function parseConnectArgs(argv: string[]): ConnectArgs | 'help' {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        gateway: { type: 'string' },
        oauth: { type: 'string' },
        ca: { type: 'string' },
        insecure: { type: 'boolean' },
        subscribe: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        for: { type: 'string' },
        ...INSPECT_OPTIONS,
        ...RECORD_OPTIONS,
        ...HEALTH_OPTIONS,
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(TIMING_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values['help']) return 'help';
  const oauth = typeof values['oauth'] === 'string' ? readOAuthFile(values['oauth']) : undefined;
  const gateway = values['gateway'] ?? (oauth ? OAUTH_DEFAULTS.gateway : undefined);
  if (typeof gateway !== 'string') throw new UsageError('--gateway URL is required (e.g. https://localhost:5000)');
  if (values['ca'] !== undefined && values['insecure']) throw new UsageError('--ca and --insecure exclude each other');
  let ca: string | undefined;
  if (typeof values['ca'] === 'string') {
    try {
      ca = readFileSync(values['ca'], 'utf8');
    } catch (error) {
      throw new UsageError(
        `--ca ${values['ca']}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const forSeconds = typeof values['for'] === 'string' ? parseNonNegativeNumber('--for', values['for']) : undefined;
  const health = parseHealthFlags(values);
  const subscriptions = ((values['subscribe'] as string[] | undefined) ?? []).map(parseSubscribeSpec);
  const record = parseRecordFlags(values);
  return {
    clientOptions: {
      gateway,
      ...(oauth === undefined ? {} : { oauth }),
      tls: { ...(ca === undefined ? {} : { ca }), ...(values['insecure'] ? { insecure: true } : {}) },
      timing: timingFromFlags(values),
    },
    subscriptions,
    json: Boolean(values['json']),
    ...(forSeconds === undefined ? {} : { forSeconds }),
    inspect: parseInspectFlags(values),
    ...(record === undefined ? {} : { record }),
    ...(health === undefined ? {} : { health }),
  };
}
