/**
 * The cluster's figures on /metrics (docs/cluster.md, "Metrics"), read at scrape time, named after
 * RabbitMQ's Raft series so its dashboards carry over: per Raft group (`group`: `meta` for the
 * metadata group) the term, the commit and applied log positions and whether this node leads it;
 * per node, the members, the peers it holds an authenticated connection to, and whether it is cut
 * off from the majority (isolation-guard.ts).
 */
import type { ClusterNode } from '@warren/cluster';
import type { MetricsContributor } from '../metrics/broker-metrics.js';

export function clusterMetrics(cluster: () => ClusterNode | undefined, isolated: () => boolean = () => false): MetricsContributor {
  const perGroup = (read: (status: ReturnType<ClusterNode['status']>) => number) => () => {
    const node = cluster();
    return node === undefined ? [] : [[{ group: 'meta' }, read(node.status())] as const];
  };
  const perNode = (read: (node: ClusterNode) => number) => () => {
    const node = cluster();
    return node === undefined ? [] : read(node);
  };
  return {
    register(families, perObject) {
      if (perObject) return;
      families.gauge('raft_term_total', 'Current Raft term of each group on this node', perGroup((s) => s.metadata.term), ['group']);
      families.gauge('raft_log_commit_index', 'Raft log index known to be committed, per group', perGroup((s) => s.metadata.commit_index), ['group']);
      families.gauge('raft_log_last_applied_index', 'Raft log index this node has carried out, per group', perGroup((s) => s.metadata.applied_index), ['group']);
      families.gauge('raft_leader', '1 when this node leads the group', perGroup((s) => (s.metadata.role === 'leader' ? 1 : 0)), ['group']);
      families.gauge('cluster_members', 'Members of the cluster (voters and learners of the metadata group)', perNode((n) => n.members.length));
      families.gauge('cluster_peers_connected', 'Members this node holds an authenticated cluster connection to', perNode((n) => n.transport.connectedPeers().length));
      families.gauge('cluster_node_isolated', '1 while this node is cut off from the cluster majority and refuses client connections', perNode(() => (isolated() ? 1 : 0)));
      // Many groups, little cost (docs/cluster.md, "Many queues"): traffic on the cluster port, and how many groups are ticking.
      families.counter('cluster_sent_bytes_total', 'Bytes this node wrote to its cluster connections', perNode((n) => n.transport.traffic.bytesOut));
      families.counter('cluster_received_bytes_total', 'Bytes this node read from its cluster connections', perNode((n) => n.transport.traffic.bytesIn));
      families.counter('cluster_received_frames_total', 'Cluster frames this node received (a batch of Raft messages, a beat, a post...)', perNode((n) => n.transport.traffic.framesIn));
      families.counter('cluster_writes_total', 'Writes to cluster connections (one per peer per event-loop turn with something to send, and beats)', perNode((n) => n.transport.traffic.writes));
      families.gauge('raft_groups', 'Raft groups this node is a member of (the metadata group included)', perNode((n) => n.transport.clock.size));
      families.gauge('raft_groups_awake', 'Raft groups ticking now; the others are quiesced (idle, no heartbeats)', perNode((n) => n.transport.clock.awakeCount));
      families.gauge('raft_groups_led', 'Raft groups this node leads', perNode((n) => n.transport.clock.counts().leading));
      families.gauge('raft_groups_settled', 'Raft groups quiesced under a known leader', perNode((n) => n.transport.clock.counts().settled));
    },
  };
}
