/**
 * The reference model of one queue `q` with its dead-letter queue: plain arrays, one rule per
 * method, written from the semantics in docs/protocol.md ("Consuming and settlement") and
 * docs/dead-lettering.md (where they leave a choice open, as in which consumer's turn it is, the
 * model states one simple rule and the broker must keep to it). The model-based tests run the
 * same commands against it and against the real broker (real-queue.ts) and compare what a client
 * can observe.
 *
 * The rules, in short:
 * - the queue delivers its ready messages in seq order; a requeued message goes back to its seq;
 * - consumers take turns in the order they subscribed, skipping those at their prefetch; the
 *   turn passes on as soon as a consumer is chosen (so a message found expired there costs it
 *   its turn); a cancelled consumer leaves the line, the turn counter stays where it was;
 * - a message expires when its queue TTL or its own expiration has run out, and is removed (dead
 *   letter `expired`) only at the head of the queue: when it gets there or when time moves on, so
 *   after every command no expired message is at the head, and none is ever delivered;
 * - x-max-length counts ready messages: drop-head drops the oldest (dead letter `maxlen`) once the
 *   new one is in and delivered if a consumer could take it, and right after a restart when the
 *   queue comes back over its limit; reject-publish refuses the new one when the queue is full,
 *   reject-publish-dlx refuses it and dead-letters it;
 * - x-delivery-limit: a message delivered more than the limit is dead-lettered (`delivery_limit`)
 *   instead of requeued, whether a nack, a reject or a lost connection requeued it; one that
 *   comes back from disk already over the limit is dead-lettered when its turn comes;
 * - nack / reject without requeue dead-letters (`rejected`);
 * - a connection that drops loses its consumers, then its unacked messages go back, in delivery
 *   tag order, marked redelivered;
 * - a graceful restart first cancels every consumer, then drops the connections (nothing bounces
 *   from a closing connection to another one about to close);
 * - a restart keeps only persistent messages (both queues are durable), ready and unacked alike,
 *   in seq order, with their delivery counts; one delivered before comes back redelivered, and so
 *   may the first few never delivered, counted once (countedAtRestart).
 */

export type Overflow = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';
export type Reason = 'expired' | 'maxlen' | 'delivery_limit' | 'rejected';
export type Outcome = 'ack' | 'requeue' | 'drop';

export interface QueueConfig {
  overflow: Overflow;
  maxLength?: number;
  messageTtl?: number;
  deliveryLimit?: number;
  deadLetterRoutingKey?: string;
}

export interface ModelMessage {
  id: string;
  seq: number;
  persistent: boolean;
  /** Per-message expiration, ms. */
  expiration?: number;
  publishedAt: number;
  redelivered: boolean;
  deliveryCount: number;
}

export interface DeadLetter {
  id: string;
  reason: Reason;
  routingKey: string;
  persistent: boolean;
  originalExpiration?: string;
  redelivered: boolean;
  /** The x-death history in brief: entries, and the latest one's queue, count and exchange; x-first-death-reason. */
  death: { deaths: number; queue: string; count: number; exchange: string; first: Reason };
}

export interface Delivery {
  connection: number;
  consumer: string;
  id: string;
  redelivered: boolean;
  deliveryCount: number;
}

/** Everything the comparison looks at, the same shape from the model and from the broker. */
export interface Observation {
  deliveries: Delivery[];
  ready: { id: string; redelivered: boolean; deliveryCount: number }[];
  unacked: Record<number, string[]>;
  counts: { ready: number; unacked: number; deadLetters: number };
  deadLetters: DeadLetter[];
}

interface ModelConsumer {
  connection: number;
  tag: string;
  prefetch: number;
  unacked: number;
}

interface Unacked {
  tag: number;
  message: ModelMessage;
  consumer: ModelConsumer;
}

interface ModelConnection {
  nextTag: number;
  unacked: Unacked[];
  consumers: ModelConsumer[];
}

export class QueueModel {
  ready: ModelMessage[] = [];
  consumers: ModelConsumer[] = [];
  connections = new Map<number, ModelConnection>();
  deadLetters: DeadLetter[] = [];
  deliveries: Delivery[] = [];
  /** Messages published so far, for their ids. */
  issued = 0;
  /** Dead letters by reason, for the figures a run reports. */
  readonly died: Record<Reason, number> = { expired: 0, maxlen: 0, delivery_limit: 0, rejected: 0 };
  now: number;
  private turn = 0;
  private nextSeq = 1;
  private consumerCount = 0;

