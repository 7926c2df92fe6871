import { afterEach, describe, expect, it, vi } from 'vitest';
import { Broker } from './broker.js';
import type { Message } from './message.js';
import { FakeClock } from './testing/fake-clock.js';
import { MemoryDisk, MemoryStore } from './testing/memory-store.js';
import type { VHost } from './vhost.js';

const clock = new FakeClock();
let broker: Broker | undefined;

afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

async function start(disk: MemoryDisk): Promise<VHost> {
  broker = new Broker({ store: new MemoryStore(disk), clock });
  await broker.start();
  return broker.vhost('/')!;
}

function message(id: string, routingKey: string): Message {
  return { id, exchange: '', routingKey, properties: {}, headers: undefined, body: new TextEncoder().encode(id), persistent: true, publishedAt: clock.now() };
}

describe('recovery', () => {
  it('dead-letters messages that expired while the broker was down into their dead-letter queue, next to what it held', async () => {
    const disk = new MemoryDisk();
    const before = await start(disk);
    before.declareExchange({ name: 'dlx', type: 'fanout', durable: true, autoDelete: false, internal: false, arguments: {} }, false);
    // Declared first, so it is recovered before its dead-letter queue.
    const args = { 'x-message-ttl': 100, 'x-dead-letter-exchange': 'dlx' };
    before.declareQueue({ name: 'work', durable: true, exclusive: false, autoDelete: false, arguments: args }, false, 'conn');
    before.declareQueue({ name: 'dlq', durable: true, exclusive: false, autoDelete: false, arguments: {} }, false, 'conn');
    before.bindQueue('dlq', 'dlx', '', {}, 'conn');
    before.publish('', message('old', 'dlq'));
    before.publish('', message('a', 'work'));
    before.publish('', message('b', 'work'));
    await new Promise<void>((resolve) => broker!.afterWrites(() => resolve()));
    await broker!.stop();

    clock.advance(1_000);
    const vhost = await start(disk);
    const dlq = vhost.queue('dlq')!;
    await vi.waitFor(() => expect(dlq.stats().ready).toBe(3));
    expect((await dlq.peek(0, 10)).map((e) => e.message.id)).toEqual(['old', 'a', 'b']);
    expect(vhost.queue('work')!.stats().ready).toBe(0);
  });
});
