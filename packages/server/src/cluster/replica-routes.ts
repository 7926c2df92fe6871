/**
 * Moving replicated queues' replicas (docs/cluster.md, "Adding and removing nodes"), as
 * RabbitMQ's `rabbitmq-queues grow / shrink` and `rebalance` do:
 *
 *   PUT  /api/queues/{vhost}/{name}/members {"members": [...], "leader": "..."}   one queue, by hand
 *   POST /api/rebalance/queues                                                     spread every queue
 *
 * and on their own when a node is added (its share moves onto it) or removed (its replicas are
 * replaced). Either way the queues whose replica sets change are recorded by committed metadata
 * changes, `POST /api/rebalance/moves` (up to MOVES_PER_CHANGE queues each; replayed on every
 * node, which records the members with each queue and tells the queue's group); each group's
 * leader then moves one member at a time (queue-group.ts).
 */
import type { FastifyInstance } from 'fastify';
import { Ajv } from 'ajv';
import type { ClusterNode } from '@warren/cluster';
import type { Broker, QueueReplicas } from '@warren/core';
import { WarrenError } from '@warren/protocol';
import { queueOf, vhostOf, written, type NameParams } from '../http/lookup.js';
import type { MetadataReplication } from './metadata-replication.js';
import { ReplicatedQueue } from './replicated-queue.js';
import type { ReplicatedQueues } from './replicated-queues.js';
import { planReplicaMoves, type ReplicaSet } from './replica-moves.js';
import { replicaCountOf } from './replica-placement.js';

interface MembersBody {
  members: string[];
  leader?: string;
}

interface Move {
  vhost: string;
  name: string;
  group: string;
  members: string[];
  leader: string;
}

interface MovesBody {
  moves: Move[];
}

/** Queues recorded per metadata change: a rebalance of thousands of queues is a few changes, not thousands. */
const MOVES_PER_CHANGE = 500;

const MEMBERS_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['members'],
  properties: {
    members: { type: 'array', minItems: 1, maxItems: 255, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 255 } },
    leader: { type: 'string', minLength: 1, maxLength: 255 },
  },
} as const;

const ajv = new Ajv({ allErrors: true });
// Checked in the handler, not by fastify's schema: a body check before the access check would answer 400 to a caller who should get 403.
const isMembersBody = ajv.compile<MembersBody>(MEMBERS_BODY_SCHEMA);
const isMovesBody = ajv.compile<MovesBody>({
  type: 'object',
  additionalProperties: false,
  required: ['moves'],
  properties: {
    moves: {
      type: 'array',
      maxItems: MOVES_PER_CHANGE,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['vhost', 'name', 'group', 'members', 'leader'],
        properties: { vhost: { type: 'string' }, name: { type: 'string' }, group: { type: 'string' }, members: MEMBERS_BODY_SCHEMA.properties.members, leader: { type: 'string' } },
      },
    },
  },
});

/** How long removing a node waits for its replicas to move away before it closes its connections anyway. */
const DEPART_MS = 30_000;

export class ReplicaMover {
  constructor(
    private readonly broker: Broker,
    private readonly replication: MetadataReplication,
    private readonly hub: ReplicatedQueues,
  ) {}

  replicatedQueue(params: { vhost: string; name: string }): ReplicatedQueue {
    const queue = queueOf(this.broker, params);
    if (!(queue instanceof ReplicatedQueue)) throw new WarrenError('precondition_failed', `queue '${queue.name}' is not replicated: it lives on one node`);
    return queue;
  }

  /** Every replicated queue's replica set, as this node knows it. */
  replicaSets(): ReplicaSet[] {
    const sets: ReplicaSet[] = [];
    for (const vhost of this.broker.vhosts.values()) {
      for (const queue of vhost.queues.values()) {
        if (queue instanceof ReplicatedQueue) sets.push({ vhost: vhost.name, name: queue.name, ...queue.replicas, size: replicaCountOf(queue.record.arguments) });
      }
    }
    return sets;
  }

  /** Plans the moves onto `nodes` and commits them; answers the queues that moved. */
  async rebalance(nodes: readonly string[], user: string): Promise<ReplicaSet[]> {
    const plan = planReplicaMoves(this.replicaSets(), nodes);
    await this.commit(plan, user);
    return plan;
  }

  /** Records queues' new replica sets through the metadata log. */
  async commit(sets: readonly ReplicaSet[], user: string): Promise<void> {
    for (let at = 0; at < sets.length; at += MOVES_PER_CHANGE) {
      const moves = sets.slice(at, at + MOVES_PER_CHANGE).map(({ vhost, name, group, members, leader }): Move => ({ vhost, name, group, members: [...members], leader }));
      const outcome = await this.replication.change({ method: 'POST', url: '/api/rebalance/moves', body: { moves } satisfies MovesBody, user });
      if (outcome.status >= 300) throw new WarrenError('internal_error', `recording replica moves failed: ${outcome.body}`);
    }
  }

