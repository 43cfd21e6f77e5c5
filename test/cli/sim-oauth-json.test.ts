/**
 * `ibkr-ws sim --oauth --json`: one `oauth-request` line per request IBKR's side checked (endpoint, method, path,
 * outcome, reason), so a harness in any language can follow the verdicts; never the access token, its secret, a live
 * session token, a signature, an `Authorization` header or the session. And a fault schedule naming an OAuth fault
 * without `--oauth` is refused at start (exit 2), not when the step fires.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimCommand } from '../../src/cli/commands/sim.js';
import { OAuthTestClient } from '../simulator/support/oauth-test-client.js';
import { eventually } from '../support/harness.js';

function jsonIo(): {
  lines: Array<Record<string, any>>;
  stdout: string[];
  stderr: string[];
  io: { stdout: (line: string) => void; stderr: (line: string) => void };
} {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const lines: Array<Record<string, any>> = [];
  return {
    lines,
    stdout,
    stderr,
    io: {
      stdout: (line) => {
        stdout.push(line);
        lines.push(JSON.parse(line) as Record<string, any>);
      },
      stderr: (line) => stderr.push(line),
    },
  };
}

describe('ibkr-ws sim --oauth --json', () => {
  it('prints an oauth-request line per verdict, refusals with their reason, and no secret', async () => {
    const output = jsonIo();
    const stop = new AbortController();
    const running = runSimCommand(['--oauth', '--port', '0', '--json'], output.io, { signal: stop.signal });
    await eventually(() => output.lines.some((line) => line['event'] === 'listening'), 'the listening line');
    const listening = output.lines.find((line) => line['event'] === 'listening')!;
    const client = new OAuthTestClient({
      url: listening['url'],
      wsUrl: listening['ws'],
      ca: readFileSync(listening['ca'], 'utf8'),
      oauthFile: listening['oauth'],
    });
    let secrets: string[];
    try {
      expect((await client.requestLiveSessionToken({ tamper: true })).status).toBe(401);
      await client.authorize();
      expect((await client.call('GET', '/v1/api/iserver/accounts', { extra: 'x y' })).status).toBe(200);
      expect((await client.call('POST', '/v1/api/tickle', {}, { tamper: true })).status).toBe(401);
      secrets = [
        client.credentials.accessToken,
        client.credentials.prepend.toString('hex'),
        client.liveSessionToken!.toString('hex'),
        client.liveSessionToken!.toString('base64'),
        client.cookie!,
      ];
    } finally {
      await client.close();
      stop.abort();
    }
    expect(await running).toBe(0);
    const requests = output.lines.filter((line) => line['event'] === 'oauth-request');
    expect(requests[0]).toEqual({
      event: 'oauth-request',
      endpoint: 'live-session-token',
      method: 'POST',
      path: '/v1/api/oauth/live_session_token',
      outcome: 'rejected',
      reason: 'signature',
      at: expect.any(Number),
    });
    expect(requests[1]).toMatchObject({ endpoint: 'live-session-token', outcome: 'accepted' });
    expect(requests[1]).not.toHaveProperty('reason');
    expect(requests).toContainEqual(
      expect.objectContaining({
        endpoint: 'signed-request',
        method: 'POST',
        path: '/v1/api/iserver/auth/ssodh/init',
        outcome: 'accepted',
        variant: 'standard',
      }),
    );
    // The path is the path: the query never reaches the output.
    expect(requests).toContainEqual(
      expect.objectContaining({
        endpoint: 'signed-request',
        method: 'GET',
        path: '/v1/api/iserver/accounts',
        outcome: 'accepted',
      }),
    );
    expect(requests.at(-1)).toMatchObject({
      endpoint: 'signed-request',
      path: '/v1/api/tickle',
      outcome: 'rejected',
      reason: 'signature',
    });
    for (const request of requests)
      expect(Object.keys(request).sort()).toEqual(
        expect.arrayContaining(['at', 'endpoint', 'event', 'method', 'outcome', 'path']),
      );
    for (const request of requests)
      expect(
        Object.keys(request).every((key) =>
          ['at', 'endpoint', 'event', 'method', 'outcome', 'path', 'reason', 'variant'].includes(key),
        ),
      ).toBe(true);
    const everything = [...output.stdout, ...output.stderr].join('\n');
    expect(everything).not.toContain('extra=');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/oauth_signature|oauth_nonce|OAuth realm|authorization/i);
    // --json leaves out the people's `oauth:` lines: every line is JSON.
    expect(output.lines.at(-1)).toMatchObject({ event: 'stopped' });
  }, 30_000);
});

describe('ibkr-ws sim --faults with OAuth faults', () => {
  it('refuses an OAuth fault in a gateway-mode schedule at start (exit 2), naming the step', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ibkr-ws-oauth-schedule-'));
    try {
      const file = join(folder, 'faults.json');
      writeFileSync(
        file,
        JSON.stringify([
          { at: 1, fault: 'linger' },
          { at: 5, fault: 'failSsodhInit', args: [410, 2] },
        ]),
      );
      const output = jsonIo();
      expect(await runSimCommand(['--port', '0', '--faults', file], output.io)).toBe(2);
      expect(output.stderr[0]).toBe('ibkr-ws sim: --faults: failSsodhInit (at 5s) needs --oauth');
      const bad = join(folder, 'bad.json');
      writeFileSync(bad, JSON.stringify([{ at: 1, fault: 'failSsodhInit', args: [404] }]));
      const refused = jsonIo();
      expect(await runSimCommand(['--port', '0', '--oauth', '--faults', bad], refused.io)).toBe(2);
      expect(refused.stderr[0]).toMatch(/failSsodhInit: argument 'status' must be 500 or 410, got 404/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('fires an OAuth fault from a schedule with --oauth, reported as a fault line', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ibkr-ws-oauth-schedule-'));
    const output = jsonIo();
    const stop = new AbortController();
    try {
      const file = join(folder, 'faults.json');
      writeFileSync(file, JSON.stringify([{ at: 0.2, fault: 'expireLiveSessionToken' }]));
      const running = runSimCommand(['--port', '0', '--oauth', '--json', '--faults', file], output.io, {
        signal: stop.signal,
      });
      await eventually(() => output.lines.some((line) => line['event'] === 'fault'), 'the scheduled fault', 10_000);
      stop.abort();
      expect(await running).toBe(0);
      expect(output.lines.find((line) => line['event'] === 'fault')).toMatchObject({
        name: 'expireLiveSessionToken',
        args: [],
        source: 'schedule',
      });
      expect(output.stderr).toEqual([]);
    } finally {
      stop.abort();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 20_000);
});
