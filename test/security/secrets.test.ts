/**
 * The session value and cookies never leave the client in anything it prints or hands out: logs (a debug-level
 * capturing logger), errors (with their cause chains), every event, metrics, inspector events — during a full fault
 * run that goes through every path where the session is used (linger, close, drop, rotation, the waiting-for-session
 * handshake, logout/login, a competing session, 401 tickles, frames that quote the session) — and the CLI's output.
 * Every value the simulator used is searched for: the first one and each one after a rotation.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { IbkrWs } from '../../src/client.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import {
  FAST_TIMING,
  createTestClient,
  eventually,
  recordStates,
  startSimulator,
  type Recorder,
  stopWhatWasStarted,
} from '../support/harness.js';
import { OutputCollector, REPOSITORY_ROOT, TSX_CLI, exitWithin } from '../chaos/support/processes.js';
import { Capture } from './support/capture.js';

let simulator: GatewaySimulator | undefined;
let client: IbkrWs | undefined;

afterEach(stopWhatWasStarted);

/** Frames that quote the session: a reflected session message, an error echoing it, a tic reply carrying it. */
function framesQuoting(session: string): string[] {
  return [
    JSON.stringify({ session }),
    JSON.stringify({ error: `Topic unknown '${JSON.stringify({ session })}'`, code: 1 }),
    JSON.stringify({ topic: 'tic', alive: true, id: session, lastAccessed: Date.now() }),
    JSON.stringify({ topic: 'xyz', note: `api=${session}` }),
  ];
}

function leaks(capture: Capture, values: readonly string[]): string[] {
  return values.flatMap((value) => capture.find(value).map((line) => `${value.slice(0, 6)}…: ${line.slice(0, 400)}`));
}

