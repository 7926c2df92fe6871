/**
 * One queue: its backlog of ready messages, its consumers (served round-robin, each within its
 * prefetch), and the settlement of deliveries. Persistence goes through the Store port; the
 * queue decides what to write (persistent messages of a durable queue, and anything paged out)
 * and the confirm path waits for the store's ticket.
 */
import type { Message, QueueEntry } from '../message.js';
import type { Logger, QueueRecord, Store } from '../ports.js';
import { Backlog, type BacklogLimits } from './backlog.js';
import { Consumer, type ConsumerOptions, type DeliverySink } from './consumer.js';

export type Settlement = 'ack' | 'requeue' | 'drop';

export interface QueueStats {
  /** Ready messages (AMQP message-count). */
  ready: number;
  /** Delivered, not yet settled. */
  unacked: number;
  /** Ready messages held in RAM (the rest are paged out to the store). */
  ram: number;
  consumers: number;
}

export class Queue {
  readonly consumers: Consumer[] = [];
  private readonly backlog: Backlog;
  private nextSeq = 1;
  private roundRobin = 0;
  private unackedCount = 0;
  private dispatching = false;
  deleted = false;
  /** Auto-delete applies only once the queue has had a consumer (AMQP 0-9-1 queue.declare auto-delete). */
  hadConsumer = false;

  constructor(
    readonly record: QueueRecord,
    private readonly store: Store,
    limits: BacklogLimits,
    logger: Logger,
  ) {
    this.backlog = new Backlog(record.id, store, limits, logger, () => this.dispatch());
  }

  get name(): string {
    return this.record.name;
  }

  /** Exclusive queues die with their connection, so only durable, non-exclusive ones are stored. */
  get survivesRestart(): boolean {
    return this.record.durable && !this.record.exclusive;
  }

  get messageCount(): number {
    return this.backlog.count;
  }

  stats(): QueueStats {
    return { ready: this.backlog.count, unacked: this.unackedCount, ram: this.backlog.ramCount, consumers: this.consumers.length };
  }

  /** Called once at boot with what the store holds for this durable queue. */
  recover(count: number, lastSeq: number): void {
    this.nextSeq = lastSeq + 1;
    this.backlog.recover(count);
    this.backlog.maybePageIn();
  }

  /**
   * Adds a message; returns true when it was written to the store, so the confirm must wait
   * for that write (synced for a persistent message in a durable queue). Waiting for paged-out
   * writes too is what bounds a fast publisher by the disk instead of by RAM.
   */
  enqueue(message: Message): boolean {
    const seq = this.nextSeq++;
    const persist = this.survivesRestart && message.persistent;
    if (this.backlog.mustPageOut) {
      this.store.putMessage(this.record.id, seq, message, persist, persist);
      this.backlog.pushPagedOut(seq, message.body.length);
      return true;
    } else {
      if (persist) this.store.putMessage(this.record.id, seq, message, true, true);
      this.backlog.push({ seq, message, redelivered: false, deliveryCount: 0, stored: persist });
      this.dispatch();
    }
    return persist;
  }

  addConsumer(options: ConsumerOptions, sink: DeliverySink): Consumer {
    const consumer = new Consumer(this, options, sink);
    this.consumers.push(consumer);
    this.hadConsumer = true;
    this.dispatch();
    return consumer;
  }

  /** Stops deliveries to the consumer; its unacked deliveries stay with its connection. */
  removeConsumer(consumer: Consumer): void {
    consumer.active = false;
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) this.consumers.splice(index, 1);
  }

  /** Delivers while there are ready messages and consumers with credit. */
  dispatch(): void {
    if (this.dispatching || this.deleted) return;
    this.dispatching = true;
    try {
      while (this.backlog.ramCount > 0) {
        const consumer = this.nextConsumer();
        if (consumer === undefined) break;
        const entry = this.backlog.shift() as QueueEntry;
        entry.deliveryCount++;
        if (consumer.options.noAck) {
          this.forget(entry);
        } else {
          consumer.unacked++;
          this.unackedCount++;
        }
        consumer.sink.deliver(consumer, entry);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** Settles one delivery of `consumer`: acked, back to the queue, or dropped. */
  settle(entry: QueueEntry, consumer: Consumer, outcome: Settlement): void {
    consumer.unacked--;
    if (this.deleted) return;
    this.unackedCount--;
    if (outcome === 'requeue') {
      entry.redelivered = true;
      this.backlog.returnEntry(entry);
    } else {
      this.forget(entry);
    }
    this.dispatch();
  }

  /** Returns many deliveries at once (a closed connection's), then dispatches once. */
  requeueAll(deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }>): void {
    for (const { entry, consumer } of deliveries) {
      consumer.unacked--;
      if (this.deleted) continue;
      this.unackedCount--;
      entry.redelivered = true;
      this.backlog.returnEntry(entry);
    }
    this.dispatch();
  }

  /** Removes the ready messages; returns how many. Unacked deliveries are not touched (AMQP queue.purge). */
  purge(): number {
    const { entries, pagedOut, pagedFrom } = this.backlog.purge();
    for (const entry of entries) this.forget(entry);
    if (pagedOut > 0) this.store.purgeMessages(this.record.id, pagedFrom);
    return entries.length + pagedOut;
  }

  /** Marks the queue deleted and cancels its consumers; the vhost removes its record. */
  markDeleted(): number {
    const count = this.backlog.count;
    this.deleted = true;
    for (const consumer of this.consumers.splice(0)) {
      consumer.active = false;
      consumer.sink.cancelled(consumer, 'queue_deleted', `queue '${this.name}' was deleted`);
    }
    return count;
  }

  private forget(entry: QueueEntry): void {
    if (entry.stored) this.store.deleteMessage(this.record.id, entry.seq);
  }

  private nextConsumer(): Consumer | undefined {
    const consumers = this.consumers;
    const n = consumers.length;
    for (let i = 0; i < n; i++) {
      const index = (this.roundRobin + i) % n;
      const consumer = consumers[index] as Consumer;
      if (consumer.hasCredit) {
        this.roundRobin = (index + 1) % n;
        return consumer;
      }
    }
    return undefined;
  }
}
