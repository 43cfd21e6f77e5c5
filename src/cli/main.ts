/**
 * `ibkr-ws`: connect | bridge | sim | demo | diagram. Exit codes: 0 done, 1 runtime failure, 2 bad arguments.
 */
import { IbkrWsError } from '../errors.js';
import { processIo, UsageError, type CliIo } from './io.js';

const USAGE = `ibkr-ws — a live, authenticated WebSocket to the IBKR Client Portal Gateway

Usage:
  ibkr-ws connect --gateway URL [--ca FILE | --insecure] [--subscribe SPEC]... [--json] [--for SECONDS] [timing flags]
  ibkr-ws bridge --gateway URL [--ca FILE | --insecure] --nats URL[,URL…] [--prefix P] [--lease MS] [connect's flags]
                                               one IBKR session shared over NATS JetStream (docs/BRIDGE.md)
  ibkr-ws connect --oauth FILE [--gateway URL] [--ca FILE] …   straight to api.ibkr.com (docs/OAUTH.md)
  ibkr-ws demo [--for SECONDS] [--inspect]     the embedded simulator + client, with scripted faults (npm start)
  ibkr-ws sim [--port N] [--faults FILE] [--json] [--oauth]   the gateway simulator alone; faults over HTTP at /__sim/
                                               (--oauth: api.ibkr.com's OAuth side)
  ibkr-ws sim --replay FILE                    play back the gateway's side of a flight record (connect --record)
  ibkr-ws diagram [--out DIR]                  regenerate visualizations/ from the statechart

Run 'ibkr-ws <command> --help' for the options of a command.`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  connect: async () => (await import('./commands/connect.js')).runConnectCommand,
  bridge: async () => (await import('./commands/bridge.js')).runBridgeCommand,
  sim: async () => (await import('./commands/sim.js')).runSimCommand,
  demo: async () => (await import('./commands/demo.js')).runDemoCommand,
  diagram: async () => (await import('./commands/diagram.js')).runDiagramCommand,
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`ibkr-ws: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (
      await load()
    )(rest, io);
  } catch (error) {
    // The library refusing an option is a bad argument too (exit 2), whichever command passed it on.
    if (
      error instanceof UsageError ||
      (error instanceof IbkrWsError && (error.code === 'invalid-option' || error.code === 'insecure-remote'))
    ) {
      io.stderr(`ibkr-ws ${name}: ${error.message}`);
      io.stderr(`Run 'ibkr-ws ${name} --help' for the options.`);
      return 2;
    }
    io.stderr(`ibkr-ws ${name}: ${(error as Error)?.message ?? String(error)}`);
    return 1;
  }
}
