/**
 * A Warren cluster on this host for the bench: `nodes` warren processes started through the
 * same launcher as a single node (warren-process.ts), each on 127.0.0.1 with public port 0, a
 * cluster port found free beforehand (every peer must know it at boot), a fresh temporary data
 * directory, and a secret made for the run (docs/cluster.md). Ready once every node's `/readyz`
 * answers 200, that is once each knows the metadata leader and has applied what it committed.
 * Measured as the sum over the nodes; stopped by PID, all at once.
 */
import { randomBytes } from 'node:crypto';
import { freePort } from '@warren/server/launch';
import { BrokerCluster } from '../broker-cluster.js';
import { track, untrack } from '../started-processes.js';
import { WarrenProcess } from './warren-process.js';

const READY_TIMEOUT_MS = 60_000;
const POLL_MS = 100;
/** Covers an election elsewhere and the hand-back to the preferred leader (after 10 s of leading). */
const LEADER_TIMEOUT_MS = 30_000;
/** Beyond the 3 s a stopping node gives its consumers' downs (docs/cluster.md). */
const NODE_STOP_GRACE_MS = 8_000;
const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

/** Node ids sort in node order, so the first node is the first queue's preferred leader. */
export function nodeIdOf(index: number): string {
  return `bench-${index + 1}`;
}

export class WarrenCluster extends BrokerCluster<WarrenProcess> {
  private constructor(nodes: readonly WarrenProcess[]) {
    super(nodes);
  }

  static async start(count: number): Promise<WarrenCluster> {
    const ports: number[] = [];
    while (ports.length < count) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const peers = ports.map((port, i) => `${nodeIdOf(i)}@127.0.0.1:${port}`).join(',');
    const secret = randomBytes(24).toString('hex');
    // Each node tracked as soon as it runs: forming the cluster takes a while, and an orchestrator
    // interrupted meanwhile must still kill what it started.
    const started = await Promise.allSettled(
      ports.map(async (port, i) =>
        track(
          await WarrenProcess.start({
            name: `bench-cluster-${i + 1}`,
            stopGraceMs: NODE_STOP_GRACE_MS,
            env: { WARREN_NODE_ID: nodeIdOf(i), WARREN_CLUSTER_PORT: String(port), WARREN_PEERS: peers, WARREN_CLUSTER_SECRET: secret },
          }),
        ),
      ),
    );
    const nodes = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const cluster = new WarrenCluster(nodes);
    try {
      const failed = started.find((outcome) => outcome.status === 'rejected');
      if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
      await Promise.all(nodes.map((node) => waitReadyz(node)));
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /**
   * The index of the node leading replicated queue `queue`, once it is the preferred leader
   * placement chose (the first of its members): a leader elected elsewhere hands leadership back
   * to it after a while (docs/cluster.md), which must not happen during a measured window.
   */
  async leaderOf(queue: string): Promise<number> {
    const deadline = performance.now() + LEADER_TIMEOUT_MS;
    let seen = 'no answer';
    while (performance.now() < deadline) {
      const response = await fetch(`${this.nodes[0]!.httpUrl}/api/queues/%2F/${encodeURIComponent(queue)}`, { headers: { authorization: GUEST } });
      const view = response.ok ? ((await response.json()) as { leader?: string | null; members?: string[] }) : undefined;
      seen = view === undefined ? `${response.status}` : `leader ${String(view.leader)}, members ${String(view.members)}`;
      const leader = view?.leader;
      if (typeof leader === 'string' && leader === view?.members?.[0]) {
        const index = this.nodes.findIndex((_, i) => nodeIdOf(i) === leader);
        if (index >= 0) return index;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`queue '${queue}' has no settled leader after ${LEADER_TIMEOUT_MS / 1000} s (${seen})`);
  }

  async stop(): Promise<void> {
    this.sampler.stop();
    await Promise.all(this.nodes.map((node) => node.stop().then(() => untrack(node))));
  }
}

async function waitReadyz(node: WarrenProcess): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (performance.now() < deadline) {
    if (!node.running) throw new Error(`a Warren node (${node.url}) exited before the cluster formed`);
    try {
      const response = await fetch(`${node.httpUrl}/readyz`);
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`the Warren node at ${node.url} did not join the cluster in ${READY_TIMEOUT_MS / 1000} s (/readyz: ${last})`);
}
