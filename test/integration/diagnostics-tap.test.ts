/**
 * The diagnostics tap sees what the adapters do (REST calls, sockets, frames) against the real simulator, and what it
 * is given never holds a secret: the flight recorder and telemetry rely on both.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FrameRecord, RestCallRecord, SocketClosedRecord, SocketLifecycleRecord } from '../../src/diagnostics.js';
import { createTestClient, eventually, startSimulator, stopWhatWasStarted } from '../support/harness.js';

afterEach(stopWhatWasStarted);

function tap(framePayloads: boolean) {
  const seen = {
    rest: [] as RestCallRecord[],
    opening: [] as SocketLifecycleRecord[],
    opened: [] as SocketLifecycleRecord[],
    closed: [] as SocketClosedRecord[],
    frames: [] as FrameRecord[],
  };
  return {
    seen,
    diagnostics: {
      framePayloads,
      restCall: (record: RestCallRecord) => seen.rest.push(record),
      socketOpening: (record: SocketLifecycleRecord) => seen.opening.push(record),
      socketOpened: (record: SocketLifecycleRecord) => seen.opened.push(record),
      socketClosed: (record: SocketClosedRecord) => seen.closed.push(record),
      frame: (record: FrameRecord) => seen.frames.push(record),
    },
  };
}

describe('the diagnostics tap', () => {
  it('is told of each REST call, the socket opening and closing, and frames both ways', async () => {
    const simulator = await startSimulator();
    const { seen, diagnostics } = tap(false);
    const client = createTestClient(simulator, { diagnostics });
    await client.start();
    const quotes = client.marketData(265598, ['31']);
    await quotes.acknowledged;
    await eventually(() => seen.frames.some((frame) => frame.kind === 'heartbeat'), 'a heartbeat frame');
    simulator.closeSockets(1000);
    await eventually(() => seen.closed.length >= 1 && seen.opened.length >= 2, 'a second socket');
    await client.stop();

    const tickle = seen.rest.find((call) => call.path === '/v1/api/tickle');
    expect(tickle).toMatchObject({ method: 'POST', status: 200 });
    expect(tickle?.durationMs).toBeGreaterThanOrEqual(0);
    expect(seen.opening[0]?.socketId).toBe(1);
    expect(seen.opened[0]?.socketId).toBe(1);
    expect(seen.closed[0]).toMatchObject({ socketId: 1, code: 1000 });
    expect(seen.frames.find((frame) => frame.direction === 'in')?.kind).toBe('system-success');
    expect(seen.frames).toContainEqual(expect.objectContaining({ direction: 'out', kind: 'subscribe', topic: 'smd' }));
    expect(seen.frames).toContainEqual(expect.objectContaining({ direction: 'in', kind: 'smd', topic: 'smd+265598' }));
    expect(seen.frames.every((frame) => frame.text === undefined && frame.bytes > 0)).toBe(true);
  });

  it('hands frame texts only to a tap that asks, and never the session value', async () => {
    const simulator = await startSimulator();
    simulator.setRequireSessionMessage(true);
    const { seen, diagnostics } = tap(true);
    const client = createTestClient(simulator, { diagnostics });
    await client.start();
    await eventually(() => seen.frames.some((frame) => frame.kind === 'heartbeat'), 'a heartbeat frame');
    await client.stop();

    const sessionFrame = seen.frames.find((frame) => frame.direction === 'out' && frame.kind === 'session');
    expect(sessionFrame?.text).toMatch(/^\{"session":/);
    const everything = JSON.stringify(seen);
    expect(everything).not.toContain(simulator.sessionValue);
  });

  it('a tap that throws is reported as an error and the connection goes on', async () => {
    const simulator = await startSimulator();
    const errors: string[] = [];
    const client = createTestClient(simulator, {
      diagnostics: {
        frame: () => {
          throw new Error('tap bug');
        },
      },
    });
    client.on('error', (error) => errors.push(error.message));
    await client.start();
    await eventually(() => errors.length > 0, 'the tap error reported');
    expect(client.state).toBe('authenticated');
    expect(errors[0]).toContain('tap bug');
  });
});
