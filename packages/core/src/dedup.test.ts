import { beforeEach, describe, expect, it } from 'vitest';
import { Broker } from './broker.js';
import type { Message } from './message.js';
import type { PublishOutcome } from './message-paths.js';
import type { Clock } from './ports.js';
import { MemoryDisk, MemoryStore } from './testing/memory-store.js';
import type { VHost } from './vhost.js';

/** Time moves only when a test sets it; no test here needs a timer to fire. */
class StillClock implements Clock {
  time = 1_700_000_000_000;
  now(): number {
    return this.time;
  }
  setTimer(): () => void {
    return () => {};
  }
}
const clock = new StillClock();

let disk: MemoryDisk;
let broker: Broker;
let vhost: VHost;

async function boot(): Promise<void> {
  broker = new Broker({ store: new MemoryStore(disk), clock });
  await broker.start();
  vhost = broker.vhost('/')!;
}

async function restart(): Promise<void> {
  await broker.stop();
  await boot();
}

const written = () => new Promise<void>((resolve) => broker.afterWrites(() => resolve()));

function publish(exchange: string, routingKey: string, id: string, options: { persistent?: boolean; publisherId?: boolean } = {}): PublishOutcome {
  const message: Message = {
    id,
    exchange,
    routingKey,
    properties: { message_id: id },
    headers: undefined,
    body: new TextEncoder().encode(id),
    persistent: options.persistent ?? true,
    publishedAt: clock.now(),
  };
  return vhost.publish(exchange, message, 0, options.publisherId ?? true);
}

function declare(name: string, args: Record<string, unknown> = {}, durable = true): void {
  vhost.declareQueue({ name, durable, exclusive: false, autoDelete: false, arguments: args }, false, 'test');
}

const count = (queue: string) => vhost.queue(queue)!.messageCount;

beforeEach(async () => {
  disk = new MemoryDisk();
  clock.time = 1_700_000_000_000;
  await boot();
});

