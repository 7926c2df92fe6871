/**
 * Issue 21, points 2 and 6, with the metadata log compacted (a snapshot every 10 entries): a node
 * killed while the others make many metadata changes comes back behind the leader's snapshot,
 * converges to it (what was declared while it was away exists, what was deleted is gone, its own
 * classic queue keeps its messages) and then follows the log; it restarts from its own snapshot
 * and tail; a fourth node added after compaction catches up the same way.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type Client, type Message } from '@warren/client';
import { api, TestCluster, type NodeProcess } from './cluster-processes.js';
import { canonicalJson } from '@warren/core';
import { declare, wait } from './replicated-helpers.js';

const SECRET = 'test-cluster-secret-metadata-snap';
const EVERY = { WARREN_METADATA_SNAPSHOT_EVERY: '10' };
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ ids: ['a', 'b', 'c'], secret: SECRET, env: { a: EVERY, b: EVERY, c: EVERY, d: EVERY } });
  await vi.waitFor(async () => {
    for (const node of cluster.nodes.values()) expect((await fetch(`${node.httpUrl}/readyz`)).status).toBe(200);
  }, wait);
});
afterAll(async () => {
  await cluster?.close();
});

/**
 * The definitions as a node exports them, every list sorted (nodes create objects in different
 * orders), users without their password hash: every node salts a password it is given itself.
 */
async function definitions(node: NodeProcess): Promise<Record<string, unknown>> {
  const { status, body } = await api(node, 'GET', '/api/definitions');
  expect(status).toBe(200);
  const sorted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const list = key === 'users' ? (value as Record<string, unknown>[]).map(({ password_hash: _salted, ...user }) => user) : value;
    sorted[key] = Array.isArray(list) ? list.map((v) => canonicalJson(v)).sort() : list;
  }
  return sorted;
}