  constructor(
    readonly config: QueueConfig,
    start: number,
  ) {
    this.now = start;
  }

  // --- commands ------------------------------------------------------------------------------

  /** Returns false when the queue refused the message (the publisher gets a nack). */
  publish(id: string, persistent: boolean, expiration: number | undefined): boolean {
    const message: ModelMessage = { id, seq: this.nextSeq++, persistent, expiration, publishedAt: this.now, redelivered: false, deliveryCount: 0 };
    const { overflow, maxLength } = this.config;
    if (overflow !== 'drop-head' && maxLength !== undefined && this.ready.length >= maxLength) {
      if (overflow === 'reject-publish-dlx') this.deadLetter(message, 'maxlen');
      return false;
    }
    this.ready.push(message);
    this.dispatch();
    this.dropHead();
    return true;
  }

  consume(connection: number, prefetch: number): string {
    const tag = `ctag-${++this.consumerCount}`;
    const consumer: ModelConsumer = { connection, tag, prefetch, unacked: 0 };
    this.consumers.push(consumer);
    this.connection(connection).consumers.push(consumer);
    this.dispatch();
    return tag;
  }

  cancel(connection: number, tag: string): void {
    const conn = this.connection(connection);
    conn.consumers = conn.consumers.filter((c) => c.tag !== tag);
    this.consumers = this.consumers.filter((c) => c.tag !== tag);
  }

  /** Settles the connection's unacked delivery at `index` (tag order), or with `multiple` every one up to it. */
  settle(connection: number, index: number, multiple: boolean, outcome: Outcome): void {
    const conn = this.connection(connection);
    const upTo = conn.unacked[index]!.tag;
    const chosen = multiple ? conn.unacked.filter((u) => u.tag <= upTo) : [conn.unacked[index]!];
    for (const u of chosen) {
      conn.unacked = conn.unacked.filter((x) => x !== u);
      u.consumer.unacked--;
      this.settleOne(u.message, outcome);
      this.dispatch();
    }
  }

  dropConnection(connection: number): void {
    const conn = this.connection(connection);
    for (const consumer of conn.consumers) this.cancel(connection, consumer.tag);
    const unacked = conn.unacked;
    this.connections.delete(connection);
    for (const u of unacked) this.settleOne(u.message, 'requeue');
    this.dispatch();
  }

  advance(ms: number): void {
    this.now += ms;
    this.dispatch();
  }

  restart(graceful: boolean): void {
    if (graceful) {
      // A stopping broker delivers nothing more: every consumer goes before any message is requeued.
      const open = [...this.connections.keys()].sort((a, b) => a - b);
      for (const connection of open) for (const consumer of this.connection(connection).consumers) this.cancel(connection, consumer.tag);
      for (const connection of open) this.dropConnection(connection);
    }
    const all = [...this.ready];
    for (const conn of this.connections.values()) for (const u of conn.unacked) all.push(u.message);
    this.connections.clear();
    this.consumers = [];
    this.turn = 0;
    this.ready = all
      .filter((m) => m.persistent)
      .sort((a, b) => a.seq - b.seq)
      .map((m) => ({ ...m, redelivered: m.deliveryCount > 0 }));
    this.deadLetters = this.deadLetters.filter((d) => d.persistent);
    this.dropHead();
    this.dispatch();
  }

  /**
   * After a restart the broker may count the next messages in line as delivered once more than
   * they were (it writes a delivery mark ahead of its deliveries: docs/dead-lettering.md): of the
   * messages never delivered, those in `ids` come back redelivered with count 1. Only the first
   * of them in queue order may be so counted; the comparison catches any other choice.
   */
  countedAtRestart(ids: string[]): void {
    const never = this.ready.filter((m) => m.deliveryCount === 0);
    const counted = never.filter((m) => ids.includes(m.id)).length;
    for (const m of never.slice(0, counted)) {
      m.deliveryCount = 1;
      m.redelivered = true;
    }
  }

  /**
   * The broker is idle after a command: its TTL timer has fired for a head that expired while the
   * command ran (one that became the head behind a delivery, say).
   */
  idle(): void {
    this.expireHead();
  }

  // --- what a client sees ----------------------------------------------------------------------

