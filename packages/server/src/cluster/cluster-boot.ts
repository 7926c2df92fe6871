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
import { IsolationGuard } from './isolation-guard.js';
import { captureMetadataState } from './metadata-state.js';
import { convergeMetadata } from './metadata-converge.js';
import type { Broker } from '@warren/core';
import { WarrenError } from '@warren/protocol';
import type { WebSocketListener } from '../ws/listener.js';

/** The node's hub of replicated queues: made before the broker (which restores them at start), attached once the cluster node runs. */
export function replicatedQueuesFor(config: Config, logger: ServerLogger, newId: () => string): ReplicatedQueues {
  const peers = parsePeers(config.peers.join(',')).map((p) => p.id);
  const snapshot = { minEntries: config.queueSnapshotEntries, factor: config.queueSnapshotFactor };
  return new ReplicatedQueues(config.nodeId, peers, newId, logger.child({ component: 'replicated-queues' }), snapshot);
}

export async function startClusterNode(
  config: Config,
  logger: ServerLogger,
  app: FastifyInstance,
  replication: MetadataReplication,
  replicas: ReplicatedQueues,
  report: () => Record<string, unknown>,
  broker: Broker,
): Promise<ClusterNode> {
  const registry = () => (app.hasDecorator('warrenAccess') ? app.warrenAccess?.registry : undefined);
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
    // The metadata log is compacted every so many entries; a node that missed what was dropped converges to the snapshot.
    metadataSnapshot: {
      every: config.metadataSnapshotEvery,
      take: () => captureMetadataState(broker, registry()),
      converge: async (state) => {
        await convergeMetadata({ broker, registry: registry(), hub: replicas, logger: logger.child({ component: 'metadata-snapshot' }) }, state);
      },
    },
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

/** Closes and refuses the listener's connections while the node is cut off from the majority (isolation-guard.ts). */
export function guardIsolation(config: Config, logger: ServerLogger, node: ClusterNode, listener: WebSocketListener): IsolationGuard {
  const heardAt = () => new Map([...node.peerReports()].map(([id, report]) => [id, report.receivedAt]));
  const guard = new IsolationGuard({
    view: () => ({ self: config.nodeId, voters: node.status().voters, leader: node.status().metadata.leader, heardAt: heardAt() }),
    graceMs: config.clusterIsolationGraceMs,
    logger: logger.child({ component: 'isolation' }),
    onIsolated: (reason) => listener.closeEvery(new WarrenError('node_isolated', `this node is cut off from the majority of its cluster (${reason}); connect to another node`)),
  });
  listener.refusal = () => (guard.isolated ? new WarrenError('node_isolated', `this node is cut off from the majority of its cluster (${guard.reason}); connect to another node`) : undefined);
  guard.start();
  return guard;
}

function clusterTls(config: Config): ClusterTls | undefined {
  if (config.tlsCert === undefined || config.tlsKey === undefined) return undefined;
  return { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey), ...(config.tlsCa === undefined ? {} : { ca: readFileSync(config.tlsCa) }) };
}
