/**
 * For every fault of the simulator's control surface that a client can notice: record a run with the fault, replay
 * the record, and require the same sequence of lifecycle states (and reasons) from a client with the same options.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFlightRecord, type RecordEvent } from '../../src/recorder/index.js';
import { startReplayServer } from '../../src/simulator/replay/replay-server.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import { createTestClient, eventually, recordStates, stopWhatWasStarted } from '../support/harness.js';
import { pause, recordSteps, type ScenarioStep } from '../support/recorded-scenario.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await stopWhatWasStarted();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Scenario = [string, readonly ScenarioStep[], { payloads?: boolean }?];

const SCENARIOS: ReadonlyArray<Scenario> = [
  [
    'linger, then resume before the probe times out (a false alarm)',
    [
      async (sim) => {
        sim.linger();
        await pause(900);
        sim.resume();
      },
    ],
  ],
  ['dropConnections (1006)', [(sim) => sim.dropConnections()]],
  ['closeSockets(4000)', [(sim) => sim.closeSockets(4000)]],
  ['expireBrokerageSession', [(sim) => sim.expireBrokerageSession()]],
  [
    'competingSession, then login',
    [
      async (sim) => {
        sim.competingSession();
        await pause(400);
        sim.login();
      },
    ],
  ],
  [
    'logout, then login',
    [
      async (sim) => {
        sim.logout();
        await pause(400);
        sim.login();
      },
    ],
  ],
  ['rotateSession', [(sim) => void sim.rotateSession()]],
  [
    'maintenance on, then off',
    [
      async (sim) => {
        sim.maintenance(true);
        await pause(700);
        sim.maintenance(false);
      },
    ],
  ],
  ['sendRaw (a malformed frame)', [(sim) => sim.sendRaw('{"topic":"smd+265598","31":"1')]],
  [
    'slowHandshake, then closeSockets',
    [
      (sim) => {
        sim.slowHandshake(300);
        sim.closeSockets(1000);
      },
    ],
  ],
  [
    'failNextTickles(3, 500)',
    [
      async (sim) => {
        sim.failNextTickles(3, 500);
        sim.closeSockets(1000);
      },
    ],
  ],
  [
    'setRequireSessionMessage, then closeSockets',
    [
      (sim) => {
        sim.setRequireSessionMessage(true);
        sim.closeSockets(1000);
      },
    ],
  ],
  [
    'logout, login and a malformed frame, recorded with payloads (frames replayed as recorded)',
    [
      async (sim) => {
        sim.sendRaw('{"topic":"smd+265598","31":"1');
        sim.logout();
        await pause(400);
        sim.login();
      },
    ],
    { payloads: true },
  ],
];

const transitions = (events: readonly RecordEvent[]) =>
  events
    .filter((event): event is Extract<RecordEvent, { type: 'state' }> => event.type === 'state')
    .map((event) => `${event.state} (${event.reason ?? ''})`);

describe('a replayed record', () => {
  it.each(SCENARIOS)(
    'reproduces the states of a run with %s',
    async (_name, steps, recordOptions = {}) => {
      const dir = mkdtempSync(join(tmpdir(), 'ibkr-ws-replay-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const { text, secrets } = await recordSteps(join(dir, 'original.jsonl'), steps, {}, recordOptions);
      await stopWhatWasStarted();
      const record = parseFlightRecord(text);
      for (const secret of secrets) expect(text).not.toContain(secret);
      const expected = transitions(record.events).slice(0, -1);
      expect(record.header.payloads).toBe(recordOptions.payloads === true);

      const replay = await startReplayServer(record);
      cleanups.push(() => replay.close());
      const replayedFile = join(dir, 'replayed.jsonl');
      const client = createTestClient(replay as unknown as GatewaySimulator, { record: { file: replayedFile } });
      const states = recordStates(client);
      void client.start().catch(() => undefined);
      await eventually(
        () => states.states.length >= expected.length,
        `${expected.length} states; got ${states.states.join(' → ')}`,
        30_000,
      );
      // Longer than any gap in the original: a replay that goes further than the record would show here.
      await pause(300);
      await client.stop();
      const replayed = transitions(parseFlightRecord(readFileSync(replayedFile, 'utf8')).events).slice(0, -1);
      expect(replayed).toEqual(expected);
    },
    90_000,
  );
});
