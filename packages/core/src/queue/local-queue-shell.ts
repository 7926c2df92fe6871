/**
 * The local shell of a classic queue: carries out the queue machine's effects (queue-effects.ts)
 * on this node. Store writes go to the Store as they are (group commit orders them), timers to
 * the Clock, deliveries through the delivery gate (held until their count is stored, for a
 * durable queue's persistent messages: delivery-record.ts, delivery-gate.ts) to the consumer's
 * connection, dead-letters and retries to the vhost. What comes back from outside (a timer, a
 * delivery let out, a page read, a connection filling up or draining) goes into the machine as a
 * command, with the time read here.
 */
import type { DeathReason } from '../dead-letter.js';
import type { Message, QueueEntry } from '../message.js';
import type { Clock, Logger, QueueRecord, StoredMessage } from '../ports.js';
import type { PageRequest } from './backlog.js';
import type { Consumer } from './consumer.js';
import { DeliveryGate } from './delivery-gate.js';
import { DeliveryRecord } from './delivery-record.js';
import type { QueueCommand, QueueTimer } from './queue-command.js';
import type { QueueEffects, QueueWrites } from './queue-effects.js';
import type { Queue, QueueHost } from './queue.js';

type HandOver = Extract<QueueCommand, { kind: 'hand-over' }>;

export class LocalQueueShell implements QueueEffects {
  readonly writes: QueueWrites;
  readonly deliveryRecord: DeliveryRecord;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly gate: DeliveryGate;
  /** Consumers whose connection was found full after a delivery: a credit command tells the machine before its next command. */
  private full: Consumer[] = [];
  private dispatchPending = false;
  private queue!: Queue;
  /** Inside a round's end, that is inside the machine's apply: its time is the command's. */
  private inside = 0;
  private readonly timers: Record<QueueTimer, (() => void) | undefined> = { ttl: undefined, lease: undefined, expires: undefined };
  private readonly fires: Record<QueueTimer, () => void> = {
    ttl: () => this.fire('ttl'),
    lease: () => this.fire('lease'),
    expires: () => this.fire('expires'),
  };
  /** Reused for every hand-over (one per delivery): the machine reads a command's fields before anything else runs. */
  private readonly handOver: HandOver = { kind: 'hand-over', now: 0, consumer: undefined as unknown as Consumer, entry: undefined as unknown as QueueEntry };

  constructor(
    record: QueueRecord,
    private readonly host: QueueHost,
  ) {
    this.writes = host.store;
    this.clock = host.clock;
    this.deliveryRecord = new DeliveryRecord(host.store, record.id);
    const logger: Logger = host.logger;
    this.logger = logger;
    this.gate = new DeliveryGate(host.store, this.release, (error) =>
      logger.error({ queue: record.name, err: error }, 'writing delivery counts failed; delivering anyway'),
    );
  }

  bind(queue: Queue): void {
    this.queue = queue;
  }

  send(consumer: Consumer, entry: QueueEntry, durableCount: boolean): boolean {
    return this.gate.admit(consumer, entry, durableCount && this.deliveryRecord.record(entry));
  }

  endRound(): void {
    this.inside++;
    this.gate.seal();
    this.inside--;
  }

  deliver(consumer: Consumer, entry: QueueEntry): void {
    const stats = this.queue.messageStats;
    if (consumer.options.noAck) stats.deliver_no_ack++;
    else stats.deliver++;
    if (entry.redelivered) stats.redeliver++;
    const sink = consumer.sink;
    sink.deliver(consumer, entry);
    if (!sink.writable && !this.full.includes(consumer)) this.full.push(consumer);
  }

  dispatchLater(): void {
    if (this.dispatchPending) return;
    this.dispatchPending = true;
    // A microtask: the round goes on before other I/O, as one long round did, yet after the
    // command that cut it returned.
    void Promise.resolve().then(() => {
      this.dispatchPending = false;
      this.queue.dispatch();
    });
  }

  /** Before the machine's next command: tells it which connections filled up (called by the queue). */
  hearFull(): void {
    if (this.full.length === 0) return;
    const full = this.full;
    this.full = [];
    for (const consumer of full) {
      if (consumer.active && !consumer.blocked) this.queue.apply({ kind: 'credit', now: this.queue.now, consumer, writable: false });
    }
  }

  /** Before a dispatch: tells the machine of every connection that filled up or drained since it last heard. */
  hearAll(): void {
    this.hearFull();
    for (const consumer of this.queue.consumers) {
      const writable = consumer.sink.writable;
      if (consumer.blocked === writable) this.queue.apply({ kind: 'credit', now: this.queue.now, consumer, writable });
    }
  }

  revoked(consumer: Consumer, entry: QueueEntry): void {
    consumer.sink.revoked(consumer, entry);
  }

  cancelled(consumer: Consumer, message: string): void {
    consumer.sink.cancelled(consumer, 'queue_deleted', message);
  }

  deadLetter(message: Message, reason: DeathReason): void {
    this.host.deadLetter(this.queue, message, reason);
  }

  scheduleRetry(message: Message, delay: number): void {
    this.host.scheduleRetry(this.queue, message, delay);
  }

  expired(): void {
    this.host.expired(this.queue);
  }

  setTimer(timer: QueueTimer, due: number): void {
    this.timers[timer]?.();
    this.timers[timer] = due === Number.POSITIVE_INFINITY ? undefined : this.clock.setTimer(due - this.queue.now, this.fires[timer]);
  }

  stopped(): void {
    this.deliveryRecord.stop();
  }

  /** The backlog wants a page: read it once the paged-out writes queued so far are applied, and hand it in as a command. */
  readonly readPage = ({ from, count, generation }: PageRequest): void => {
    const { store } = this.host;
    const queueId = this.queue.record.id;
    const arrived = (messages: readonly StoredMessage[] | undefined): void => {
      this.queue.apply({ kind: 'paged-in', now: this.clock.now(), generation, messages });
    };
    store.commit().onSettled(() => {
      store.readMessages(queueId, from, count).then(arrived, (error: unknown) => {
        this.logger.error({ queueId, err: error }, 'reading a page of messages failed');
        arrived(undefined);
      });
    });
  };

  /** The gate lets a delivery out, now (inside the machine's round) or once its count is stored. */
  private readonly release = (consumer: Consumer, entry: QueueEntry): void => {
    const command = this.handOver;
    command.now = this.inside > 0 ? this.queue.now : this.queue.timeOfDelivery();
    command.consumer = consumer;
    command.entry = entry;
    this.queue.applyHandOver(command);
  };

  private fire(timer: QueueTimer): void {
    this.timers[timer] = undefined;
    this.queue.apply({ kind: 'timer', timer, now: this.clock.now(), random: this.queue.draw() });
  }
}
