/**
 * Deliveries and revocations a replicated queue's leader sends to a consumer's node: handed over
 * here when the consumer is on this node, else posted over the cluster port (batched per
 * event-loop turn with everything else for that peer), the body as the post's payload.
 */
import type { Message } from '@warren/core';
import type { ClusterNode, QueueDelivery } from '@warren/cluster';
import { nodeOfConsumer, type ReplicaConsumers } from './replica-consumers.js';
import type { ReplicatedQueue } from './replicated-queue.js';

/** The delivery header a leader posts to the consumer's node (the body travels as the post's payload). */
export interface PostedDelivery {
  readonly g: string;
  readonly c: string;
  readonly id: string;
  readonly r: boolean;
  readonly n: number;
  readonly x: string;
  readonly k: string;
  readonly p: Message['properties'];
  readonly h?: Message['headers'];
  /** Set: the queue took this delivery back (its ack lease ran out); nothing else is set but g, c, id. */
  readonly v?: true;
}

export class ReplicaPosts {
  constructor(
    private readonly node: string,
    private readonly consumers: ReplicaConsumers,
    private readonly transport: () => ClusterNode['transport'] | undefined,
    private readonly queueOf: (group: string) => ReplicatedQueue | undefined,
  ) {}

  /** On the leader: a delivery for `consumer`, handed over here or posted to its node. */
  deliver(group: string, consumer: string, { message, redelivered, deliveryCount }: QueueDelivery): void {
    const node = nodeOfConsumer(consumer);
    if (node === this.node) {
      this.consumers.receive(this.queueOf(group), consumer, message, redelivered, deliveryCount);
      return;
    }
    const header: PostedDelivery = {
      g: group,
      c: consumer,
      id: message.id,
      r: redelivered,
      n: deliveryCount,
      x: message.exchange,
      k: message.routingKey,
      p: message.properties,
      ...(message.headers === undefined ? {} : { h: message.headers }),
    };
    // Not connected: nothing is sent; the consumer is declared down if its node stays away.
    this.transport()?.post(node, header, message.body);
  }

  /** On the leader: consumer's delivery of message `id` was taken back; its node tells its client. */
  revoke(group: string, consumer: string, id: string): void {
    const node = nodeOfConsumer(consumer);
    if (node === this.node) this.consumers.revoke(consumer, id);
    else this.transport()?.post(node, { g: group, c: consumer, id, v: true }, new Uint8Array(0));
  }

  posted(header: PostedDelivery, payload: Uint8Array): void {
    if (header.v === true) {
      this.consumers.revoke(header.c, header.id);
      return;
    }
    const message: Message = {
      id: header.id,
      exchange: header.x,
      routingKey: header.k,
      properties: header.p,
      headers: header.h,
      body: Uint8Array.from(payload),
      persistent: true,
      publishedAt: Date.now(),
    };
    this.consumers.receive(this.queueOf(header.g), header.c, message, header.r, header.n);
  }
}
