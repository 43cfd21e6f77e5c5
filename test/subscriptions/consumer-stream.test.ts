import { describe, expect, it } from 'vitest';
import { ConsumerStream } from '../../src/subscriptions/consumer-stream.js';
import { Deque } from '../../src/subscriptions/deque.js';
import { ReadingPause } from '../../src/subscriptions/reading-pause.js';
import type { Gap } from '../../src/subscriptions/index.js';
import { FakeClock } from './support.js';

function stream(size = 4, overflow: 'drop-oldest' | 'backpressure' = 'drop-oldest') {
  const clock = new FakeClock();
  const pauses: boolean[] = [];
  const drops: string[] = [];
  let returned = 0;
  const consumer = new ConsumerStream<number>({
    buffer: { size, overflow },
    maxPauseMs: 1_000,
    clock,
    pause: new ReadingPause((paused) => pauses.push(paused)),
    onDrop: (_count, reason) => drops.push(reason),
    onStall: () => drops.push('stall'),
    onReturn: () => returned++,
    overflowGap: (): Gap => ({ kind: 'gap', key: 'k', reason: 'overflow', at: clock.now() }),
  });
  return { consumer, clock, pauses, drops, returned: () => returned };
}

describe('the consumer stream', () => {
  it('hands an item straight to a waiting consumer without buffering it', async () => {
    const { consumer } = stream();
    const waiting = consumer.next();
    consumer.push(1);
    await expect(waiting).resolves.toEqual({ done: false, value: 1 });
    expect(consumer.buffered).toBe(0);
  });

  it('serves concurrent next() calls in order', async () => {
    const { consumer } = stream();
    const first = consumer.next();
    const second = consumer.next();
    consumer.push(1);
    consumer.push(2);
    await expect(first).resolves.toEqual({ done: false, value: 1 });
    await expect(second).resolves.toEqual({ done: false, value: 2 });
  });

  it('yields what is buffered after end(), then done, for ever', async () => {
    const { consumer } = stream();
    consumer.push(1);
    consumer.end();
    consumer.push(2);
    expect(await consumer.next()).toEqual({ done: false, value: 1 });
    expect(await consumer.next()).toEqual({ done: true, value: undefined });
    expect(await consumer.next()).toEqual({ done: true, value: undefined });
  });

  it('throws the failure once after the buffered items, then is done', async () => {
    const { consumer } = stream();
    consumer.push(1);
    consumer.fail(new Error('nope'));
    expect(await consumer.next()).toEqual({ done: false, value: 1 });
    await expect(consumer.next()).rejects.toThrow('nope');
    expect(await consumer.next()).toEqual({ done: true, value: undefined });
  });

  it('rejects a consumer already waiting when it fails', async () => {
    const { consumer } = stream();
    const waiting = consumer.next();
    consumer.fail(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
  });

  it('drops what is buffered and tells its owner on return()', async () => {
    const { consumer, returned } = stream();
    consumer.push(1);
    await consumer.return();
    expect(await consumer.next()).toEqual({ done: true, value: undefined });
    expect(returned()).toBe(1);
  });

  it('releases its pause and its timer when it ends while full', () => {
    const { consumer, clock, pauses } = stream(1, 'backpressure');
    consumer.push(1);
    expect(pauses).toEqual([true]);
    expect(clock.pendingTimers).toBe(1);
    consumer.end();
    expect(pauses).toEqual([true, false]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not pause again while stalled until the consumer has caught up', async () => {
    const { consumer, clock, pauses, drops } = stream(2, 'backpressure');
    consumer.push(1);
    consumer.push(2);
    clock.advance(1_000);
    expect(drops).toEqual(['stall']);
    consumer.push(3);
    expect(pauses).toEqual([true, false]);
    await consumer.next();
    await consumer.next();
    consumer.push(4);
    consumer.push(5);
    expect(pauses).toEqual([true, false, true]);
  });
});

describe('the deque', () => {
  it('keeps order across growth, shifts and unshifts', () => {
    const deque = new Deque<number>(2);
    for (let value = 1; value <= 5; value++) deque.push(value);
    expect(deque.shift()).toBe(1);
    deque.unshift(0);
    deque.push(6);
    const values: number[] = [];
    for (let value = deque.shift(); value !== undefined; value = deque.shift()) values.push(value);
    expect(values).toEqual([0, 2, 3, 4, 5, 6]);
    expect(deque.length).toBe(0);
    expect(deque.peekLast()).toBeUndefined();
  });
});
