/**
 * Three (or `count`) RabbitMQ nodes clustered on this host for the bench: one epmd of the
 * bench's and one Erlang cookie shared by all (rabbit-node-dir.ts), each node its own process
 * group, directory, node name and AMQP / distribution ports, started together; then every node
 * after the first joins the first (`stop_app`, `join_cluster`, `start_app`, as RabbitMQ's
 * clustering guide does by hand), and the cluster is ready once the first node counts them all
 * online. Measured as the sum over the nodes; stopped by process group, epmd last.
 */
import { BrokerCluster } from '../broker-cluster.js';
import type { ProcessGroup } from '../process-group.js';
import { rabbitmqctl } from './rabbit-ctl.js';
import { startEpmd } from './rabbit-epmd.js';
import { RabbitNode, STOP_GRACE_MS } from './rabbit-node.js';
import { createRabbitNodeDir, sharedEpmd } from './rabbit-node-dir.js';
import { leaderNodeOf } from './quorum-leader.js';

const LEADER_TIMEOUT_MS = 30_000;
const POLL_MS = 500;

export class RabbitCluster extends BrokerCluster<RabbitNode> {
  private constructor(
    nodes: readonly RabbitNode[],
    private readonly epmd: ProcessGroup,
  ) {
    super(nodes);
  }

  static async start(count: number): Promise<RabbitCluster> {
    const shared = await sharedEpmd();
    const epmd = await startEpmd(shared);
    const started = await Promise.allSettled(Array.from({ length: count }, () => RabbitNode.start(() => createRabbitNodeDir(shared))));
    const nodes = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const cluster = new RabbitCluster(nodes, epmd);
    try {
      const failed = started.find((outcome) => outcome.status === 'rejected');
      if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
      const [first, ...others] = nodes as [RabbitNode, ...RabbitNode[]];
      // One at a time: two nodes joining at once can both reset against a changing member list.
      for (const node of others) {
        await rabbitmqctl(node.home, ['stop_app']);
        await rabbitmqctl(node.home, ['join_cluster', first.home.nodeName]);
        await rabbitmqctl(node.home, ['start_app']);
      }
      await rabbitmqctl(first.home, ['await_online_nodes', String(count), '--timeout', '60']);
      for (const node of nodes) node.forgetWarnings();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** The index of the node leading quorum queue `queue`, as the first node's `list_queues` reports it. */
  async leaderOf(queue: string): Promise<number> {
    const deadline = performance.now() + LEADER_TIMEOUT_MS;
    let seen = '';
    while (performance.now() < deadline) {
      seen = await rabbitmqctl(this.nodes[0]!.home, ['list_queues', 'name', 'leader', 'members', '--formatter', 'json', '--quiet']);
      const leader = leaderNodeOf(seen, queue);
      const index = this.nodes.findIndex((node) => node.home.nodeName === leader);
      if (index >= 0) return index;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`quorum queue '${queue}' has no leader after ${LEADER_TIMEOUT_MS / 1000} s (list_queues: ${seen})`);
  }

  async stop(): Promise<void> {
    this.sampler.stop();
    await Promise.all(this.nodes.map((node) => node.stop()));
    await this.epmd.stop(STOP_GRACE_MS);
  }

  override killNow(): void {
    super.killNow();
    this.epmd.killNow();
  }
}
