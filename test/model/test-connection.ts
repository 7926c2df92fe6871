/**
 * A client connection as the broker's core sees it, without a socket: the DeliverySink with the
 * per-connection state the server's Session keeps (delivery tags, unsettled deliveries in tag
 * order, consumers), and the same calls into the core for consume, cancel, settle and close as
 * packages/server/src/ws/session.ts and handlers/consume.ts make.
 */
import type { Consumer, QueueEntry, Settlement, VHost } from '@warren/core';
import type { Delivery } from './queue-model.js';

interface Unsettled {
  entry: QueueEntry;
  consumer: Consumer;
}

export class TestConnection {
  readonly writable = true;
  readonly unacked = new Map<number, Unsettled>();
  private readonly consumers = new Map<string, Consumer>();
  private nextTag = 1;

  constructor(
    readonly number: number,
    private readonly vhost: VHost,
    /** Where every delivery is recorded, as the client saw it at that moment. */
    private readonly log: Delivery[],
    /** Anything the broker did that no command here can cause. */
    private readonly problems: string[],
  ) {}

  consume(queue: string, tag: string, prefetch: number): void {
    const options = { tag, prefetch, noAck: false, exclusive: false, arguments: {}, owner: `conn-${this.number}` };
    this.consumers.set(tag, this.vhost.consume(queue, options, this));
  }

  cancel(tag: string): void {
    const consumer = this.consumers.get(tag);
    if (consumer === undefined) throw new Error(`no consumer ${tag} on connection ${this.number}`);
    this.consumers.delete(tag);
    this.vhost.cancel(consumer);
  }

  /** The unsettled delivery at `index` in tag order, or with `multiple` all up to it (handlers/consume.ts). */
  settle(index: number, multiple: boolean, outcome: Settlement): void {
    const tag = [...this.unacked.keys()][index];
    if (tag === undefined) throw new Error(`connection ${this.number} has no unsettled delivery #${index}`);
    for (const [each, delivery] of this.unacked) {
      if (each > tag) break;
      if (!multiple && each !== tag) continue;
      this.unacked.delete(each);
      delivery.consumer.queue.settle(delivery.entry, delivery.consumer, outcome);
    }
  }

  cancelAll(): void {
    for (const consumer of this.consumers.values()) this.vhost.cancel(consumer);
    this.consumers.clear();
  }

  /** The connection is gone: consumers cancelled, then unsettled deliveries requeued (Session.closed). */
  close(): void {
    this.cancelAll();
    const byQueue = new Map<Consumer['queue'], Unsettled[]>();
    for (const delivery of this.unacked.values()) {
      const list = byQueue.get(delivery.consumer.queue) ?? [];
      list.push(delivery);
      byQueue.set(delivery.consumer.queue, list);
    }
    this.unacked.clear();
    for (const [queue, deliveries] of byQueue) queue.requeueAll(deliveries);
    this.vhost.connectionClosed(`conn-${this.number}`);
  }

  // --- DeliverySink ------------------------------------------------------------------------------

  deliver(consumer: Consumer, entry: QueueEntry): void {
    this.unacked.set(this.nextTag++, { entry, consumer });
    const body = new TextDecoder().decode(entry.message.body);
    if (body !== entry.message.id) this.problems.push(`message ${entry.message.id} delivered with body '${body}'`);
    this.log.push({
      connection: this.number,
      consumer: consumer.tag,
      id: entry.message.id,
      redelivered: entry.redelivered,
      deliveryCount: entry.deliveryCount,
    });
  }

  cancelled(consumer: Consumer, code: string): void {
    this.problems.push(`consumer ${consumer.tag} cancelled by the broker: ${code}`);
  }

  revoked(consumer: Consumer, entry: QueueEntry): void {
    this.problems.push(`delivery of ${entry.message.id} to ${consumer.tag} revoked, but no ack lease was asked for`);
  }
}
