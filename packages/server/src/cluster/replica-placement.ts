/**
 * What a replicated queue declaration may ask for, and where its replicas go. Both are decided
 * while a node applies the declaration from the metadata log, so every node decides the same:
 * the answer depends only on the declaration, the cluster's members and the replicated queues
 * declared before it in the log.
 *
 * Placement: the preferred leader is the member that is preferred leader of the fewest
 * replicated queues (ties: the first by name), so leaders spread evenly; the other replicas are
 * the members after it in name order. `x-quorum-initial-group-size` (RabbitMQ's) sets how many,
 * default 3, at most the cluster's size.
 */
import { WarrenError } from '@warren/protocol';
import type { QueueRecord, QueueReplicas, Table } from '@warren/core';

export const DEFAULT_REPLICAS = 3;

/** `x-queue-type: replicated`, or RabbitMQ's `quorum`, which means the same here. */
export function isReplicatedType(args: Table): boolean {
  const type = args['x-queue-type'];
  return type === 'replicated' || type === 'quorum';
}

/** Throws precondition_failed (or invalid_argument) for what a replicated queue cannot be or do. */
export function checkReplicatedDeclaration(record: Pick<QueueRecord, 'name' | 'durable' | 'exclusive' | 'autoDelete' | 'arguments'>): void {
  if (!record.durable || record.exclusive || record.autoDelete) {
    throw new WarrenError('precondition_failed', `replicated queue '${record.name}' must be durable, not exclusive and not auto-delete`);
  }
  const size = record.arguments['x-quorum-initial-group-size'];
  if (size !== undefined && (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 255)) {
    throw new WarrenError('invalid_argument', `queue argument 'x-quorum-initial-group-size' = ${JSON.stringify(size)}: must be an integer from 1 to 255`);
  }
}

/** How many replicas a replicated queue asks for. */
export function replicaCountOf(args: Table): number {
  return typeof args['x-quorum-initial-group-size'] === 'number' ? args['x-quorum-initial-group-size'] : DEFAULT_REPLICAS;
}

/** The Raft group of a declaration: `index` is the metadata log index that declared it. */
export function groupNameOf(vhost: string, name: string, index: number): string {
  return `q:${encodeURIComponent(vhost)}:${encodeURIComponent(name)}:${index}`;
}

/**
 * Members and preferred leader of a new replicated queue. `nodes`: the cluster's members;
 * `leading`: how many replicated queues each node is preferred leader of already.
 */
export function placeReplicas(group: string, args: Table, nodes: readonly string[], leading: ReadonlyMap<string, number>): QueueReplicas {
  const ring = [...new Set(nodes)].sort();
  const size = Math.max(1, Math.min(replicaCountOf(args), ring.length));
  let at = 0;
  for (let i = 1; i < ring.length; i++) if ((leading.get(ring[i]!) ?? 0) < (leading.get(ring[at]!) ?? 0)) at = i;
  const members = Array.from({ length: size }, (_, i) => ring[(at + i) % ring.length]!);
  return { group, members, leader: ring[at]! };
}
