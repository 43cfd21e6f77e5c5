import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../src/protocol/types.js';
import { createHarness, smd } from './support.js';

const notice: ServerMessage = { kind: 'ntf', items: [{ id: '118', text: 'hello' }] };

describe('the raw escape hatch', () => {
  it('receives messages by kind, by topic or by predicate', async () => {
    const harness = createHarness();
    harness.ready();
    const byKind = harness.facade.raw({ kinds: ['ntf'] });
    const byTopic = harness.facade.raw({ topics: ['smd+1'] });
    const byPredicate = harness.facade.raw({ match: (message) => message.kind === 'blt' });
    harness.hub.onMessage(notice);
    harness.hub.onMessage(smd(1, { '31': '1' }));
    harness.hub.onMessage({ kind: 'blt', items: [] });
    expect((await byKind[Symbol.asyncIterator]().next()).value).toBe(notice);
    expect((await byTopic[Symbol.asyncIterator]().next()).value).toMatchObject({ kind: 'smd', conid: 1 });
    expect((await byPredicate[Symbol.asyncIterator]().next()).value).toMatchObject({ kind: 'blt' });
  });

  it('sends its commands at once on a ready socket and acknowledges when sent', async () => {
    const harness = createHarness();
    harness.ready();
    const handle = harness.facade.raw({
      send: { op: 'request', topic: 'shs', action: 'exercise', args: { CEX: '1' } },
    });
    expect(harness.takeSent()).toEqual([{ op: 'request', topic: 'shs', action: 'exercise', args: { CEX: '1' } }]);
    await expect(handle.acknowledged).resolves.toBeUndefined();
    expect(handle.status).toBe('active');
  });

  it('queues commands while not authenticated and flushes them, in order, once ready — once only', async () => {
    const harness = createHarness();
    const first = harness.facade.raw({ send: { op: 'echo' } });
    const second = harness.facade.raw({ send: [{ op: 'tic' }, { op: 'echo' }] });
    expect(harness.sent).toEqual([]);
    expect(first.status).toBe('pending');
    harness.ready();
    expect(harness.takeSent()).toEqual([{ op: 'echo' }, { op: 'tic' }, { op: 'echo' }]);
    await expect(first.acknowledged).resolves.toBeUndefined();
    await expect(second.acknowledged).resolves.toBeUndefined();
    harness.notReady();
    harness.ready();
    expect(harness.takeSent()).toEqual([]);
  });

  it('rejects commands past the queue bound with queue-overflow, keeping those already queued', async () => {
    const harness = createHarness({ commandQueueSize: 2 });
    const kept = harness.facade.raw({ send: [{ op: 'tic' }, { op: 'echo' }] });
    const refused = harness.facade.raw({ send: { op: 'tic' } });
    await expect(refused.acknowledged).rejects.toMatchObject({ code: 'queue-overflow' });
    expect(refused.status).toBe('failed');
    expect(harness.errors.map((error) => error.code)).toEqual(['queue-overflow']);
    harness.ready();
    expect(harness.takeSent()).toEqual([{ op: 'tic' }, { op: 'echo' }]);
    await expect(kept.acknowledged).resolves.toBeUndefined();
  });

  it('rejects queued commands with stopped when the hub stops', async () => {
    const harness = createHarness();
    const queued = harness.facade.raw({ send: { op: 'tic' } });
    harness.hub.stop();
    await expect(queued.acknowledged).rejects.toMatchObject({ code: 'stopped' });
  });

  it('is not restored after a reconnect: it is not a subscription', () => {
    const harness = createHarness();
    harness.ready();
    harness.facade.raw({ send: { op: 'subscribe', topic: 'smd', conid: 1, fields: ['31'] }, topics: ['smd+1'] });
    harness.notReady();
    harness.takeSent();
    harness.ready();
    expect(harness.takeSent()).toEqual([]);
    expect(harness.facade.subscriptions()).toEqual([]);
  });

  it('reports a throwing predicate and goes on', () => {
    const harness = createHarness();
    harness.ready();
    harness.facade.raw({
      match: () => {
        throw new Error('bad predicate');
      },
    });
    harness.hub.onMessage(notice);
    expect(harness.errors.map((error) => error.message)).toEqual([expect.stringContaining('bad predicate')]);
  });
});
