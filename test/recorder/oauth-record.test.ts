/**
 * `ibkr-ws connect --oauth FILE --record R --record-payloads`, run as users run it against the simulated api.ibkr.com:
 * the record tells the `authorizing` part of the story (the transitions, the live session token call with its status)
 * and holds no secret — no access token or its secret, no live session token or the Diffie-Hellman values it came
 * from, no `Authorization` header, no session — even with frame texts in it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimCommand } from '../../src/cli/commands/sim.js';
import { parseFlightRecord, type RecordEvent } from '../../src/recorder/index.js';
import type { GatewaySimulator } from '../../src/simulator/index.js';
import { sharedOAuthMaterial } from '../simulator/support/oauth-test-client.js';
import { oauthConnectArgs, runCli } from '../cli/support/spawn-cli.js';
import { parseJsonLines, stateSequence } from '../cli/support/contract.js';
import { eventually, startSimulator, stopWhatWasStarted } from '../support/harness.js';

const dirs: string[] = [];
let recorded: { simulator: GatewaySimulator; file: string; text: string };
beforeAll(async () => {
  recorded = await recordOAuthRun();
}, 60_000);
afterAll(async () => {
  await stopWhatWasStarted();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const ofType = <T extends RecordEvent['type']>(events: readonly RecordEvent[], type: T) =>
  events.filter((event): event is Extract<RecordEvent, { type: T }> => event.type === type);

async function recordOAuthRun(): Promise<{ simulator: GatewaySimulator; file: string; text: string }> {
  const simulator = await startSimulator({
    auth: 'oauth',
    oauthMaterial: await sharedOAuthMaterial(),
    marketDataIntervalMs: 100,
  });
  const dir = mkdtempSync(join(tmpdir(), 'ibkr-ws-oauth-record-'));
  dirs.push(dir);
  const file = join(dir, 'oauth.record.jsonl');
  const run = await runCli(
    [...oauthConnectArgs(simulator), '--record', file, '--record-payloads', '--json', '--for', '4'],
    { timeoutMs: 40_000 },
  );
  expect(run.code, run.stderr).toBe(0);
  return { simulator, file, text: readFileSync(file, 'utf8') };
}

describe('a flight record of an OAuth run', () => {
  it('holds the authorizing transitions and the token call, and no secret even with payloads', async () => {
    const { simulator, text } = recorded;
    const record = parseFlightRecord(text);
    expect(record.header).toMatchObject({ reason: 'stop', payloads: true, dropped: 0 });
    const transitions = ofType(record.events, 'state');
    expect(transitions[0]).toMatchObject({ previous: 'idle', state: 'authorizing' });
    expect(transitions[1]).toMatchObject({ previous: 'authorizing', state: 'checking-session' });
    expect(transitions.map((event) => event.state)).toEqual(expect.arrayContaining(['authenticated']));
    expect(transitions.at(-1)).toMatchObject({ state: 'stopped' });
    const rest = ofType(record.events, 'rest');
    expect(rest).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/v1/api/oauth/live_session_token', status: 200 }),
    );
    expect(rest).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/v1/api/iserver/auth/ssodh/init', status: 200 }),
    );
    expect(ofType(record.events, 'frame').some((frame) => frame.kind === 'smd' && frame.text !== undefined)).toBe(true);

    const material = simulator.oauth!.material;
    for (const secret of [
      material.accessToken,
      material.accessTokenSecretPlainHex,
      material.accessTokenSecret,
      material.consumerKey,
      simulator.sessionValue,
    ]) {
      expect(text).not.toContain(secret);
    }
    // The live session token is never on the wire; what it is derived from and signed with is, and must not be here.
    expect(text).not.toMatch(
      /diffie_hellman|live_session_token_signature|oauth_signature|oauth_nonce|oauth_token|authorization/i,
    );
    expect(text).not.toMatch(/"OAuth /);
  });

  it('replays what came after the authorization to a client without --oauth, says so, and answers the token call 501', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const stop = new AbortController();
    const running = runSimCommand(
      ['--replay', recorded.file, '--port', '0', '--json'],
      { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) },
      { signal: stop.signal },
    );
    try {
      await eventually(() => stdout.length > 0, 'the listening line');
      const listening = JSON.parse(stdout[0]!) as { url: string; ca: string; replay: boolean };
      expect(listening.replay).toBe(true);
      expect(stderr).toEqual([
        `ibkr-ws sim: the record is of an OAuth run: its authorization cannot be replayed (a record holds no keys or tokens); the replay plays what came after it to a client connecting without --oauth: ibkr-ws connect --gateway ${listening.url} --ca ${listening.ca}`,
      ]);
      const run = await runCli(
        [
          'connect',
          '--gateway',
          listening.url,
          '--ca',
          listening.ca,
          '--subscribe',
          'smd:265598:31',
          '--json',
          '--for',
          '3',
        ],
        { timeoutMs: 30_000 },
      );
      expect(run.code, run.stderr).toBe(0);
      const lines = parseJsonLines(run.lines);
      expect(stateSequence(lines)).toEqual(expect.arrayContaining(['authenticated']));
      expect(lines.some((line) => line.type === 'data' && line['topic'] === 'smd+265598')).toBe(true);
      const agent = new Agent({ connect: { ca: readFileSync(listening.ca, 'utf8') } });
      try {
        const token = await request(new URL('/v1/api/oauth/live_session_token', listening.url), {
          method: 'POST',
          dispatcher: agent,
        });
        expect(token.statusCode).toBe(501);
        expect(((await token.body.json()) as { error: string }).error).toMatch(/authorization cannot be replayed/);
      } finally {
        await agent.close();
      }
    } finally {
      stop.abort();
    }
    expect(await running).toBe(0);
  }, 60_000);
});