/** Whether `user` logs in on `node` with `password` (the management API's whoami). */
async function logsIn(node: NodeProcess, user: string, password: string): Promise<number> {
  const response = await fetch(`${node.httpUrl}/api/whoami`, { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
  return response.status;
}

/** A replicated queue's members and its group's leader, as a node sees them. */
const replicaSet = async (node: NodeProcess, queue: string) => {
  const { members, leader } = (await api(node, 'GET', `/api/queues/%2F/${queue}`)).body as { members?: string[]; leader?: string };
  return { members, leader };
};

/** The metadata log position this node has carried out, as it reports itself. */
const appliedIndex = async (node: NodeProcess) => ((await api(node, 'GET', `/api/nodes/${node.id}`)).body as { metadata: { applied_index: number } }).metadata.applied_index;

const logged = (node: NodeProcess, msg: string) => node.logs.filter((l) => l.msg === msg);

/** Consumes `count` messages of `queue` through `node`, acking each; answers their message ids. */
async function drain(node: NodeProcess, queue: string, count: number): Promise<string[]> {
  const client: Client = await connect(node.url);
  try {
    const ids: string[] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    await client.consume(queue, (m: Message) => {
      ids.push(m.properties.messageId!);
      m.ack();
      if (ids.length === count) done();
    });
    await all;
    return ids.sort();
  } finally {
    await client.close();
  }
}

async function publish(node: NodeProcess, queue: string, ids: string[]): Promise<void> {
  const client: Client = await connect(node.url);
  try {
    await Promise.all(ids.map((id) => client.publish('', queue, `body ${id}`, { messageId: id, persistent: true })));
  } finally {
    await client.close();
  }
}

describe('metadata log compaction', () => {
  it('a node down while the log compacted converges to the snapshot, then restarts from its own', { timeout: 60_000 }, async () => {
    const [a, b] = [cluster.node('a'), cluster.node('b')];
    await declare(a, '/api/queues/%2F/keep.classic', { durable: true });
    await declare(a, '/api/queues/%2F/doomed', { durable: true });
    await declare(a, '/api/exchanges/%2F/doomed.x', { type: 'fanout', durable: true });
    await declare(a, '/api/bindings/%2F/e/doomed.x/q/keep.classic', { routing_key: '' }, 'POST');
    // A classic queue's messages live on the node that took them: c's.
    await publish(cluster.node('c'), 'keep.classic', ['k1', 'k2', 'k3']);
    await vi.waitFor(async () => expect(await appliedIndex(cluster.node('c'))).toBe(await appliedIndex(a)), wait);
    const before = await appliedIndex(cluster.node('c'));
    await cluster.kill9('c');

    // Many changes through a and b while c is away.
    for (let i = 0; i < 6; i++) {
      const via = i % 2 === 0 ? a : b;
      await declare(via, `/api/exchanges/%2F/ex.${i}`, { type: 'direct', durable: true });
      await declare(via, `/api/queues/%2F/q.${i}`, { durable: true, arguments: { 'x-max-length': 1000 + i } });
      await declare(via, `/api/bindings/%2F/e/ex.${i}/q/q.${i}`, { routing_key: `k${i}` }, 'POST');
    }
    for (let i = 0; i < 6; i += 3) {
      await api(b, 'DELETE', `/api/queues/%2F/q.${i}`);
      await api(a, 'DELETE', `/api/exchanges/%2F/ex.${i}`);
    }
    await declare(a, '/api/queues/%2F/new.r', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await declare(b, '/api/policies/%2F/short', { pattern: '^q\\.', definition: { 'max-length': 50 }, 'apply-to': 'queues' });
    await declare(a, '/api/users/alice', { password: 'alice-secret-1', tags: 'monitoring' });
    await declare(b, '/api/permissions/%2F/alice', { configure: '', write: '.*', read: '.*' });
    expect((await api(a, 'DELETE', '/api/exchanges/%2F/doomed.x')).status).toBe(204);
    expect((await api(b, 'DELETE', '/api/queues/%2F/doomed')).status).toBe(204);
    // The leader compacted its log past where c stopped.
    const compactedAt = () => Math.max(0, ...[a, b].flatMap((n) => logged(n, 'metadata log compacted').map((l) => l.index as number)));
    await vi.waitFor(() => expect(compactedAt()).toBeGreaterThan(before), wait);

    const c = await cluster.restart('c');
    await vi.waitFor(() => expect(logged(c, 'metadata converged to a snapshot').length).toBeGreaterThan(0), wait);
    await vi.waitFor(async () => expect(await definitions(c)).toEqual(await definitions(a)), wait);
    await vi.waitFor(async () => expect(await replicaSet(c, 'new.r')).toEqual(await replicaSet(a, 'new.r')), wait);
    expect((await api(c, 'GET', '/api/queues/%2F/doomed')).status).toBe(404);
    expect((await api(c, 'GET', '/api/exchanges/%2F/doomed.x')).status).toBe(404);
    expect((await api(c, 'GET', '/api/queues/%2F/q.1')).body).toMatchObject({ policy: 'short' });
    expect(await logsIn(c, 'alice', 'alice-secret-1')).toBe(200);
    // Its classic queue kept its messages; a queue declared while it was away works through it.
    expect(await drain(c, 'keep.classic', 3)).toEqual(['k1', 'k2', 'k3']);
    await publish(c, 'new.r', ['r1', 'r2']);
    expect(await drain(c, 'new.r', 2)).toEqual(['r1', 'r2']);
    await publish(c, 'q.1', ['c1']);
    expect(await drain(c, 'q.1', 1)).toEqual(['c1']);

    // More changes, so c compacts its own log; then it restarts from its snapshot and tail.
    for (let i = 0; i < 16; i++) await declare(i % 2 === 0 ? a : c, `/api/exchanges/%2F/later.${i}`, { type: 'topic', durable: true });
    await vi.waitFor(() => expect(logged(c, 'metadata log compacted').length).toBeGreaterThan(0), wait);
    await cluster.kill9('c');
    await declare(a, '/api/queues/%2F/while.restarting', { durable: true });
    const again = await cluster.restart('c');
    await vi.waitFor(async () => expect(await definitions(again)).toEqual(await definitions(a)), wait);
  });

  it('a node added after compaction catches up from a snapshot', { timeout: 40_000 }, async () => {
    const a = cluster.node('a');
    const d = await cluster.join('d');
    const added = await api(a, 'PUT', '/api/nodes/d', { cluster_address: `127.0.0.1:${d.clusterPort}` });
    expect(added.status).toBe(200);
    await vi.waitFor(() => expect(logged(d, 'metadata converged to a snapshot').length).toBeGreaterThan(0), wait);
    await vi.waitFor(async () => expect(await definitions(d)).toEqual(await definitions(a)), wait);
    expect(await logsIn(d, 'alice', 'alice-secret-1')).toBe(200);
    await publish(d, 'q.2', ['d1']);
    expect(await drain(d, 'q.2', 1)).toEqual(['d1']);
  });
});