describe('dedup windows', () => {
  it('keeps a repeated message id out of the queue within the window, and lets it in after', () => {
    declare('q', { 'x-dedup-window': 1_000 });
    expect(publish('', 'q', 'a')).toMatchObject({ duplicate: false, durable: true });
    clock.time += 999;
    expect(publish('', 'q', 'a')).toMatchObject({ duplicate: true, durable: true });
    expect(publish('', 'q', 'b').duplicate).toBe(false);
    expect(count('q')).toBe(2);
    clock.time += 1;
    expect(publish('', 'q', 'a').duplicate).toBe(false);
    expect(count('q')).toBe(3);
  });

  it('never deduplicates a message whose id the broker assigned, nor a queue without a window', () => {
    declare('q', { 'x-dedup-window': 1_000 });
    declare('plain');
    for (let i = 0; i < 2; i++) {
      expect(publish('', 'q', 'same', { publisherId: false }).duplicate).toBe(false);
      expect(publish('', 'plain', 'same').duplicate).toBe(false);
    }
    expect([count('q'), count('plain')]).toEqual([2, 2]);
  });

  it('calls a message a duplicate only when every queue it was routed to held its id', () => {
    vhost.declareExchange({ name: 'fan', type: 'fanout', durable: true, autoDelete: false, internal: false, arguments: {} }, false);
    declare('windowed', { 'x-dedup-window': 1_000 });
    declare('open');
    vhost.bindQueue('windowed', 'fan', '', {}, 'test');
    vhost.bindQueue('open', 'fan', '', {}, 'test');
    publish('fan', '', 'a');
    expect(publish('fan', '', 'a').duplicate).toBe(false);
    expect([count('windowed'), count('open')]).toEqual([1, 2]);

    vhost.unbindQueue('open', 'fan', '', {}, 'test');
    expect(publish('fan', '', 'a').duplicate).toBe(true);
    expect(count('windowed')).toBe(1);
  });

  it('takes the window from a policy, the smaller one when the queue sets its own', () => {
    declare('by-policy');
    declare('both', { 'x-dedup-window': 10_000 });
    vhost.setPolicy({ vhost: '/', name: 'dedup', pattern: '.*', applyTo: 'queues', priority: 0, definition: { 'dedup-window': 500 } });
    publish('', 'by-policy', 'a');
    publish('', 'both', 'a');
    expect(publish('', 'by-policy', 'a').duplicate).toBe(true);
    clock.time += 500;
    expect(publish('', 'both', 'a').duplicate).toBe(false);
  });

  it('says durable only for a persistent message that a durable queue holds', () => {
    declare('durable', { 'x-dedup-window': 1_000 });
    declare('transient', { 'x-dedup-window': 1_000 }, false);
    expect(publish('', 'durable', 'p').durable).toBe(true);
    expect(publish('', 'durable', 'p').durable).toBe(true);
    expect(publish('', 'durable', 't', { persistent: false }).durable).toBe(false);
    expect(publish('', 'transient', 'p').durable).toBe(false);
    expect(publish('', 'nowhere', 'p')).toMatchObject({ duplicate: false, durable: false });
  });

  it('calls a persistent repeat durable only when the copy its window holds is on disk', () => {
    declare('q', { 'x-dedup-window': 1_000 });
    publish('', 'q', 'first transient', { persistent: false });
    expect(publish('', 'q', 'first transient')).toMatchObject({ duplicate: true, durable: false });
    publish('', 'q', 'first persistent');
    expect(publish('', 'q', 'first persistent', { persistent: false })).toMatchObject({ duplicate: true, durable: false });
    expect(publish('', 'q', 'first persistent')).toMatchObject({ duplicate: true, durable: true });
  });

  it('stores only the ids of persistent messages: a restart forgets a transient message and its id', async () => {
    declare('q', { 'x-dedup-window': 1_000 });
    publish('', 'q', 'kept');
    publish('', 'q', 'lost', { persistent: false });
    await written();
    await restart();
    expect(count('q')).toBe(1);
    expect(publish('', 'q', 'kept').duplicate).toBe(true);
    expect(publish('', 'q', 'lost', { persistent: false }).duplicate).toBe(false);
  });

  it('has a repeat wait for the write that holds the first copy and its id', async () => {
    declare('q', { 'x-dedup-window': 1_000 });
    const first = publish('', 'q', 'a');
    expect(first.commit?.done).toBe(false);
    expect(publish('', 'q', 'a').commit).toBe(first.commit);
    await written();
    expect(disk.dedupIds.get(vhost.queue('q')!.record.id)).toEqual(new Map([['a', clock.time]]));
  });

  it('keeps the window across a restart, minus the ids that left it meanwhile', async () => {
    declare('q', { 'x-dedup-window': 1_000 });
    publish('', 'q', 'old');
    clock.time += 600;
    publish('', 'q', 'new');
    await written();
    clock.time += 500;
    await restart();
    expect(count('q')).toBe(2);
    expect(publish('', 'q', 'new').duplicate).toBe(true);
    expect(publish('', 'q', 'old').duplicate).toBe(false);
    await written();
    expect([...disk.dedupIds.get(vhost.queue('q')!.record.id)!.keys()]).toEqual(['new', 'old']);
  });

  it('lets an id in once it left the window, even when the clock stepped back since', () => {
    declare('q', { 'x-dedup-window': 1_000 });
    const start = clock.time;
    publish('', 'q', 'later');
    clock.time = start - 1_000;
    publish('', 'q', 'earlier');
    clock.time = start + 500;
    expect(publish('', 'q', 'later').duplicate).toBe(true);
    expect(publish('', 'q', 'earlier').duplicate).toBe(false);
    expect(publish('', 'q', 'earlier').duplicate).toBe(true);
  });

  it('prunes ids that left the window from memory and the store as publishes go on', async () => {
    declare('q', { 'x-dedup-window': 1_000 });
    for (const id of ['a', 'b', 'c']) publish('', 'q', id);
    clock.time += 1_000;
    publish('', 'q', 'd');
    await written();
    expect([...disk.dedupIds.get(vhost.queue('q')!.record.id)!.keys()]).toEqual(['d']);
  });

  it('forgets the stored ids of a deleted queue, so a new queue of that name starts empty', async () => {
    declare('q', { 'x-dedup-window': 1_000 });
    publish('', 'q', 'a');
    vhost.deleteQueue('q', false, false, 'test');
    declare('q', { 'x-dedup-window': 1_000 });
    expect(publish('', 'q', 'a').duplicate).toBe(false);
    await written();
    expect(disk.dedupIds.size).toBe(1);
  });
});
