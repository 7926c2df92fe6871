/**
 * Deliveries and revocations a replicated queue's leader sends to a consumer's node: handed over
 * here when the consumer is on this node, else posted over the cluster port (batched per
 * event-loop turn with everything else for that peer), the body as the post's payload, a
 * delivery's header as bytes (delivery-header.ts), a revocation's as JSON.
 */
import type { Message } from '@warren/core';
import type { ClusterNode, QueueDelivery } from '@warren/cluster';
import { nodeOfConsumer, type ReplicaConsumers } from './replica-consumers.js';
import type { ReplicatedQueue } from './replicated-queue.js';
import { decodeDeliveryHeader, encodeDeliveryHeader } from './delivery-header.js';

/** The header of a revocation a leader posts to the consumer's node: the queue took this delivery back (its ack lease ran out). */
export interface PostedRevocation {
  readonly g: string;
  readonly c: string;
  readonly id: string;
  readonly v: true;
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
    const header = encodeDeliveryHeader({
      group,
      consumer,
      id: message.id,
      redelivered,
      deliveryCount,
      exchange: message.exchange,
      routingKey: message.routingKey,
      properties: message.properties,
      ...(message.headers === undefined ? {} : { headers: message.headers }),
    });
    // Not connected: nothing is sent; the consumer is declared down if its node stays away.
    this.transport()?.post(node, header, message.body);
  }

  /** On the leader: consumer's delivery of message `id` was taken back; its node tells its client. */
  revoke(group: string, consumer: string, id: string): void {
    const node = nodeOfConsumer(consumer);
    if (node === this.node) this.consumers.revoke(consumer, id);
    else this.transport()?.post(node, { g: group, c: consumer, id, v: true } satisfies PostedRevocation, new Uint8Array(0));
  }

  posted(posted: PostedRevocation | Uint8Array, payload: Uint8Array): void {
    if (!(posted instanceof Uint8Array)) {
      this.consumers.revoke(posted.c, posted.id);
      return;
    }
    const header = decodeDeliveryHeader(posted);
    const message: Message = {
      id: header.id,
      exchange: header.exchange,
      routingKey: header.routingKey,
      properties: header.properties,
      headers: header.headers,
      body: Uint8Array.from(payload),
      persistent: true,
      publishedAt: Date.now(),
    };
    this.consumers.receive(this.queueOf(header.group), header.consumer, message, header.redelivered, header.deliveryCount);
  }
}
