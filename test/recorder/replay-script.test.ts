import { describe, expect, it } from 'vitest';
import type { FlightRecord, RecordEvent } from '../../src/recorder/index.js';
import { buildReplayScript, pickRestAnswer, type RestAnswer } from '../../src/simulator/replay/replay-script.js';
import { replayFrameText } from '../../src/simulator/replay/replay-frames.js';

function record(events: RecordEvent[]): FlightRecord {
  const header = {
    format: 'ibkr-ws-record',
    version: 1,
    startedAt: 0,
    dumpedAt: 0,
    reason: 'stop',
    payloads: false,
    bounds: { maxEvents: 1, maxAgeMs: 0, maxBytes: 1 },
    events: events.length,
    dropped: 0,
  } as const;
  return { header, events };
}

const state = (t: number, name: string, reason?: string): RecordEvent => ({
  t,
  type: 'state',
  state: name,
  previous: 'x',
  ...(reason === undefined ? {} : { reason }),
});
const frame = (
  t: number,
  socket: number,
  kind: string,
  extra: Partial<Extract<RecordEvent, { type: 'frame' }>> = {},
): RecordEvent => ({ t, type: 'frame', dir: 'in', socket, kind, bytes: 10, ...extra });
const tickle = (t: number, status: number): RecordEvent => ({
  t,
  type: 'rest',
  method: 'POST',
  path: '/v1/api/tickle',
  status,
  ms: 5,
});

describe('the replay script', () => {
  it('plays a close only when the gateway made it: the client still stood in a socket phase', () => {
    const script = buildReplayScript(
      record([
        state(0, 'open'),
        { t: 10, type: 'socket-opening', socket: 1 },
        { t: 20, type: 'socket-opened', socket: 1 },
        frame(70, 1, 'system-success'),
        state(71, 'authenticated', 'greeting'),
        { t: 500, type: 'socket-closed', socket: 1, code: 1000, reason: '' },
        state(501, 'reconnect', 'closed-1000'),
        { t: 600, type: 'socket-opening', socket: 2 },
        { t: 900, type: 'socket-opened', socket: 2 },
        state(901, 'authenticated'),
        state(1_900, 'lingering-detected', 'silence'),
        state(2_300, 'reconnect', 'probe-timeout'),
        { t: 2_310, type: 'socket-closed', socket: 2, code: 1006, reason: '' },
      ]),
    );
    expect(script.sockets[0]?.actions).toEqual([
      { atMs: 50, type: 'frame', frame: { kind: 'system-success', bytes: 10 } },
      { atMs: 480, type: 'close', code: 1000 },
    ]);
    // The client condemned socket 2 itself: nothing to play but its slow handshake.
    expect(script.sockets[1]).toMatchObject({ handshakeDelayMs: 300, refused: false, actions: [] });
  });

  it('reads what a 200 tickle said from what the client did next', () => {
    const script = buildReplayScript(
      record([
        tickle(0, 200),
        state(10, 'open', 'session-authenticated'),
        tickle(100, 200),
        { t: 110, type: 'login-required', reason: 'competing', competing: true },
        state(111, 'login-required', 'login-required:competing'),
        tickle(200, 200),
        tickle(300, 200),
        { t: 305, type: 'session-rotated' },
        state(310, 'open', 'logged-in'),
      ]),
    );
    const answers = script.rest.get('/v1/api/tickle') ?? [];
    expect(answers.map((answer) => [answer.verdict, answer.rotate])).toEqual([
      ['authenticated', false],
      ['competing', false],
      ['competing', false],
      ['authenticated', true],
    ]);
  });

  it('answers from the same gap in order, the last repeating; an empty gap takes the next gap first', () => {
    const answer = (gap: number, status: number): RestAnswer => ({
      gap,
      status,
      delayMs: 0,
      verdict: 'authenticated',
      rotate: false,
    });
    const answers = [answer(1, 200), answer(3, 401), answer(3, 401), answer(3, 200)];
    expect(pickRestAnswer(answers, 3, 0)?.status).toBe(401);
    expect(pickRestAnswer(answers, 3, 7)?.status).toBe(200);
    expect(pickRestAnswer(answers, 2, 0)?.status).toBe(401);
    expect(pickRestAnswer(answers, 9, 0)?.status).toBe(200);
  });

  it('rebuilds frames of the recorded kind without payloads', () => {
    expect(JSON.parse(replayFrameText({ kind: 'sts', bytes: 40, sts: { authenticated: false } }, 's'))).toEqual({
      topic: 'sts',
      args: { authenticated: false },
    });
    expect(JSON.parse(replayFrameText({ kind: 'smd', topic: 'smd+8314', bytes: 80 }, 's'))).toMatchObject({
      topic: 'smd+8314',
      conid: 8314,
    });
    expect(replayFrameText({ kind: 'echo', bytes: 6 }, 's')).toBe('ech+hb');
    const undecodable = replayFrameText({ kind: 'undecodable', bytes: 300 }, 's');
    expect(undecodable.length).toBe(300);
    expect(() => JSON.parse(undecodable)).toThrow();
    expect(replayFrameText({ kind: 'smd', bytes: 9, text: '{"topic":"smd+1","31":"[redacted]"}' }, 's')).toBe(
      '{"topic":"smd+1","31":"[redacted]"}',
    );
  });
});
