/**
 * `ibkr-ws demo` (what `npm start` runs): the embedded gateway simulator and a client, live quotes, and faults
 * injected on a visible schedule, each shown being detected and healed with the time it took. `--for N` ends it
 * cleanly after N seconds; without it, it runs (repeating the schedule) until Ctrl-C. `--json` prints the same
 * contract lines as `connect`, plus `fault` and `summary` lines.
 */
import { parseArgs } from 'node:util';
import { createIbkrWs } from '../../client.js';
import { startGatewaySimulator, type GatewaySimulator } from '../../simulator/index.js';
import { parseNonNegativeNumber } from '../args.js';
import { createDashboard, type Dashboard } from '../demo/dashboard.js';
import { FaultRunner } from '../demo/fault-runner.js';
import {
  DEMO_CYCLE_MS,
  DEMO_FAULTS,
  DEMO_OAUTH_FAULTS,
  DEMO_OAUTH_LST_LIFETIME_MS,
  type DemoFault,
} from '../demo/faults.js';
import { readOAuthFile } from '../oauth-file.js';
import { withGroupedSubscriptions } from '../demo/grouped-lines.js';
import { withQuoteTicker } from '../demo/quote-ticker.js';
import { DEMO_INSTRUMENTS, DEMO_SIMULATOR_OPTIONS, DEMO_SUBSCRIPTIONS, DEMO_TIMING } from '../demo/setup.js';
import { INSPECT_HELP, INSPECT_OPTIONS, parseInspectFlags, startCliInspection } from '../inspect-option.js';
import { UsageError, type CliIo } from '../io.js';
import { createReporter, type Reporter } from '../reporter.js';
import { runSession } from '../run-session.js';

const HELP = `Usage: ibkr-ws demo [--for SECONDS] [--json] [--oauth] [--inspect [--inspect-port N]]

Starts the gateway simulator on a free loopback port and a client against it, subscribes to
${DEMO_INSTRUMENTS.map((instrument) => `${instrument.symbol} (${instrument.conid})`).join(', ')}, shows live quotes, and injects faults:
${DEMO_FAULTS.map((fault) => `  t=${fault.at / 1_000}s  ${fault.name}: ${fault.what}${fault.followUp ? `; ${fault.followUp.afterMs / 1_000} s later ${fault.followUp.what}` : ''}`).join('\n')}
Each is shown being detected and recovered, with the time it took. The schedule repeats every ${DEMO_CYCLE_MS / 1_000} s.

  --for SECONDS        stop cleanly after SECONDS and exit 0 (default: run until Ctrl-C)
  --json               one JSON object per line (the 'connect --json' contract, plus 'fault' and 'summary' lines)
  --bridge             instead: one session shared by three consumers over NATS (needs nats-server on PATH; docs/BRIDGE.md)
  --oauth              the direct OAuth path (docs/OAUTH.md) on a simulated api.ibkr.com: a ${DEMO_OAUTH_LST_LIFETIME_MS / 1_000} s token renewed in the
                       background, and ${DEMO_OAUTH_FAULTS.map((fault) => `t=${fault.at / 1_000}s ${fault.name}`).join(', ')}
${INSPECT_HELP}`;

export interface DemoControl {
  /** Ends the demo like Ctrl-C would (tests, embedding). */
  readonly signal?: AbortSignal;
}

interface DemoArgs {
  readonly forSeconds: number | undefined;
  readonly json: boolean;
  readonly oauth: boolean;
  readonly inspect: ReturnType<typeof parseInspectFlags>;
}

