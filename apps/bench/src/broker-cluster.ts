/**
 * What a cluster of broker processes on this host reports to the orchestrator, whatever the
 * broker: the first node's URL, every node's, and usage and warnings summed over the nodes.
 * warren/warren-cluster.ts and rabbit/rabbit-cluster.ts add how their nodes start, find a
 * queue's leader and stop.
 */
import type { RunningBroker } from './broker.js';
import { ResourceSampler, sumUsage, type Usage } from './resource-sampler.js';

export interface ClusterNode {
  readonly url: string;
  readonly running: boolean;
  readonly warningCount: number;
  readonly firstWarnings: readonly string[];
  usage(): Promise<Usage | undefined>;
  killNow(): void;
}

export abstract class BrokerCluster<Node extends ClusterNode> implements RunningBroker {
  protected readonly sampler: ResourceSampler;

  protected constructor(readonly nodes: readonly Node[]) {
    this.sampler = new ResourceSampler(async () => sumUsage(await this.nodeUsages()));
  }

  get url(): string {
    return this.nodes[0]!.url;
  }

  get urls(): readonly string[] {
    return this.nodes.map((node) => node.url);
  }

  get running(): boolean {
    return this.nodes.every((node) => node.running);
  }

  get peakRssBytes(): number {
    return this.sampler.peakRssBytes;
  }

  get warningCount(): number {
    return this.nodes.reduce((sum, node) => sum + node.warningCount, 0);
  }

  get firstWarnings(): readonly string[] {
    return this.nodes.flatMap((node) => node.firstWarnings);
  }

  usage(): Promise<Usage | undefined> {
    return this.sampler.usage();
  }

  nodeUsages(): Promise<Array<Usage | undefined>> {
    return Promise.all(this.nodes.map((node) => node.usage()));
  }

  abstract stop(): Promise<void>;

  killNow(): void {
    this.sampler.stop();
    for (const node of this.nodes) node.killNow();
  }
}