describe('the session value never leaves the client', () => {
  it('in logs, errors, events, metrics or inspector events, through a full fault run', async () => {
    simulator = await startSimulator({ sessionValue: 'deadbeefdeadbeefdeadbeefdeadbeef', reauthenticateDelayMs: 20 });
    const sim = simulator;
    const capture = new Capture();
    // Frequent tics: their replies carry the session value as `id` (docs/PROTOCOL.md §3.3).
    client = createTestClient(sim, {
      logger: capture.logger,
      inspect: capture.inspect,
      timing: { ...FAST_TIMING, ticIntervalMs: 200 },
    });
    const ibkr = client;
    capture.attach(ibkr);
    const recorder = recordStates(ibkr);
    const values = new Set<string>([sim.sessionValue]);
    const remember = (): void => {
      values.add(sim.sessionValue);
      capture.add('metrics', ibkr.metrics());
    };

    await ibkr.start();
    const handles = [ibkr.marketData(265598, ['31', '84', '86']), ibkr.orders(), ibkr.pnl()];
    for (const handle of handles) handle.on('data', () => {});
    await Promise.all(handles.map((handle) => handle.acknowledged));
    const back = (what: string) => backAuthenticated(recorder, what);

    sim.linger();
    await recorder.waitForState('lingering-detected');
    await back('linger');
    remember();
    sim.closeSockets(1000);
    await back('close 1000');
    sim.dropConnections();
    await back('dropped connection');
    remember();
    values.add(sim.rotateSession());
    await back('session rotation');
    remember();
    sim.setRequireSessionMessage(true);
    sim.closeSockets(1000);
    await recorder.waitForState('sending-session');
    await back('waiting-for-session handshake');
    values.add(sim.rotateSession());
    await recorder.waitForState('sending-session');
    await back('rotation with the session handshake');
    remember();
    sim.logout();
    await recorder.waitForState('login-required');
    sim.login();
    await back('logout and login');
    remember();
    sim.competingSession();
    await recorder.waitForState('login-required');
    sim.login();
    await back('competing session');
    remember();
    sim.failNextTickles(2, 401);
    await recorder.waitForState('checking-session');
    await back('401 tickles');
    remember();
    for (const frame of framesQuoting(sim.sessionValue)) sim.sendRaw(frame, { binary: true });
    const tics = (): number =>
      sim.connections
        .flatMap((connection) => connection.frames)
        .filter((frame) => 'op' in frame.command && frame.command.op === 'tic' && frame.outcome === 'handled').length;
    const ticsBefore = tics();
    await eventually(() => tics() >= ticsBefore + 3, 'three more tics answered');
    remember();
    await ibkr.stop();
    capture.add('metrics', ibkr.metrics());

    // The run went where it had to: the session message was sent, the sessions rotated, the capture saw it all.
    const sessionFrames = sim.connections
      .flatMap((connection) => connection.frames)
      .filter((frame) => frame.text.startsWith('{"session"'));
    expect(sessionFrames.length).toBeGreaterThanOrEqual(2);
    expect(values.size).toBeGreaterThanOrEqual(3);
    expect(ibkr.metrics().sessionRotations).toBeGreaterThanOrEqual(1);
    expect(capture.inspectionEvents).toBeGreaterThan(100);
    expect(
      capture.find('[redacted]').length,
      'the Secret in the statechart context is serialised redacted',
    ).toBeGreaterThan(0);
    for (const state of ['lingering-detected', 'sending-session', 'login-required'])
      expect(capture.find(state).length).toBeGreaterThan(0);

    expect(leaks(capture, [...values])).toEqual([]);
  }, 60_000);

  it('in the CLI output (stdout and stderr, --json), through faults', async () => {
    simulator = await startSimulator({ sessionValue: 'feedfacefeedfacefeedfacefeedface' });
    const sim = simulator;
    const values = new Set<string>([sim.sessionValue]);
    const cli = spawn(
      process.execPath,
      [
        TSX_CLI,
        'src/cli/bin.ts',
        'connect',
        '--gateway',
        sim.url,
        '--ca',
        sim.caPath,
        '--json',
        '--for',
        '8',
        '--subscribe',
        'smd:265598:31,84,86',
        '--subscribe',
        'sor',
        '--heartbeat-timeout',
        '800',
        '--probe-timeout',
        '400',
        '--tic-interval',
        '200',
        '--tickle-interval',
        '300',
        '--backoff-initial',
        '50',
        '--backoff-max',
        '200',
      ],
      { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output = new OutputCollector(cli);
    const authenticated = (what: string) =>
      output.nextJson(
        (line) => line['type'] === 'state' && line['state'] === 'authenticated',
        15_000,
        `authenticated (${what})`,
      );
    try {
      await authenticated('start');
      sim.linger();
      await authenticated('linger');
      sim.closeSockets(1000);
      await authenticated('close');
      values.add(sim.rotateSession());
      await authenticated('rotation');
      sim.setRequireSessionMessage(true);
      sim.closeSockets(1000);
      await authenticated('waiting-for-session');
      for (const frame of framesQuoting(sim.sessionValue)) sim.sendRaw(frame, { binary: true });
      sim.logout();
      await output.nextJson(
        (line) => line['type'] === 'state' && line['state'] === 'login-required',
        10_000,
        'login-required',
      );
      sim.login();
    } finally {
      await exitWithin(cli, 20_000);
    }
    const exit = await exitWithin(cli, 1);
    expect(exit.code, output.stderr).toBe(0);
    const lines = output.jsonLines();
    expect(lines.at(-1)).toMatchObject({ type: 'state', state: 'stopped' });
    expect(lines.some((line) => line['type'] === 'data')).toBe(true);
    const capture = new Capture();
    capture.addText('stdout', output.stdout);
    capture.addText('stderr', output.stderr);
    expect(leaks(capture, [...values])).toEqual([]);
  }, 60_000);
});

/** The next entry into `authenticated` (the fault was just injected, so this is the recovery from it). */
async function backAuthenticated(recorder: Recorder, what: string): Promise<void> {
  await recorder.waitForState('authenticated', 10_000).catch((error: Error) => {
    throw new Error(`after ${what}: ${error.message}`);
  });
}
