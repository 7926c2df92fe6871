import { afterEach, describe, expect, it } from 'vitest';
import type { Message, QueueEntry } from './message.js';
import { moveEntries, planRedrive } from './redrive.js';
import { FakeClock } from './testing/fake-clock.js';
import { declareDurable, RecordingSink, TestBroker } from './testing/test-broker.js';
import type { VHost } from './vhost.js';

const t = new TestBroker(new FakeClock(), { maxRamMessages: 4, pageSize: 2 });
afterEach(() => t.stop());
const clock = t.clock;

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Every ready entry, read a page at a time as a browse does. */
async function readyEntries(vhost: VHost, queue: string): Promise<QueueEntry[]> {
  const all: QueueEntry[] = [];
  for (let page = await vhost.queue(queue)!.readyAfter(0, 100); page.length > 0; page = await vhost.queue(queue)!.readyAfter(all.at(-1)!.seq, 100)) {
    all.push(...page);
  }
  return all;
}

function dead(id: string, from: string): Message {
  const headers = { 'x-death': [{ count: 1, reason: 'rejected', queue: from, exchange: '', 'routing-keys': [from], time: 1 }] };
  return { id, exchange: '', routingKey: 'dlq', properties: {}, headers, body: new TextEncoder().encode(id), persistent: true, publishedAt: clock.now() };
}

async function deadLetterQueue(size: number): Promise<VHost> {
  const vhost = await t.start();
  for (const name of ['dlq', 'origin']) declareDurable(vhost, name);
  for (let i = 0; i < size; i++) vhost.queue('dlq')!.enqueue(dead(`m${i}`, i === size - 1 ? 'gone' : 'origin'));
  await settle();
  return vhost;
}

describe('moving paged-out messages', () => {
  it('moves them out while a page is being read, and the queue still delivers the rest in order', async () => {
    const vhost = await deadLetterQueue(20);
    const dlq = vhost.queue('dlq')!;
    const all = await readyEntries(vhost, 'dlq');
    expect(all.map((e) => e.message.id)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    // Draining RAM starts a page read; the move lands while it is in flight.
    for (let i = 0; i < 4; i++) dlq.shiftReady();
    const pagedOut = all.filter((e) => ['m9', 'm12', 'm19'].includes(e.message.id));
    expect(moveEntries(dlq, vhost.paths, pagedOut, undefined)).toEqual({ moved: 2, skipped: 1 });
    expect(moveEntries(dlq, vhost.paths, pagedOut, undefined)).toEqual({ moved: 0, skipped: 1 });

    const sink = new RecordingSink();
    vhost.consume('dlq', { owner: 'conn', noAck: true, prefetch: 0, exclusive: false, tag: 't' } as never, sink);
    await expect.poll(() => sink.ids.length).toBe(14);
    expect(sink.ids).toEqual(['m4', 'm5', 'm6', 'm7', 'm8', 'm10', 'm11', 'm13', 'm14', 'm15', 'm16', 'm17', 'm18', 'm19']);
    expect(await readyEntries(vhost, 'origin')).toMatchObject([{ message: { id: 'm9' } }, { message: { id: 'm12' } }]);
  });

  it('plans without moving: groups by origin, and what has nowhere to go', async () => {
    const vhost = await deadLetterQueue(6);
    const plan = await planRedrive(vhost.queue('dlq')!, (name) => vhost.queue(name) !== undefined, { reason: 'rejected' }, undefined);
    expect(plan).toEqual({ matched: 6, groups: [{ to: { queue: 'origin' }, count: 5 }, { to: null, count: 1 }] });
    expect(vhost.queue('dlq')!.messageCount).toBe(6);
  });
});