  unackedCount(connection: number): number {
    return this.connections.get(connection)?.unacked.length ?? 0;
  }

  observe(): Observation {
    const unacked: Record<number, string[]> = {};
    let unackedTotal = 0;
    for (const [number, conn] of this.connections) {
      if (conn.unacked.length === 0) continue;
      unacked[number] = conn.unacked.map((u) => u.message.id);
      unackedTotal += conn.unacked.length;
    }
    const deliveries = this.deliveries;
    this.deliveries = [];
    return {
      deliveries,
      ready: this.ready.map((m) => ({ id: m.id, redelivered: m.redelivered, deliveryCount: m.deliveryCount })),
      unacked,
      counts: { ready: this.ready.length, unacked: unackedTotal, deadLetters: this.deadLetters.length },
      deadLetters: this.deadLetters.map((d) => ({ ...d })),
    };
  }

  // --- rules -----------------------------------------------------------------------------------

  private dispatch(): void {
    this.expireHead();
    while (this.ready.length > 0) {
      const consumer = this.nextConsumer();
      if (consumer === undefined) break;
      const message = this.ready.shift()!;
      if (this.expired(message)) {
        this.deadLetter(message, 'expired');
        continue;
      }
      if (this.overDeliveryLimit(message)) {
        this.deadLetter(message, 'delivery_limit');
        continue;
      }
      message.deliveryCount++;
      consumer.unacked++;
      const conn = this.connection(consumer.connection);
      conn.unacked.push({ tag: conn.nextTag++, message, consumer });
      this.deliveries.push({
        connection: consumer.connection,
        consumer: consumer.tag,
        id: message.id,
        redelivered: message.redelivered,
        deliveryCount: message.deliveryCount,
      });
    }
  }

  private nextConsumer(): ModelConsumer | undefined {
    const n = this.consumers.length;
    for (let i = 0; i < n; i++) {
      const index = (this.turn + i) % n;
      const consumer = this.consumers[index]!;
      if (consumer.prefetch === 0 || consumer.unacked < consumer.prefetch) {
        this.turn = (index + 1) % n;
        return consumer;
      }
    }
    return undefined;
  }

  private settleOne(message: ModelMessage, outcome: Outcome): void {
    if (outcome === 'ack') return;
    if (outcome === 'drop') {
      this.deadLetter(message, 'rejected');
      return;
    }
    if (this.overDeliveryLimit(message)) {
      this.deadLetter(message, 'delivery_limit');
      return;
    }
    message.redelivered = true;
    this.ready.push(message);
    this.ready.sort((a, b) => a.seq - b.seq);
  }

  /** drop-head: the oldest ready messages leave until the queue fits, then an expired new head. */
  private dropHead(): void {
    const { overflow, maxLength } = this.config;
    if (overflow !== 'drop-head' || maxLength === undefined) return;
    while (this.ready.length > maxLength) this.deadLetter(this.ready.shift()!, 'maxlen');
    this.expireHead();
  }

  private overDeliveryLimit(message: ModelMessage): boolean {
    const { deliveryLimit } = this.config;
    return deliveryLimit !== undefined && message.deliveryCount > deliveryLimit;
  }

  private expireHead(): void {
    while (this.ready.length > 0 && this.expired(this.ready[0]!)) this.deadLetter(this.ready.shift()!, 'expired');
  }

  private expired(message: ModelMessage): boolean {
    const ttls = [this.config.messageTtl, message.expiration].filter((t): t is number => t !== undefined);
    return ttls.length > 0 && message.publishedAt + Math.min(...ttls) <= this.now;
  }

  private deadLetter(message: ModelMessage, reason: Reason): void {
    this.died[reason]++;
    const dead: DeadLetter = {
      id: message.id,
      reason,
      routingKey: this.config.deadLetterRoutingKey ?? 'q',
      persistent: message.persistent,
      redelivered: false,
      death: { deaths: 1, queue: 'q', count: 1, exchange: '', first: reason },
    };
    if (message.expiration !== undefined) dead.originalExpiration = String(message.expiration);
    this.deadLetters.push(dead);
  }

  private connection(number: number): ModelConnection {
    let conn = this.connections.get(number);
    if (conn === undefined) {
      conn = { nextTag: 1, unacked: [], consumers: [] };
      this.connections.set(number, conn);
    }
    return conn;
  }
}
