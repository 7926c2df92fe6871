/**
 * What the replicated-*.int.test.ts files share: a three-node cluster up and ready, declarations
 * through the management API, and a replicated queue's leader as every node agrees on it.
 */
import { expect, vi } from 'vitest';
import { api, TestCluster, type NodeProcess } from './cluster-processes.js';

export const wait = { timeout: 20_000, interval: 50 };

export interface QueueView {
  type: string;
  leader: string | null;
  members: string[];
  messages: number;
  messages_unacknowledged: number;
  policy?: string | null;
}

export async function startCluster(secret: string, env?: Record<string, Record<string, string>>): Promise<TestCluster> {
  const cluster = await TestCluster.start({ ids: ['a', 'b', 'c'], secret, ...(env === undefined ? {} : { env }) });
  await vi.waitFor(async () => {
    for (const node of cluster.nodes.values()) expect((await fetch(`${node.httpUrl}/readyz`)).status).toBe(200);
  }, wait);
  return cluster;
}

export const view = async (node: NodeProcess, queue: string) => (await api(node, 'GET', `/api/queues/%2F/${encodeURIComponent(queue)}`)).body as QueueView;

/** Declares through `node` (the metadata log carries it to every node); throws on a refusal. */
export async function declare(node: NodeProcess, path: string, body: unknown, method = 'PUT'): Promise<void> {
  const { status, body: answer } = await api(node, method, path, body);
  if (status >= 300) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(answer)}`);
}

export function replicated(args: Record<string, unknown> = {}): { durable: true; arguments: Record<string, unknown> } {
  return { durable: true, arguments: { 'x-queue-type': 'replicated', ...args } };
}

/** The queue's leader once every live node names the same one; the other live nodes after it. */
export async function leaderOf(cluster: TestCluster, queue: string, live = [...cluster.nodes.keys()]): Promise<{ leader: string; others: string[] }> {
  let leader = '';
  await vi.waitFor(async () => {
    const views = await Promise.all(live.map((id) => view(cluster.node(id), queue)));
    const named = new Set(views.map((v) => v.leader));
    expect(named.size).toBe(1);
    leader = views[0]!.leader ?? '';
    expect(live).toContain(leader);
  }, wait);
  return { leader, others: live.filter((id) => id !== leader) };
}

/** Resolves once `done()` holds, checked whenever `poke` is called. */
export function whenever(done: () => boolean): { poke: () => void; reached: Promise<void> } {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  const poke = () => {
    if (done()) resolve();
  };
  return { poke, reached };
}
