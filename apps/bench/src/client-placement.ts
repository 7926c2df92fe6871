/**
 * Where a clustered scenario's clients connect, the same way on both brokers: the producer to
 * the node that leads the queue (its publishes need no hop to reach the leader, as a
 * leader-locating client would do on either broker), the consumer to the next node (a follower,
 * so every delivery crosses from the leader to another node, as it does for any consumer a load
 * balancer puts elsewhere). `leader`: both on the leader, the other way to measure it, where no
 * delivery leaves the leader's node. A single node serves both.
 */

export interface ClientUrls {
  producer: string;
  consumer: string;
  /** Indexes into the nodes: the producer's node is the leader's. */
  producerNode: number;
  consumerNode: number;
}

export type Placement = 'split' | 'leader';

export function placeClients(urls: readonly string[], leader: number, placement: Placement = 'split'): ClientUrls {
  if (urls.length === 0) throw new Error('no node to connect to');
  if (!Number.isInteger(leader) || leader < 0 || leader >= urls.length) throw new Error(`leader index ${leader} is not one of ${urls.length} nodes`);
  const consumerNode = placement === 'leader' ? leader : (leader + 1) % urls.length;
  return { producer: urls[leader]!, consumer: urls[consumerNode]!, producerNode: leader, consumerNode };
}
