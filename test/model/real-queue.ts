/**
 * The system under test: a real Broker (packages/core) over a real Store (the LevelDB store in
 * a temporary directory, or the in-memory one), driven with a FakeClock, holding the same
 * topology as the model: queue `q` (durable, its x-arguments from the QueueConfig, dead-lettering
 * to the fanout exchange `dlx`) and the durable queue `dlq` bound to `dlx`. Commands go in
 * through the VHost as the server's handlers call it; `settle` waits until the broker has nothing
 * left to do (store writes, deliveries held for the disk, pages read back), and `observe` reads
 * what a client could see in the same shape as QueueModel.observe.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, REJECTED, type BacklogLimits, type Message, type Queue, type Store, type Table, type VHost } from '@warren/core';
import { FakeClock, MemoryDisk, MemoryStore } from '@warren/core/internal';
import { LevelStore } from '@warren/store';
import type { DeadLetter, Delivery, Observation, Outcome, QueueConfig, Reason } from './queue-model.js';
import { TestConnection } from './test-connection.js';

export type StoreKind = 'memory' | 'level';

/**
 * LevelDB directories go to a tmpfs when there is one: the model checks what the queue does, not
 * whether fsync reaches the platter (test/sync does that), and a synced write per delivery on a
 * real disk would make a thousand runs take minutes.
 */
const SCRATCH = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

export function queueArguments(config: QueueConfig): Table {
  const args: Table = { 'x-dead-letter-exchange': 'dlx', 'x-overflow': config.overflow };
  if (config.maxLength !== undefined) args['x-max-length'] = config.maxLength;
  if (config.messageTtl !== undefined) args['x-message-ttl'] = config.messageTtl;
  if (config.deliveryLimit !== undefined) args['x-delivery-limit'] = config.deliveryLimit;
  if (config.deadLetterRoutingKey !== undefined) args['x-dead-letter-routing-key'] = config.deadLetterRoutingKey;
  return args;
}

/** Counts the store reads in flight (page-ins, browsing), so that `settle` can wait for them. */
function trackReads(store: Store, reads: Set<Promise<unknown>>): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key !== 'readMessages') {
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: Parameters<Store['readMessages']>) => {
        const read = target.readMessages(...args);
        reads.add(read);
        void read.finally(() => reads.delete(read)).catch(() => {});
        return read;
      };
    },
  });
}

export class RealQueue {
  readonly clock: FakeClock;
  readonly deliveries: Delivery[] = [];
  readonly problems: string[] = [];
  private readonly connections = new Map<number, TestConnection>();
  private broker!: Broker;
  private readonly reads = new Set<Promise<unknown>>();

  private constructor(
    start: number,
    private readonly limits: Partial<BacklogLimits>,
    private readonly newStore: () => Store,
    private readonly cleanup: () => Promise<void>,
  ) {
    this.clock = new FakeClock(start);
  }

  /** `limits`: the queues' RAM limits; small ones page messages out to the store and back. */
  static async open(kind: StoreKind, config: QueueConfig, start: number, limits: Partial<BacklogLimits> = {}): Promise<RealQueue> {
    let real: RealQueue;
    if (kind === 'memory') {
      const disk = new MemoryDisk();
      real = new RealQueue(start, limits, () => new MemoryStore(disk), async () => {});
    } else {
      const dir = await mkdtemp(join(SCRATCH, 'warren-model-'));
      real = new RealQueue(start, limits, () => new LevelStore(dir), () => rm(dir, { recursive: true, force: true }));
    }
    await real.boot();
    const vhost = real.vhost;
    const owner = 'setup';
    vhost.declareExchange({ name: 'dlx', type: 'fanout', durable: true, autoDelete: false, internal: false, arguments: {} }, false);
    vhost.declareQueue({ name: 'dlq', durable: true, exclusive: false, autoDelete: false, arguments: {} }, false, owner);
    vhost.bindQueue('dlq', 'dlx', '', {}, owner);
    vhost.declareQueue({ name: 'q', durable: true, exclusive: false, autoDelete: false, arguments: queueArguments(config) }, false, owner);
    await real.settle();
    return real;
  }

  get vhost(): VHost {
    return this.broker.vhost('/')!;
  }

  private queue(name: 'q' | 'dlq'): Queue {
    const queue = this.vhost.queue(name);
    if (queue === undefined) throw new Error(`queue ${name} is gone`);
    return queue;
  }

  // --- commands --------------------------------------------------------------------------------

