/**
 * When this node's member of a replicated queue's group stops because the queue's replicas moved
 * away from it (docs/cluster.md, "Replicas move"): once the group's leader took it out and said
 * so (a post over the cluster port, as the member may never learn the commit of its own
 * removal), or once its own configuration no longer names it, and only when the metadata no
 * longer names it either. Its copy of the log is then deleted.
 */
import type { ClusterLogger, ClusterNode, QueueGroup } from '@warren/cluster';
import type { ReplicatedQueue } from './replicated-queue.js';

/** What a queue's leader posts to a member it took out of the group. */
export interface RemovedNotice {
  readonly removedFrom: string;
}

/** The hub's hold on one replicated queue (replicated-queues.ts). */
export interface HeldReplica {
  readonly queue: ReplicatedQueue;
  group: QueueGroup | undefined;
  starting: Promise<void> | undefined;
}

export function isRemovedNotice(header: unknown): header is RemovedNotice {
  return typeof (header as RemovedNotice | null)?.removedFrom === 'string';
}

export class ReplicaDepartures {
  /** Groups whose leader said this node is out of them. */
  readonly #removed = new Set<string>();

  constructor(
    private readonly node: string,
    private readonly logger: ClusterLogger,
  ) {}

  /** On the leader: tells `to` it is out of group `name`. */
  tell(cluster: ClusterNode | undefined, to: string, name: string): void {
    cluster?.transport.post(to, { removedFrom: name } satisfies RemovedNotice, new Uint8Array(0));
  }

  /** This node's member of `name` starts (again): an old notice no longer applies. */
  starting(name: string): void {
    this.#removed.delete(name);
  }

  /** A leader said this node is out of `name`. */
  told(name: string, replica: HeldReplica | undefined): void {
    this.#removed.add(name);
    if (replica !== undefined) this.moved(replica);
  }

  /** The metadata no longer names this node as a member: stop once the group is done with it. */
  moved(replica: HeldReplica): void {
    const group = replica.group;
    if (group === undefined || replica.queue.replicas.members.includes(this.node)) return;
    const { voters, learners } = group.conf;
    if (this.#removed.has(group.name) || (!voters.includes(this.node) && !learners.includes(this.node))) void this.#leave(replica);
  }

  async #leave(replica: HeldReplica): Promise<void> {
    await replica.starting;
    const group = replica.group;
    if (group === undefined || replica.queue.replicas.members.includes(this.node)) return;
    replica.group = undefined;
    replica.starting = undefined;
    this.logger.info({ group: group.name }, 'left a replicated queue group');
    await group.destroy();
  }
}