export async function runDemoCommand(argv: string[], io: CliIo, control: DemoControl = {}): Promise<number> {
  // One session, many consumers over NATS: its own small demo (src/cli/demo/bridge-demo.ts).
  if (argv.includes('--bridge'))
    return (await import('../demo/bridge-demo.js')).runBridgeDemoCommand(argv, io, control.signal);
  const parsed = parseDemoArgs(argv);
  if (parsed === 'help') {
    io.stdout(HELP);
    return 0;
  }

  let simulator: GatewaySimulator;
  try {
    simulator = await startGatewaySimulator(
      parsed.oauth
        ? { ...DEMO_SIMULATOR_OPTIONS, auth: 'oauth', oauthLstLifetimeMs: DEMO_OAUTH_LST_LIFETIME_MS }
        : DEMO_SIMULATOR_OPTIONS,
    );
  } catch (error) {
    io.stderr(`ibkr-ws demo: could not start the gateway simulator: ${(error as Error).message}`);
    return 1;
  }
  const sim = simulator;
  const faults: readonly DemoFault[] = parsed.oauth ? DEMO_OAUTH_FAULTS : DEMO_FAULTS;
  try {
    const inspection = await startCliInspection(io, parsed.inspect, {
      json: parsed.json,
      title: 'ibkr-ws demo',
      knownSecrets: () => [sim.sessionValue, ...(sim.oauth ? [sim.oauth.material.accessToken] : [])],
    });
    try {
      const details = [`gateway simulator ${sim.url}`, ...(inspection ? [`live view ${inspection.url}`] : [])];
      const { reporter, dashboard } = demoReporter(io, parsed, details);
      introduce(reporter, sim, parsed, faults);
      const client = createIbkrWs({
        gateway: sim.url,
        // The simulator's credentials FILE, read exactly as `connect --oauth FILE` reads it.
        ...(parsed.oauth && sim.oauthFile !== undefined ? { oauth: readOAuthFile(sim.oauthFile) } : {}),
        tls: { ca: sim.ca },
        timing: DEMO_TIMING,
        ...(inspection ? { inspect: inspection.inspect } : {}),
      });
      return await runSession({
        client,
        subscriptions: DEMO_SUBSCRIPTIONS,
        reporter,
        ...(parsed.forSeconds === undefined ? {} : { forSeconds: parsed.forSeconds }),
        ...(control.signal === undefined ? {} : { signal: control.signal }),
        onStarted: (started) => {
          const runner = new FaultRunner({
            client: started,
            simulator: sim,
            reporter,
            faults,
            repeat: parsed.forSeconds === undefined,
          });
          dashboard?.showFaults(() => runner.records);
          runner.start();
          return () => {
            runner.stop();
            const summary = runner.summary();
            reporter.event(
              'summary',
              { faults: summary },
              `faults: ${summary.injected} injected, ${summary.detected} detected, ${summary.recovered} recovered${summary.missed > 0 ? `, ${summary.missed} missed` : ''}`,
            );
          };
        },
      });
    } finally {
      await inspection?.close();
    }
  } finally {
    await sim.close();
  }
}

function parseDemoArgs(argv: string[]): DemoArgs | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        for: { type: 'string' },
        json: { type: 'boolean' },
        oauth: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...INSPECT_OPTIONS,
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values['help']) return 'help';
  const forSeconds = typeof values['for'] === 'string' ? parseNonNegativeNumber('--for', values['for']) : undefined;
  return {
    forSeconds,
    json: Boolean(values['json']),
    oauth: Boolean(values['oauth']),
    inspect: parseInspectFlags(values),
  };
}

/** JSON lines for scripts; an in-place dashboard for a person at a terminal; throttled lines otherwise. */
function demoReporter(
  io: CliIo,
  args: DemoArgs,
  details: readonly string[],
): { reporter: Reporter; dashboard?: Dashboard } {
  if (args.json) return { reporter: createReporter(io, { json: true }) };
  if (io.interactive && io.write) {
    const dashboard = createDashboard(io, {
      title: 'ibkr-ws demo',
      instruments: DEMO_INSTRUMENTS,
      details,
      ...(args.forSeconds === undefined ? {} : { forSeconds: args.forSeconds }),
    });
    return { reporter: dashboard, dashboard };
  }
  return { reporter: withGroupedSubscriptions(withQuoteTicker(createReporter(io, { json: false }), DEMO_INSTRUMENTS)) };
}

function introduce(
  reporter: Reporter,
  simulator: GatewaySimulator,
  args: DemoArgs,
  faults: readonly DemoFault[],
): void {
  const schedule = faults.map((fault) => ({ at: fault.at, name: fault.name }));
  reporter.event(
    'demo',
    {
      simulator: simulator.url,
      schedule,
      ...(args.oauth ? { path: 'oauth' } : {}),
      ...(args.forSeconds === undefined ? {} : { forSeconds: args.forSeconds }),
    },
    `${args.oauth ? `simulated api.ibkr.com (OAuth, ${DEMO_OAUTH_LST_LIFETIME_MS / 1_000} s tokens)` : 'gateway simulator'} on ${simulator.url} (heartbeat every ${(DEMO_SIMULATOR_OPTIONS.heartbeatIntervalMs ?? 0) / 1_000} s); ` +
      `client: heartbeat timeout ${(DEMO_TIMING.heartbeatTimeoutMs ?? 0) / 1_000} s, probe ${(DEMO_TIMING.probeTimeoutMs ?? 0) / 1_000} s`,
  );
  reporter.note(`fault schedule: ${faults.map((fault) => `t=${fault.at / 1_000}s ${fault.name}`).join(' · ')}`);
}
