/**
 * What the cluster says about itself over the management API: who leads a queue (as the running
 * nodes that answer see it), and whether it is whole again after a fault: every node up and
 * ready, every queue led by the member every node names, with all its members online.
 */
import type { Nodes } from './nodes.js';

export interface QueueView {
  readonly leader: string | null;
  readonly members: string[];
  readonly online: string[];
  readonly messages: number;
  readonly messages_unacknowledged: number;
}

const queuePath = (queue: string): string => `/api/queues/%2F/${encodeURIComponent(queue)}`;

export async function queueView(nodes: Nodes, id: string, queue: string): Promise<QueueView | undefined> {
  const answer = await nodes.api(id, queuePath(queue));
  return answer?.status === 200 ? (answer.body as QueueView) : undefined;
}

/** The leader most running nodes name (a cut-off old leader may still name itself), if any. */
export async function leaderOf(nodes: Nodes, queue: string): Promise<string | undefined> {
  const views = await Promise.all(nodes.ids.map((id) => queueView(nodes, id, queue)));
  const votes = new Map<string, number>();
  for (const view of views) if (view?.leader) votes.set(view.leader, (votes.get(view.leader) ?? 0) + 1);
  return [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/** Why the cluster is not whole yet, or undefined once it is. */
export async function unhealthy(nodes: Nodes, queues: readonly string[]): Promise<string | undefined> {
  for (const id of nodes.ids) {
    if (nodes.state(id) !== 'up') return `${id} is ${nodes.state(id)}`;
    const ready = await nodes.api(id, '/readyz');
    if (ready?.status !== 200) return `${id} is not ready`;
  }
  for (const queue of queues) {
    const views = await Promise.all(nodes.ids.map((id) => queueView(nodes, id, queue)));
    const leaders = new Set(views.map((view) => view?.leader ?? null));
    if (leaders.size !== 1 || leaders.has(null)) return `${queue}: leaders seen ${[...leaders].join(', ')}`;
    for (const [i, view] of views.entries()) {
      const missing = view!.members.filter((m) => !view!.online.includes(m));
      if (missing.length > 0) return `${queue}: ${nodes.ids[i]} does not see ${missing.join(', ')}`;
    }
  }
  return undefined;
}

/** Resolves once the cluster is whole, polling every 200 ms; false if it is not after `timeoutMs`. */
export async function waitHealthy(nodes: Nodes, queues: readonly string[], timeoutMs: number): Promise<{ ok: boolean; why?: string }> {
  const deadline = Date.now() + timeoutMs;
  let why: string | undefined;
  do {
    why = await unhealthy(nodes, queues);
    if (why === undefined) return { ok: true };
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (Date.now() < deadline);
  return { ok: false, why };
}
