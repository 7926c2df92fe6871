import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message, Table } from '../message.js';
import { MemoryDisk } from '../testing/memory-store.js';
import { declareDurable, RecordingSink, TestBroker } from '../testing/test-broker.js';
import type { VHost } from '../vhost.js';

const t = new TestBroker();
afterEach(() => t.stop());
const clock = t.clock;

/** `work` with a one-message drop-head limit, dead-lettering to `dlq` through the default exchange. */
function declare(vhost: VHost): void {
  const args: Table = { 'x-max-length': 1, 'x-overflow': 'drop-head', 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dlq' };
  declareDurable(vhost, 'dlq');
  declareDurable(vhost, 'work', args);
}

function message(id: string, persistent: boolean, expiration?: string): Message {
  const properties = expiration === undefined ? {} : { expiration };
  return { id, exchange: '', routingKey: 'work', properties, headers: undefined, body: new TextEncoder().encode(id), persistent, publishedAt: clock.now() };
}

async function deadLetters(vhost: VHost): Promise<string[]> {
  const entries = await vhost.queue('dlq')!.peek(0, 100);
  return entries.map((e) => `${e.message.id}:${(e.message.headers?.['x-death'] as { reason: string }[])[0]!.reason}`);
}

describe('x-max-length with drop-head', () => {
  it('dead-letters a new head that has already expired, and one that expires later when it is due', async () => {
    const vhost = await t.start();
    declare(vhost);
    vhost.publish('', message('a', false));
    vhost.publish('', message('b', false, '0'));
    expect(vhost.queue('work')!.stats().ready).toBe(0);
    expect(await deadLetters(vhost)).toEqual(['a:maxlen', 'b:expired']);

    vhost.publish('', message('c', false));
    vhost.publish('', message('d', false, '50'));
    clock.advance(50);
    expect(vhost.queue('work')!.stats().ready).toBe(0);
    expect(await deadLetters(vhost)).toEqual(['a:maxlen', 'b:expired', 'c:maxlen', 'd:expired']);
  });

  it('drops the oldest messages when they are paged out, as their page comes back', async () => {
    const before = await t.start(new MemoryDisk(), { maxRamMessages: 3, pageSize: 2 });
    declare(before);
    const sink = new RecordingSink();
    before.consume('work', { tag: 'c', prefetch: 0, noAck: false, exclusive: false, arguments: {}, owner: 'conn' }, sink);
    before.publish('', message('a', true));
    before.publish('', message('b', true));
    await t.written();

    // Both come back ready, over the limit, read back one page (one message) at a time.
    const vhost = await t.restart();
    const work = vhost.queue('work')!;
    await vi.waitFor(() => expect(work.stats().ready).toBe(1));
    expect(await deadLetters(vhost)).toEqual(['a:maxlen']);
    expect((await work.peek(0, 10)).map((e) => e.message.id)).toEqual(['b']);
  });
});
