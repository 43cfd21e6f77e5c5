/**
 * The inspector pipeline without a gateway: the real statechart with in-memory adapters feeds @statelyai/inspect,
 * every event is redacted, and the live view server streams the active states to whoever listens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startInspection, type Inspection } from '../../src/inspect/inspection.js';
import type { StatelyInspectionEvent } from '@statelyai/inspect';
import type { ViewMessage } from '../../src/inspect/live-view/feed.js';
import { SYNTHETIC_SESSION, startSyntheticConnection } from './support/synthetic-connection.js';

let inspection: Inspection | undefined;
let connection: ReturnType<typeof startSyntheticConnection> | undefined;

afterEach(async () => {
  connection?.stop();
  await inspection?.close();
  connection = undefined;
  inspection = undefined;
});

async function until(predicate: () => boolean, what: string, timeoutMs = 5_000, seen = () => ''): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what} (seen: ${seen()})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the inspection pipeline', () => {
  it('follows the lifecycle through a lingering socket and its replacement', async () => {
    inspection = await startInspection();
    const phases: string[] = [];
    inspection.feed.subscribe((message) => {
      if (message.kind === 'snapshot' && phases.at(-1) !== message.lifecycle) phases.push(message.lifecycle);
    });
    connection = startSyntheticConnection(inspection.inspect);
    const seen = () =>
      `${phases.join(' → ')}; the actor is in ${JSON.stringify(connection?.actor.getSnapshot().value)}`;
    await until(() => phases.includes('authenticated'), 'authenticated', 5_000, seen);
    connection.linger();
    await until(
      () => phases.filter((phase) => phase === 'authenticated').length === 2,
      'a second authenticated',
      5_000,
      seen,
    );
    expect(phases).toEqual([
      'idle',
      'checking-session',
      'open',
      'awaiting-session',
      'authenticated',
      'lingering-detected',
      'reconnect',
      'checking-session',
      'open',
      'awaiting-session',
      'authenticated',
    ]);
    expect(inspection.feed.snapshot?.active).toContain('socket.ready.authenticated.liveness.watching');
  });

  it('never lets the session value out: not by key, not as a Secret, not quoted in a string', async () => {
    const seen: StatelyInspectionEvent[] = [];
    inspection = await startInspection({ sinks: [(event) => seen.push(event)] });
    connection = startSyntheticConnection(inspection.inspect);
    await until(() => inspection?.feed.snapshot?.lifecycle === 'authenticated', 'authenticated');
    // A frame that quotes the session value in free text must come out scrubbed too.
    connection.actor.send({
      type: 'SOCKET.MESSAGE',
      socketId: 1,
      message: { kind: 'unknown', text: `echo ${SYNTHETIC_SESSION}` } as never,
    });
    await until(() => seen.some((event) => JSON.stringify(event).includes('echo ')), 'the quoting frame');
    const everything = JSON.stringify(seen) + JSON.stringify(inspection.feed.backlog());
    expect(everything).not.toContain(SYNTHETIC_SESSION);
    expect(everything).toContain('[redacted]');
  });
});

describe('the live view server', () => {
  it('serves the page with the statechart on loopback and streams the backlog, then snapshots', async () => {
    inspection = await startInspection();
    expect(inspection.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await (await fetch(inspection.url)).text();
    expect(page).toContain('data-state-path="socket.ready.authenticated"');
    expect(page).toContain('<script src="/app.js">');

    connection = startSyntheticConnection(inspection.inspect);
    await until(() => inspection?.feed.snapshot?.lifecycle === 'authenticated', 'authenticated');
    const controller = new AbortController();
    const response = await fetch(new URL('/events', inspection.url), { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    while (text.split('"lifecycle":"authenticated"').length < 3)
      text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const snapshots = [...text.matchAll(/event: snapshot\ndata: (.*)\n/g)].map(
      (match) => JSON.parse(match[1]!) as ViewMessage,
    );
    // The backlog replays the lifecycle so far (a page opened late still shows the timeline), the current state last.
    const phases = snapshots
      .map((snapshot) => (snapshot.kind === 'snapshot' ? snapshot.lifecycle : ''))
      .filter((phase, index, all) => phase !== all[index - 1]);
    expect(phases).toEqual(['idle', 'checking-session', 'open', 'awaiting-session', 'authenticated']);
    expect(text).not.toContain(SYNTHETIC_SESSION);
  });

  it('refuses requests that do not address it by its loopback name', async () => {
    inspection = await startInspection();
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(inspection!.url, { headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('closes every stream and its port when closed', async () => {
    inspection = await startInspection();
    const response = await fetch(new URL('/events', inspection.url));
    const reader = response.body!.getReader();
    await reader.read();
    await inspection.close();
    let text = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      text += new TextDecoder().decode(chunk.value);
    expect(text).toContain('event: end');
    await expect(fetch(inspection.url)).rejects.toThrow();
  });
});
