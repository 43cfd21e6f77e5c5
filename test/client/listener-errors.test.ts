/**
 * A listener that throws is the listener's bug: reported as `listener-error` and the client goes on. An `error`
 * listener that throws cannot be reported that way: its exception is rethrown asynchronously, never dropped.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIbkrWs } from '../../src/client.js';
import type { IbkrWsError } from '../../src/errors.js';
import { TypedEvents } from '../../src/events.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('TypedEvents', () => {
  it('reports a throwing listener and still calls the others', () => {
    const reported: unknown[] = [];
    const events = new TypedEvents<{ tick: number }>((error) => reported.push(error));
    const seen: number[] = [];
    events.on('tick', () => {
      throw new Error('boom');
    });
    events.on('tick', (value) => seen.push(value));
    events.emit('tick', 1);
    expect(seen).toEqual([1]);
    expect(reported).toMatchObject([{ message: 'boom' }]);
  });

  it('rethrows what an error listener throws asynchronously, after the other error listeners ran', () => {
    vi.useFakeTimers();
    const reported: unknown[] = [];
    const events = new TypedEvents<{ error: Error }>((error) => reported.push(error));
    const seen: string[] = [];
    events.on('error', () => {
      throw new Error('listener bug');
    });
    events.on('error', (error) => seen.push(error.message));
    events.emit('error', new Error('gateway said no'));
    expect(seen).toEqual(['gateway said no']);
    expect(reported).toEqual([]);
    expect(() => vi.runAllTimers()).toThrow('listener bug');
  });
});

describe('the client', () => {
  it('reports a state listener that throws as listener-error and still stops cleanly', async () => {
    const client = createIbkrWs();
    const errors: IbkrWsError[] = [];
    client.on('error', (error) => errors.push(error));
    client.on('state', () => {
      throw new Error('listener bug');
    });
    await client.stop();
    expect(client.state).toBe('stopped');
    expect(errors.map((error) => error.code)).toEqual(['listener-error']);
    expect(errors[0]?.message).toMatch(/an event listener threw: listener bug/);
    expect(client.metrics().errorsByCode).toEqual({ 'listener-error': 1 });
  });
});
