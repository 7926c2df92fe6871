/**
 * A fault's story, for whoever reads a failed run: once a second, which leader each running
 * node names for each queue, kept as the changes only ("12.3 s n2: faults.q1 n1 → none").
 */
import { queueView } from './cluster-view.js';
import type { Nodes } from './nodes.js';

export class LeaderWatch {
  readonly changes: string[] = [];
  readonly #seen = new Map<string, string>();
  #running = true;
  readonly #done: Promise<void>;

  constructor(nodes: Nodes, queues: readonly string[], now: () => number) {
    this.#done = (async () => {
      while (this.#running) {
        await Promise.all(
          nodes.ids.flatMap((id) =>
            queues.map(async (queue) => {
              const view = nodes.state(id) === 'up' ? await queueView(nodes, id, queue) : undefined;
              const leader = nodes.state(id) !== 'up' ? nodes.state(id) : view === undefined ? 'no answer' : (view.leader ?? 'none');
              const key = `${id} ${queue}`;
              const before = this.#seen.get(key);
              if (before === leader) return;
              this.#seen.set(key, leader);
              this.changes.push(`${(now() / 1000).toFixed(1)} s ${id}: ${queue} ${before ?? '?'} → ${leader}`);
            }),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    })();
  }

  async stop(): Promise<string[]> {
    this.#running = false;
    await this.#done;
    return this.changes;
  }
}
