/**
 * `--inspect [--inspect-port N]` for `connect` and `demo`: starts the redacted inspector and the offline live view
 * before the client exists (the client takes the inspect hook at creation) and tells the user where to look.
 */
import type { Inspection } from '../inspect/index.js';
import { parseNonNegativeNumber } from './args.js';
import { UsageError, type CliIo } from './io.js';

export const INSPECT_HELP = `  --inspect            attach the XState inspector (@statelyai/inspect) and serve the offline live view
  --inspect-port N     port of the live view on 127.0.0.1 (default 0: any free port; printed at start)`;

export interface InspectFlags {
  readonly inspect: boolean;
  readonly inspectPort: number | undefined;
}

export function parseInspectFlags(values: Record<string, unknown>): InspectFlags {
  const portText = values['inspect-port'];
  let inspectPort: number | undefined;
  if (typeof portText === 'string') {
    if (!values['inspect']) throw new UsageError('--inspect-port needs --inspect');
    inspectPort = parseNonNegativeNumber('--inspect-port', portText, { integer: true });
    if (inspectPort > 65_535)
      throw new UsageError(`--inspect-port expects a port number up to 65535, got ${inspectPort}`);
  }
  return { inspect: Boolean(values['inspect']), inspectPort };
}

export const INSPECT_OPTIONS = {
  inspect: { type: 'boolean' },
  'inspect-port': { type: 'string' },
} as const;

/** Starts the live view when asked; prints its URL (JSON: an `inspect` line). Undefined when not asked. */
export async function startCliInspection(
  io: CliIo,
  flags: InspectFlags,
  options: { json: boolean; title: string; knownSecrets?: () => Iterable<string> },
): Promise<Inspection | undefined> {
  if (!flags.inspect) return undefined;
  let inspection: Inspection;
  try {
    // Loaded only when asked: the inspector and its dependencies cost start-up time nobody else should pay.
    const { startInspection } = await import('../inspect/index.js');
    inspection = await startInspection({
      title: options.title,
      ...(flags.inspectPort === undefined ? {} : { port: flags.inspectPort }),
      ...(options.knownSecrets === undefined ? {} : { knownSecrets: options.knownSecrets }),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `--inspect-port ${flags.inspectPort}: the port is in use; choose another or omit it`
        : `cannot start the live view: ${(error as Error).message}`,
    );
  }
  if (options.json) io.stdout(JSON.stringify({ type: 'inspect', url: inspection.url, at: Date.now() }));
  else io.stdout(`live view (statechart + event log, offline): ${inspection.url}`);
  return inspection;
}