  /** Groups this node still runs although the queue's recorded members no longer name it (they are moving away). */
  leaving(node: string): number {
    let count = 0;
    for (const vhost of this.broker.vhosts.values()) {
      for (const queue of vhost.queues.values()) {
        if (queue instanceof ReplicatedQueue && !queue.replicas.members.includes(node) && this.hub.stats(queue) !== undefined) count++;
      }
    }
    return count;
  }

  /** Replicated queue groups this node runs now, moving away or not: its report says so, so a removal can wait for none. */
  held(): number {
    let count = 0;
    for (const vhost of this.broker.vhosts.values()) {
      for (const queue of vhost.queues.values()) if (queue instanceof ReplicatedQueue && this.hub.stats(queue) !== undefined) count++;
    }
    return count;
  }

  /**
   * Resolves once `node` holds no replica any more (its report says it runs no group), or it is
   * not connected, or after `ms`: the moves away from a node being removed are
   * done before its connections close, so the queues it led hand over instead of re-electing.
   */
  async departed(cluster: ClusterNode, node: string, ms = DEPART_MS): Promise<void> {
    const until = Date.now() + ms;
    const done = (): boolean => {
      if (node === cluster.id) return this.leaving(node) === 0 && this.replicaSets().every((set) => !set.members.includes(node));
      if (!cluster.transport.connectedPeers().includes(node)) return true;
      const report = cluster.peerReports().get(node)?.report as { replicas_held?: number } | undefined;
      return report?.replicas_held === 0;
    };
    while (!done() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  /**
   * Carries out committed moves on this node: each queue's record and its group. A queue deleted
   * (or declared again) since the move was planned is skipped.
   */
  async apply(moves: readonly Move[]): Promise<{ moved: number; skipped: number }> {
    let moved = 0;
    for (const move of moves) {
      const queue = this.broker.vhost(move.vhost)?.queue(move.name);
      if (!(queue instanceof ReplicatedQueue) || queue.replicas.group !== move.group) continue;
      const old = queue.replicas;
      const replicas: QueueReplicas = { group: old.group, members: [...move.members], leader: move.leader, founders: old.founders ?? [...old.members] };
      this.hub.moved(queue, replicas);
      vhostOf(this.broker, move.vhost).store.putQueue(queue.record);
      moved++;
    }
    await written(this.broker);
    return { moved, skipped: moves.length - moved };
  }
}

export function replicaRoutes(app: FastifyInstance, mover: ReplicaMover | undefined, cluster: () => ClusterNode | undefined): void {
  const voters = (): readonly string[] => {
    if (mover === undefined) throw new WarrenError('precondition_failed', 'this node runs alone: replicated queues need a cluster (docs/cluster.md)');
    const node = cluster();
    if (node === undefined) throw new WarrenError('cluster_unavailable', 'this node has not joined its cluster yet');
    return node.metadata.members().voters;
  };

  app.put<{ Params: NameParams }>(
    '/api/queues/:vhost/:name/members',
    { config: { doc: { summary: "Move a replicated queue's replicas: its members and preferred leader", body: MEMBERS_BODY_SCHEMA } } },
    async (request) => {
      const nodes = voters();
      if (!isMembersBody(request.body)) throw new WarrenError('invalid_argument', 'the body must be {"members": ["node", …], "leader": "node"} (leader optional)');
      const queue = mover!.replicatedQueue(request.params);
      const { members } = request.body;
      const unknown = members.filter((m) => !nodes.includes(m));
      if (unknown.length > 0) throw new WarrenError('invalid_argument', `not a member of the cluster: ${unknown.join(', ')}`);
      const current = queue.replicas.leader;
      const leader = request.body.leader ?? (members.includes(current) ? current : members[0]!);
      if (!members.includes(leader)) throw new WarrenError('invalid_argument', `the leader '${leader}' must be one of the members`);
      const set = { vhost: request.params.vhost, name: queue.name, group: queue.replicas.group, members, leader };
      await mover!.commit([set], request.principal?.user ?? 'guest');
      return { members, leader };
    },
  );

  app.post('/api/rebalance/queues', { config: { doc: { summary: "Spread replicated queues' replicas and preferred leaders evenly over the nodes" } } }, async (request) => {
    const nodes = voters();
    const moved = await mover!.rebalance(nodes, request.principal?.user ?? 'guest');
    return { moved: moved.map(({ vhost, name, members, leader }) => ({ vhost, name, members, leader })) };
  });

  // Replayed on every node from the metadata log.
  app.post('/api/rebalance/moves', { config: { doc: { summary: "Record replicated queues' new members on every node (the committed half of a move)" } } }, async (request) => {
    voters();
    if (!isMovesBody(request.body)) throw new WarrenError('invalid_argument', 'the body must be {"moves": [{"vhost", "name", "group", "members", "leader"}, …]}');
    return mover!.apply(request.body.moves);
  });
}
