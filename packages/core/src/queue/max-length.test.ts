import { afterEach, describe, expect, it, vi } from 'vitest';
import { Broker } from '../broker.js';
import type { BacklogLimits } from './backlog.js';
import type { Message, QueueEntry, Table } from '../message.js';
import { FakeClock } from '../testing/fake-clock.js';
import { MemoryDisk, MemoryStore } from '../testing/memory-store.js';
import type { VHost } from '../vhost.js';
import type { Consumer, DeliverySink } from './consumer.js';

class HoldingSink implements DeliverySink {
  writable = true;
  deliver(_consumer: Consumer, _entry: QueueEntry): void {}
  cancelled(): void {}
  revoked(): void {}
}

const clock = new FakeClock();
let broker: Broker | undefined;

afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

async function start(disk: MemoryDisk, limits: Partial<BacklogLimits> = {}): Promise<VHost> {
  broker = new Broker({ store: new MemoryStore(disk), clock, limits });
  await broker.start();
  return broker.vhost('/')!;
}

/** `work` with a one-message drop-head limit, dead-lettering to `dlq` through the default exchange. */
function declare(vhost: VHost): void {
  const args: Table = { 'x-max-length': 1, 'x-overflow': 'drop-head', 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dlq' };
  vhost.declareQueue({ name: 'dlq', durable: true, exclusive: false, autoDelete: false, arguments: {} }, false, 'conn');
  vhost.declareQueue({ name: 'work', durable: true, exclusive: false, autoDelete: false, arguments: args }, false, 'conn');
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
    const vhost = await start(new MemoryDisk());
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
    const disk = new MemoryDisk();
    const limits = { maxRamMessages: 3, pageSize: 2 };
    const before = await start(disk, limits);
    declare(before);
    const sink = new HoldingSink();
    before.consume('work', { tag: 'c', prefetch: 0, noAck: false, exclusive: false, arguments: {}, owner: 'conn' }, sink);
    before.publish('', message('a', true));
    before.publish('', message('b', true));
    await new Promise<void>((resolve) => broker!.afterWrites(() => resolve()));
    await broker!.stop();

    // Both come back ready, over the limit, read back one page (one message) at a time.
    const vhost = await start(disk, limits);
    const work = vhost.queue('work')!;
    await vi.waitFor(() => expect(work.stats().ready).toBe(1));
    expect(await deadLetters(vhost)).toEqual(['a:maxlen']);
    expect((await work.peek(0, 10)).map((e) => e.message.id)).toEqual(['b']);
  });
});