  publish(id: string, persistent: boolean, expiration: number | undefined): boolean {
    const message: Message = {
      id,
      exchange: '',
      routingKey: 'q',
      properties: expiration === undefined ? { message_id: id } : { message_id: id, expiration: String(expiration) },
      headers: undefined,
      body: new TextEncoder().encode(id),
      persistent,
      publishedAt: this.clock.now(),
    };
    return this.vhost.publish('', message).route !== REJECTED;
  }

  consume(connection: number, tag: string, prefetch: number): void {
    this.connection(connection).consume('q', tag, prefetch);
  }

  cancel(connection: number, tag: string): void {
    this.connection(connection).cancel(tag);
  }

  settleDelivery(connection: number, index: number, multiple: boolean, outcome: Outcome): void {
    this.connection(connection).settle(index, multiple, outcome);
  }

  dropConnection(connection: number): void {
    this.connection(connection).close();
    this.connections.delete(connection);
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** Stops the broker (after closing every connection when graceful) and starts a new one on the same store. */
  async restart(graceful: boolean): Promise<void> {
    if (graceful) {
      const open = [...this.connections.keys()].sort((a, b) => a - b);
      for (const number of open) this.connection(number).cancelAll();
      for (const number of open) this.dropConnection(number);
    }
    this.connections.clear();
    await this.broker.stop();
    await this.boot();
    await this.settle();
  }

  async close(): Promise<void> {
    await this.broker.stop();
    await this.cleanup();
  }

  // --- waiting and looking -----------------------------------------------------------------------

  /** Lets the broker finish what the last command started: writes, deliveries held for the disk, page reads. */
  async settle(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      this.clock.fireDue();
      const before = this.activity();
      const commit = this.broker.store.commit();
      await new Promise<void>((resolve, reject) => this.broker.afterWrites((error) => (error ? reject(error) : resolve())));
      await Promise.allSettled([...this.reads]);
      await new Promise((resolve) => setImmediate(resolve));
      if (this.activity() === before && this.broker.store.commit() === commit && this.reads.size === 0) return;
    }
    throw new Error('the broker did not settle');
  }

  /** Ids of the ready messages of `q` that the broker counts as delivered once. */
  async countedOnce(): Promise<string[]> {
    const ready = await this.queue('q').peek(0, 100_000);
    return ready.filter((e) => e.deliveryCount === 1).map((e) => e.message.id);
  }

  async observe(): Promise<Observation> {
    const q = this.queue('q');
    const dlq = this.queue('dlq');
    const ready = await q.peek(0, 100_000);
    const dead = await dlq.peek(0, 100_000);
    const unacked: Record<number, string[]> = {};
    for (const [number, conn] of [...this.connections].sort((a, b) => a[0] - b[0])) {
      if (conn.unacked.size > 0) unacked[number] = [...conn.unacked.values()].map((d) => d.entry.message.id);
    }
    const deliveries = this.deliveries.splice(0);
    return {
      deliveries,
      ready: ready.map((e) => ({ id: e.message.id, redelivered: e.redelivered, deliveryCount: e.deliveryCount })),
      unacked,
      counts: { ready: q.stats().ready, unacked: q.stats().unacked, deadLetters: dlq.stats().ready },
      deadLetters: dead.map((e) => deadLetterOf(e.message, e.redelivered)),
    };
  }

  private activity(): string {
    const [q, dlq] = [this.queue('q').stats(), this.queue('dlq').stats()];
    return `${this.deliveries.length}/${q.ram}/${q.ready}/${q.unacked}/${dlq.ram}/${dlq.ready}`;
  }

  private async boot(): Promise<void> {
    this.broker = new Broker({ store: trackReads(this.newStore(), this.reads), clock: this.clock, limits: this.limits });
    await this.broker.start();
  }

  private connection(number: number): TestConnection {
    let conn = this.connections.get(number);
    if (conn === undefined) {
      conn = new TestConnection(number, this.vhost, this.deliveries, this.problems);
      this.connections.set(number, conn);
    }
    return conn;
  }
}

/** A dead-lettered message as the model describes it, read from its x-death history. */
function deadLetterOf(message: Message, redelivered: boolean): DeadLetter {
  const deaths = (message.headers?.['x-death'] ?? []) as { reason: Reason; queue: string; count: number; exchange: string; 'original-expiration'?: string }[];
  const [last] = deaths;
  const dead: DeadLetter = {
    id: message.id,
    reason: last?.reason as Reason,
    routingKey: message.routingKey,
    persistent: message.persistent,
    redelivered,
    death: {
      deaths: deaths.length,
      queue: last?.queue as string,
      count: last?.count as number,
      exchange: last?.exchange as string,
      first: message.headers?.['x-first-death-reason'] as Reason,
    },
  };
  if (last?.['original-expiration'] !== undefined) dead.originalExpiration = last['original-expiration'];
  return dead;
}
