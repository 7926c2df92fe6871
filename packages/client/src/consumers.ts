/**
 * This connection's consumers (spec: "Consuming"): starting and cancelling them, and routing each
 * deliver frame to its consumer as a Message. What a consumer does with its messages (call a
 * handler, feed an iterator) is a Sink, in consumer.ts and message-stream.ts.
 *
 * After a reconnect (docs/client-failover.md) resume() starts each consumer again on the new
 * connection, with the same sink, options and tag; its deliveries are settled through the new
 * connection's Settlement, while messages of the lost connection keep the old one, where
 * settling them sends nothing (the broker already requeued them).
 */
import type { ConsumeFrame, ConsumerCancelledFrame, DeliverFrame, OkFrame, WarrenError } from '@warren/protocol/wire';
import { errorFromWire } from './errors.js';
import { Message } from './message.js';
import type { Settlement } from './settlement.js';

export interface ConsumeOptions {
  /** Unacked deliveries this consumer may hold; 0 means no limit. Default 100. */
  prefetch?: number;
  /** Deliveries count as settled when sent; acking them is an error. */
  noAck?: boolean;
  /** Empty or absent: the broker names the consumer. */
  consumerTag?: string;
  exclusive?: boolean;
  arguments?: Record<string, unknown>;
  /** Ack lease of each delivery, ms: overrides the queue's ack timeout; 0: no lease. */
  ackTimeout?: number;
}

export interface Sink {
  deliver(message: Message): void;
  /** No more deliveries: cancelled (`undefined`), or ended by the broker or the connection. */
  end(error: WarrenError | undefined): void;
}

type ConsumeRequest = Omit<ConsumeFrame, 'id'>;

export type Request = (frame: ConsumeRequest | { type: 'cancel'; consumer_tag: string }) => Promise<OkFrame>;

interface Active {
  sink: Sink;
  noAck: boolean;
  /** The consume frame to send again after a reconnect, with the tag the broker gave. */
  frame: ConsumeRequest;
}

const DEFAULT_PREFETCH = 100;

export class Consumers {
  private readonly active = new Map<string, Active>();
  /**
   * Deliveries for a tag not yet known, kept while a consume awaits its reply: the broker may
   * deliver before its `ok` names the tag it chose.
   */
  private readonly early = new Map<string, Array<[DeliverFrame, Uint8Array]>>();
  private starting = 0;

  /** `settlement` gives the current connection's. */
  constructor(
    private readonly request: Request,
    private readonly settlement: () => Settlement,
  ) {}

  /** Starts a consumer on `queue` feeding `sink`; resolves with its tag. */
  async start(queue: string, options: ConsumeOptions, sink: Sink): Promise<string> {
    const frame: ConsumeRequest = { type: 'consume', queue, prefetch: options.prefetch ?? DEFAULT_PREFETCH };
    if (options.consumerTag !== undefined) frame.consumer_tag = options.consumerTag;
    if (options.noAck === true) frame.no_ack = true;
    if (options.exclusive === true) frame.exclusive = true;
    if (options.arguments !== undefined) frame.arguments = options.arguments;
    if (options.ackTimeout !== undefined) frame.ack_timeout = options.ackTimeout;
    this.starting++;
    try {
      const reply = await this.request(frame);
      const tag = String(reply.consumer_tag);
      this.active.set(tag, { sink, noAck: options.noAck === true, frame: { ...frame, consumer_tag: tag } });
      for (const [early, body] of this.early.get(tag) ?? []) this.deliver(early, body);
      this.early.delete(tag);
      return tag;
    } finally {
      if (--this.starting === 0) this.early.clear();
    }
  }

  /** Cancels a consumer; its delivered messages stay unsettled until settled. Resolves with its queue, once cancelled here. */
  async cancel(tag: string): Promise<string | undefined> {
    const consumer = this.active.get(tag);
    if (consumer === undefined) return undefined;
    try {
      await this.request({ type: 'cancel', consumer_tag: tag });
    } catch (error) {
      // Already ended meanwhile (by the broker or the connection): nothing is left to cancel.
      if (this.active.has(tag)) throw error;
      return undefined;
    }
    this.active.delete(tag);
    consumer.sink.end(undefined);
    return consumer.frame.queue;
  }

  /** Queues that still have a consumer of this client. */
  consumes(queue: string): boolean {
    for (const { frame } of this.active.values()) if (frame.queue === queue) return true;
    return false;
  }

  deliver(frame: DeliverFrame, body: Uint8Array): void {
    const consumer = this.active.get(frame.consumer_tag);
    if (consumer !== undefined) {
      const settlement = this.settlement();
      if (!consumer.noAck) settlement.track(frame.delivery_tag);
      consumer.sink.deliver(new Message(frame, body, settlement));
    } else if (this.starting > 0) {
      const early = this.early.get(frame.consumer_tag);
      if (early === undefined) this.early.set(frame.consumer_tag, [[frame, body]]);
      else early.push([frame, body]);
    }
  }

  /** The broker ended a consumer (its queue was deleted); returns the error it gave. */
  cancelled(frame: ConsumerCancelledFrame): WarrenError {
    const error = errorFromWire(frame.code, frame.message);
    this.active.get(frame.consumer_tag)?.sink.end(error);
    this.active.delete(frame.consumer_tag);
    return error;
  }

  /**
   * Starts every consumer again on a new connection, `renamed` mapping server-named queues to
   * their new names. A consumer the broker refuses now (its queue is gone, …) ends with that
   * error, which is also returned; a lost connection rejects, leaving the consumers for the next try.
   */
  async resume(send: (frame: ConsumeRequest) => Promise<OkFrame>, renamed: Record<string, string>, stillConnected: () => boolean): Promise<WarrenError[]> {
    const refused: WarrenError[] = [];
    await Promise.all(
      [...this.active].map(async ([tag, consumer]) => {
        consumer.frame = { ...consumer.frame, queue: renamed[consumer.frame.queue] ?? consumer.frame.queue };
        try {
          await send(consumer.frame);
        } catch (error) {
          if (!stillConnected()) throw error;
          this.active.delete(tag);
          consumer.sink.end(error as WarrenError);
          refused.push(error as WarrenError);
        }
      }),
    );
    return refused;
  }

  /** The connection ended: every consumer with it. */
  endAll(error: WarrenError | undefined): void {
    for (const { sink } of this.active.values()) sink.end(error);
    this.active.clear();
    this.early.clear();
  }
}
