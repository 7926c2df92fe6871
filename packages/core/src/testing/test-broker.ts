/**
 * A broker for core tests: an in-memory store over a disk that outlives restarts, a FakeClock,
 * and a connection as the queues see it (RecordingSink). A test file keeps one TestBroker and
 * stops it after each test; crash() and restart() bring it back on the same disk.
 */
import { Broker } from '../broker.js';
import type { QueueEntry, Table } from '../message.js';
import type { BacklogLimits } from '../queue/backlog.js';
import type { Consumer, DeliverySink } from '../queue/consumer.js';
import type { VHost } from '../vhost.js';
import { FakeClock } from './fake-clock.js';
import { MemoryDisk, MemoryStore } from './memory-store.js';

/** Records each delivery (with the count it went out with) and each take-back. */
export class RecordingSink implements DeliverySink {
  writable = true;
  readonly delivered: { consumer: Consumer; entry: QueueEntry; count: number }[] = [];
  readonly revokedEntries: QueueEntry[] = [];

  deliver(consumer: Consumer, entry: QueueEntry): void {
    this.delivered.push({ consumer, entry, count: entry.deliveryCount });
  }

  cancelled(): void {}

  revoked(_consumer: Consumer, entry: QueueEntry): void {
    this.revokedEntries.push(entry);
  }

  get last(): { consumer: Consumer; entry: QueueEntry; count: number } {
    return this.delivered[this.delivered.length - 1]!;
  }

  /** The delivered messages' ids, in order. */
  get ids(): string[] {
    return this.delivered.map((d) => d.entry.message.id);
  }
}

export class TestBroker {
  broker: Broker | undefined;
  disk = new MemoryDisk();

  constructor(
    public clock = new FakeClock(),
    private limits: Partial<BacklogLimits> = {},
  ) {}

  /** Starts on `disk` (a fresh one by default) and answers the default vhost; crash() and restart() keep the limits. */
  async start(disk = new MemoryDisk(), limits = this.limits): Promise<VHost> {
    this.disk = disk;
    this.limits = limits;
    this.broker = new Broker({ store: new MemoryStore(disk), clock: this.clock, limits: this.limits });
    await this.broker.start();
    return this.broker.vhost('/')!;
  }

  /** A kill -9 once the writes landed: memory is gone, the disk stays, the timers die with it. */
  async crash(): Promise<VHost> {
    this.broker = undefined;
    this.clock = new FakeClock();
    return this.start(this.disk);
  }

  /** A graceful stop and a start on the same disk. */
  async restart(): Promise<VHost> {
    await this.stop();
    return this.start(this.disk);
  }

  /** Resolves once every write requested so far is applied. */
  written(): Promise<void> {
    return new Promise<void>((resolve) => this.broker!.afterWrites(() => resolve()));
  }

  async stop(): Promise<void> {
    await this.broker?.stop();
    this.broker = undefined;
  }
}

/** Declares a durable, shared queue, as connection `owner` would. */
export function declareDurable(vhost: VHost, name: string, args: Table = {}, owner = 'conn-1'): void {
  vhost.declareQueue({ name, durable: true, exclusive: false, autoDelete: false, arguments: args }, false, owner);
}
