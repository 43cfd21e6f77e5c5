import { describe, expect, it } from 'vitest';
import { collect, createHarness, errorFrame, smh } from './support.js';

describe('history requests', () => {
  it('yields the single response and then ends, releasing the gateway slot with umh+<serverId>', async () => {
    const harness = createHarness();
    harness.ready();
    const history = harness.facade.history(265598, { period: '1d', bar: '1h' });
    harness.takeSent();
    harness.hub.onMessage(smh(265598, '341115'));
    const items = await collect(history);
    expect(items).toEqual([expect.objectContaining({ kind: 'smh', serverId: '341115' })]);
    expect(harness.takeSent()).toEqual([{ op: 'unsubscribe', topic: 'smh', serverId: '341115' }]);
    expect(history.status).toBe('closed');
    await expect(history.acknowledged).resolves.toBeUndefined();
    expect(harness.facade.subscriptions()).toEqual([]);
    history.close();
    expect(harness.takeSent()).toEqual([]);
  });

  it('answers concurrent requests for one conid in the order they were sent', async () => {
    const harness = createHarness();
    harness.ready();
    const daily = harness.facade.history(265598, { period: '1d' });
    const weekly = harness.facade.history(265598, { period: '1w' });
    harness.hub.onMessage(smh(265598, '1'));
    harness.hub.onMessage(smh(265598, '2'));
    expect((await collect(daily)).map((item) => (item as { serverId: string }).serverId)).toEqual(['1']);
    expect((await collect(weekly)).map((item) => (item as { serverId: string }).serverId)).toEqual(['2']);
  });

  it('shares one request between consumers asking for exactly the same history', async () => {
    const harness = createHarness();
    harness.ready();
    const one = harness.facade.history(8314, { period: '1d' });
    const two = harness.facade.history(8314, { period: '1d' });
    expect(harness.takeSent()).toHaveLength(1);
    harness.hub.onMessage(smh(8314, '9'));
    expect(await collect(one)).toHaveLength(1);
    expect(await collect(two)).toHaveLength(1);
  });

  it('releases the slot of a response that arrives after its request was closed, without taking it for the next one', async () => {
    const harness = createHarness();
    harness.ready();
    harness.facade.history(265598, { period: '1d' }).close();
    const next = harness.facade.history(265598, { period: '2d' });
    harness.takeSent();
    harness.hub.onMessage(smh(265598, '1'));
    expect(harness.takeSent()).toEqual([{ op: 'unsubscribe', topic: 'smh', serverId: '1' }]);
    expect(next.status).toBe('pending');
    harness.hub.onMessage(smh(265598, '2'));
    expect(await collect(next)).toEqual([expect.objectContaining({ serverId: '2' })]);
  });

  it('re-sends an unanswered request after re-authentication', () => {
    const harness = createHarness();
    harness.ready();
    harness.facade.history(265598, { period: '1d' });
    harness.notReady();
    harness.takeSent();
    harness.ready();
    expect(harness.takeSent()).toEqual([{ op: 'subscribe', topic: 'smh', conid: 265598, params: { period: '1d' } }]);
  });

  it('ends the iterator with the typed error when the gateway refuses the request', async () => {
    const harness = createHarness();
    harness.ready();
    const history = harness.facade.history(265598, { period: '1d' });
    harness.hub.onMessage(errorFrame('smh+265598', 'too many concurrent history requests: at most 5'));
    await expect(collect(history)).rejects.toMatchObject({
      code: 'subscription-failed',
      message: expect.stringContaining('too many'),
    });
    expect(history.status).toBe('failed');
    expect(harness.facade.subscriptions()).toEqual([]);
  });

  it('ends the iterator with the typed error when no response comes after every retry', async () => {
    const harness = createHarness({ ackTimeoutMs: 1_000, retries: 1 });
    harness.ready();
    const history = harness.facade.history(265598, {});
    harness.clock.advance(2_000);
    await expect(collect(history)).rejects.toMatchObject({ code: 'subscription-failed' });
    // The retry's duplicate answer, if it ever comes, is released.
    harness.takeSent();
    harness.hub.onMessage(smh(265598, '77'));
    expect(harness.takeSent()).toEqual([{ op: 'unsubscribe', topic: 'smh', serverId: '77' }]);
  });
});
