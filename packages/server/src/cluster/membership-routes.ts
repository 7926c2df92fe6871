/**
 * Membership while running (docs/cluster.md, "Adding and removing nodes"), one node at a time:
 *
 *   PUT /api/nodes/{name} {"cluster_address": "host:port"}   adds a node started with WARREN_CLUSTER_JOIN
 *   DELETE /api/nodes/{name}                                  removes a member
 *
 * Adding first commits the new node's address through the metadata log, so every node learns it
 * (`PUT /api/nodes/{name}/address`, replayed everywhere), then makes it a learner of the metadata
 * group, and promotes it to voter once it has caught up; then its share of the replicated queues'
 * replicas moves onto it (replica-routes.ts). Removing first moves its replicas to the other
 * nodes, then takes it out of the group, then forgets its address everywhere.
 */
import type { FastifyInstance } from 'fastify';
import { Ajv } from 'ajv';
import { parsePeer, type ClusterNode, type PeerSpec } from '@warren/cluster';
import { WarrenError } from '@warren/protocol';
import type { MetadataReplication } from './metadata-replication.js';
import type { ReplicaMover } from './replica-routes.js';

interface NameParams {
  name: string;
}

interface AddressBody {
  cluster_address: string;
}

// Checked in the handler, not by fastify's schema: a body check before the access check would
// answer 400 to a caller who should get 403.
const isAddressBody = new Ajv({ allErrors: true }).compile<AddressBody>({
  type: 'object',
  additionalProperties: false,
  required: ['cluster_address'],
  properties: { cluster_address: { type: 'string', minLength: 3, maxLength: 1024 } },
});

function addressOf(name: string, body: unknown): { address: AddressBody; peer: PeerSpec } {
  if (!isAddressBody(body)) throw new WarrenError('invalid_argument', 'the body must be {"cluster_address": "host:port"}');
  try {
    return { address: body, peer: parsePeer(`${name}@${body.cluster_address}`) };
  } catch (error) {
    throw new WarrenError('invalid_argument', (error as Error).message);
  }
}

/** Registered on every node, so a single node answers clearly that it is not in a cluster. */
export function membershipRoutes(app: FastifyInstance, replication: MetadataReplication | undefined, cluster: () => ClusterNode | undefined, mover?: ReplicaMover): void {
  const member = (): { node: ClusterNode; replication: MetadataReplication } => {
    if (replication === undefined) throw new WarrenError('precondition_failed', 'this node runs alone: start it with WARREN_PEERS to form a cluster (docs/cluster.md)');
    const node = cluster();
    if (node === undefined) throw new WarrenError('cluster_unavailable', 'this node has not joined its cluster yet');
    return { node, replication };
  };
  app.put<{ Params: NameParams }>(
    '/api/nodes/:name',
    { config: { doc: { summary: 'Add a node to the cluster (started with WARREN_CLUSTER_JOIN)' } } },
    async (request, reply) => {
      const { node, replication } = member();
      const name = request.params.name;
      const { address } = addressOf(name, request.body);
      const user = request.principal?.user ?? 'guest';
      const known = await replication.change({ method: 'PUT', url: `/api/nodes/${encodeURIComponent(name)}/address`, body: address, user });
      if (known.status >= 300) return reply.code(known.status).header('content-type', known.contentType ?? 'application/json').send(known.body);
      const { voters, learners } = node.metadata.members();
      if (!voters.includes(name) && !learners.includes(name)) await node.metadata.changeMembership({ type: 'addLearner', node: name });
      if (!node.metadata.members().voters.includes(name)) await node.metadata.changeMembership({ type: 'promote', node: name });
      // Its share of the replicated queues' replicas and preferred leaders moves onto it.
      const moved = (await mover?.rebalance(node.metadata.members().voters, user)) ?? [];
      return reply.code(200).send({ ...node.metadata.members(), queues_moved: moved.length });
    },
  );

  app.delete<{ Params: NameParams }>('/api/nodes/:name', { config: { doc: { summary: 'Remove a node from the cluster' } } }, async (request, reply) => {
    const { node, replication } = member();
    const name = request.params.name;
    const { voters, learners } = node.metadata.members();
    if (!voters.includes(name) && !learners.includes(name)) throw new WarrenError('not_found', `no node '${name}' in the cluster`);
    // Its replicas are replaced first (each queue's group adds the new member before it lets this one go).
    await mover?.rebalance(
      voters.filter((v) => v !== name),
      request.principal?.user ?? 'guest',
    );
    await mover?.departed(node, name);
    await node.metadata.changeMembership({ type: 'remove', node: name });
    await replication.change({ method: 'DELETE', url: `/api/nodes/${encodeURIComponent(name)}/address`, user: request.principal?.user ?? 'guest' });
    return reply.code(204).send();
  });

  // Replayed on every node from the metadata log: where a member is reached.
  app.put<{ Params: NameParams }>(
    '/api/nodes/:name/address',
    { config: { doc: { summary: "Record a member's cluster address on every node (step one of adding it)" } } },
    async (request, reply) => {
      const { node } = member();
      node.addPeer(addressOf(request.params.name, request.body).peer);
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: NameParams }>('/api/nodes/:name/address', { config: { doc: { summary: "Forget a member's cluster address on every node" } } }, async (request, reply) => {
    member().node.removePeer(request.params.name);
    return reply.code(204).send();
  });
}
