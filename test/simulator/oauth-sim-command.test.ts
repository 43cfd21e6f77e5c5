/**
 * `ibkr-ws sim --oauth`: prints the credentials file beside url and ca, serves the OAuth flow to a client that only
 * knows what was printed, reports refusals without a secret, and removes the file when stopped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSimCommand } from '../../src/cli/commands/sim.js';
import { isTopic, WAIT_MS } from './helpers.js';
import { OAuthTestClient } from './support/oauth-test-client.js';

function capture(): {
  stdout: string[];
  stderr: string[];
  io: { stdout: (line: string) => void; stderr: (line: string) => void };
  printed: (prefix: string) => Promise<string>;
} {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: Array<() => void> = [];
  return {
    stdout,
    stderr,
    io: {
      stdout: (line) => {
        stdout.push(line);
        for (const wake of waiters.splice(0)) wake();
      },
      stderr: (line) => stderr.push(line),
    },
    printed: (prefix) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`'${prefix}' was not printed: ${stdout.join(' | ')}`)),
          4 * WAIT_MS,
        );
        const look = (): void => {
          const line = stdout.find((candidate) => candidate.trimStart().startsWith(prefix));
          if (line === undefined) waiters.push(look);
          else {
            clearTimeout(timer);
            resolve(line.trim().slice(prefix.length).trim());
          }
        };
        look();
      }),
  };
}

describe('ibkr-ws sim --oauth', () => {
  it('prints oauth: <file>, serves LST → ssodh/init → tickle → socket, prints refusals but no secret, removes the file', async () => {
    const output = capture();
    const stop = new AbortController();
    const running = runSimCommand(['--oauth', '--port', '0', '--lst-lifetime', '60000'], output.io, {
      signal: stop.signal,
    });
    const url = await output.printed('url:');
    const wsUrl = await output.printed('ws:');
    const caPath = await output.printed('ca:');
    const oauthFile = await output.printed('oauth:');
    expect(await output.printed('Try:')).toBe(`ibkr-ws connect --oauth ${oauthFile} --gateway ${url} --ca ${caPath}`);
    const client = new OAuthTestClient({ url, wsUrl, ca: readFileSync(caPath, 'utf8'), oauthFile });
    try {
      expect((await client.requestLiveSessionToken({ tamper: true })).status).toBe(401);
      const lst = await client.requestLiveSessionToken();
      expect(lst.validated).toBe(true);
      expect(lst.json.live_session_token_expiration - Date.now()).toBeLessThanOrEqual(60_000);
      await client.authorize();
      const socket = client.openSocket();
      expect((await socket.next(isTopic('sts'))).json.args.authenticated).toBe(true);
      await socket.close();
      const file = JSON.parse(readFileSync(oauthFile, 'utf8'));
      const printed = output.stdout.join('\n');
      expect(printed).toContain('oauth: refused live-session-token POST /v1/api/oauth/live_session_token (signature)');
      expect(printed).toContain('oauth: live session token issued');
      for (const secret of [
        file.accessTokenSecret,
        file.accessToken,
        client.credentials.prepend.toString('hex'),
        client.liveSessionToken?.toString('base64'),
        client.cookie,
      ]) {
        expect(secret).toBeTruthy();
        expect(printed).not.toContain(secret as string);
      }
      expect(printed).not.toContain('PRIVATE KEY');
      expect(printed).not.toMatch(/OAuth |oauth_signature/);
    } finally {
      await client.close();
      stop.abort();
    }
    expect(await running).toBe(0);
    expect(existsSync(oauthFile)).toBe(false);
    expect(output.stderr).toEqual([]);
  });

  it('--oauth-not-activated answers invalid consumer; --ssodh-failure 410 answers Gone to every ssodh/init', async () => {
    const output = capture();
    const stop = new AbortController();
    const running = runSimCommand(['--oauth', '--port', '0', '--oauth-not-activated'], output.io, {
      signal: stop.signal,
    });
    const endpoint = {
      url: await output.printed('url:'),
      wsUrl: await output.printed('ws:'),
      ca: readFileSync(await output.printed('ca:'), 'utf8'),
      oauthFile: await output.printed('oauth:'),
    };
    const client = new OAuthTestClient(endpoint);
    try {
      const refused = await client.requestLiveSessionToken();
      expect(refused.status).toBe(401);
      expect(refused.json.error).toMatch(/^id: \d+, error: invalid consumer$/);
      expect(output.stdout).toContain(
        'oauth: refused live-session-token POST /v1/api/oauth/live_session_token (invalid-consumer)',
      );
      // A client that retries at once is pointed out: a fourth request within 10 s prints one warning.
      for (let attempt = 0; attempt < 4; attempt++) await client.requestLiveSessionToken();
      expect(output.stdout.filter((line) => line.includes('warning'))).toEqual([
        'oauth: warning: 4 live session token requests within 10 s (a client should back off)',
      ]);
    } finally {
      await client.close();
      stop.abort();
    }
    expect(await running).toBe(0);

    const second = capture();
    const stopSecond = new AbortController();
    const runningSecond = runSimCommand(['--oauth', '--port', '0', '--ssodh-failure', '410'], second.io, {
      signal: stopSecond.signal,
    });
    const other = new OAuthTestClient({
      url: await second.printed('url:'),
      wsUrl: await second.printed('ws:'),
      ca: readFileSync(await second.printed('ca:'), 'utf8'),
      oauthFile: await second.printed('oauth:'),
    });
    try {
      expect((await other.requestLiveSessionToken()).validated).toBe(true);
      for (let attempt = 0; attempt < 3; attempt++) {
        const gone = await other.call(
          'POST',
          '/v1/api/iserver/auth/ssodh/init',
          {},
          { json: { publish: true, compete: true } },
        );
        expect(gone.status).toBe(410);
      }
    } finally {
      await other.close();
      stopSecond.abort();
    }
    expect(await runningSecond).toBe(0);
  });

  it('--expire-lst-every revokes the live session token on a schedule: signed calls 401 until a new one is obtained', async () => {
    const output = capture();
    const stop = new AbortController();
    const running = runSimCommand(['--oauth', '--port', '0', '--expire-lst-every', '300'], output.io, {
      signal: stop.signal,
    });
    const client = new OAuthTestClient({
      url: await output.printed('url:'),
      wsUrl: await output.printed('ws:'),
      ca: readFileSync(await output.printed('ca:'), 'utf8'),
      oauthFile: await output.printed('oauth:'),
    });
    try {
      expect((await client.requestLiveSessionToken()).validated).toBe(true);
      await output.printed('fault expireLiveSessionToken (schedule)');
      expect((await client.call('POST', '/v1/api/tickle')).status).toBe(401);
      expect((await client.requestLiveSessionToken()).validated).toBe(true);
    } finally {
      await client.close();
      stop.abort();
    }
    expect(await running).toBe(0);
  });

  it('--expire-lst-every with --json prints each revocation as a scheduled fault object', async () => {
    const output = capture();
    const stop = new AbortController();
    const running = runSimCommand(['--oauth', '--port', '0', '--expire-lst-every', '200', '--json'], output.io, {
      signal: stop.signal,
    });
    try {
      await output.printed('{"event":"fault"');
      const faults = output.stdout
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((event) => event['event'] === 'fault');
      expect(faults[0]).toMatchObject({ name: 'expireLiveSessionToken', args: [], source: 'schedule' });
    } finally {
      stop.abort();
    }
    expect(await running).toBe(0);
  });

  it.each([
    [['--expire-lst-every', '1000'], /need --oauth/],
    [['--oauth', '--expire-lst-every', '0'], /greater than 0/],
    [['--oauth-not-activated'], /need --oauth/],
    [['--oauth', '--ssodh-failure', '503'], /500 or 410/],
    [['--lst-lifetime', '1000'], /need --oauth/],
    [['--oauth-lenient'], /need --oauth/],
    [['--oauth', '--lst-lifetime', '0'], /greater than 0/],
    [['--oauth=yes'], /takes no value/],
  ])('refuses %j with exit code 2', async (argv, message) => {
    const output = capture();
    expect(await runSimCommand(argv, output.io)).toBe(2);
    expect(output.stderr[0]).toMatch(message);
  });
});
