/**
 * Cluster mode at boot (docs/cluster.md): when peers are configured, the node opens the cluster
 * port (TLS with the client port's certificate when one is set), joins the metadata group, and
 * routes the management API's metadata changes through it. /readyz waits for a metadata leader.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { ClusterNode, parsePeers, type ClusterTls } from '@warren/cluster';
import type { Config } from '../config.js';
import type { ServerLogger } from '../log.js';
import type { ReadinessCheck } from '../health/readiness.js';
import type { MetadataReplication } from './metadata-replication.js';
import { ReplicatedQueues } from './replicated-queues.js';

/** The node's hub of replicated queues: made before the broker (which restores them at start), attached once the cluster node runs. */
export function replicatedQueuesFor(config: Config, logger: ServerLogger, newId: () => string): ReplicatedQueues {
  const peers = parsePeers(config.peers.join(',')).map((p) => p.id);
  return new ReplicatedQueues(config.nodeId, peers, newId, logger.child({ component: 'replicated-queues' }));
}

export async function startClusterNode(
  config: Config,
  logger: ServerLogger,
  app: FastifyInstance,
  replication: MetadataReplication,
  replicas: ReplicatedQueues,
  report: () => Record<string, unknown>,
): Promise<ClusterNode> {
  const node = await ClusterNode.start({
    id: config.nodeId,
    peers: parsePeers(config.peers.join(',')),
    join: config.clusterJoin,
    secret: config.clusterSecret!,
    host: config.host,
    port: config.clusterPort,
    dataDir: config.dataDir,
    tls: clusterTls(config),
    logger: logger.child({ component: 'cluster' }),
    // A replicated queue's Raft group is named after the log index that declared it (replica-placement.ts).
    applyMetadata: (command, index) => replicas.applying(index, () => replication.replay(app, command)),
    report,
  });
  replication.attach(node.metadata);
  // An unused replicated queue's leader deletes it (x-expires) through the metadata log, as a client would.
  replicas.expire = (vhost, name) => replication.change({ method: 'DELETE', url: `/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`, user: 'warren' });
  replicas.attach(node);
  return node;
}

export function clusterReadiness(node: ClusterNode): ReadinessCheck {
  return {
    name: 'cluster',
    problem: () => {
      const { leader, commit_index, applied_index } = node.status().metadata;
      if (leader === null) return 'no metadata leader is known (is a majority of the cluster up?)';
      if (!node.metadata.caughtUp) return `catching up with the metadata log (${applied_index} of ${commit_index} applied)`;
      return undefined;
    },
  };
}

function clusterTls(config: Config): ClusterTls | undefined {
  if (config.tlsCert === undefined || config.tlsKey === undefined) return undefined;
  return { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey), ...(config.tlsCa === undefined ? {} : { ca: readFileSync(config.tlsCa) }) };
}
