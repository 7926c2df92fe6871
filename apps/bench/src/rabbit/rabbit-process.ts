/**
 * A single RabbitMQ node for the bench: an epmd of its own (rabbit-epmd.ts) and the node
 * (rabbit-node.ts); stopped node first, epmd last.
 */
import type { RunningBroker } from '../broker.js';
import type { ProcessGroup } from '../process-group.js';
import type { Usage } from '../resource-sampler.js';
import { startEpmd } from './rabbit-epmd.js';
import { RabbitNode, STOP_GRACE_MS } from './rabbit-node.js';
import { createRabbitNodeDir, sharedEpmd } from './rabbit-node-dir.js';

export class RabbitProcess implements RunningBroker {
  private constructor(
    private readonly node: RabbitNode,
    private readonly epmd: ProcessGroup,
  ) {}

  static async start(): Promise<RabbitProcess> {
    const shared = await sharedEpmd();
    const epmd = await startEpmd(shared);
    try {
      return new RabbitProcess(await RabbitNode.start(() => createRabbitNodeDir(shared)), epmd);
    } catch (error) {
      await epmd.stop(0);
      throw error;
    }
  }

  get url(): string {
    return this.node.url;
  }

  get urls(): readonly string[] {
    return [this.node.url];
  }

  get running(): boolean {
    return this.node.running;
  }

  get peakRssBytes(): number {
    return this.node.peakRssBytes;
  }

  get warningCount(): number {
    return this.node.warningCount;
  }

  get firstWarnings(): readonly string[] {
    return this.node.firstWarnings;
  }

  usage(): Promise<Usage | undefined> {
    return this.node.usage();
  }

  async stop(): Promise<void> {
    await this.node.stop();
    await this.epmd.stop(STOP_GRACE_MS);
  }

  killNow(): void {
    this.node.killNow();
    this.epmd.killNow();
  }
}
