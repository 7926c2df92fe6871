/**
 * Issue 21, points 1, 2 and 6 with real node processes: three nodes form a cluster, every
 * metadata change made through any node is committed in the metadata group and appears on every
 * node, a node that was down catches up from the log when it returns, and a fourth node joins
 * while an old one leaves.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type Message } from '@warren/client';
import { api, TestCluster, type NodeProcess } from './cluster-processes.js';

const SECRET = 'test-cluster-secret-0123456789';
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ ids: ['a', 'b', 'c'], secret: SECRET });
});
afterAll(async () => {
  await cluster?.close();
});

const wait = { timeout: 15_000, interval: 50 };

interface NodeView {
  name: string;
  running: boolean;
}

const nodesSeenBy = async (node: NodeProcess) => (await api(node, 'GET', '/api/nodes')).body as NodeView[];

async function metadataOf(node: NodeProcess): Promise<{ leader: string | null; applied_index: number; commit_index: number }> {
  const { body } = await api(node, 'GET', `/api/nodes/${node.id}`);
  return (body as { metadata: { leader: string | null; applied_index: number; commit_index: number } }).metadata;
}

describe('a three-node cluster', () => {
  it('elects one metadata leader that every node knows, and becomes ready', async () => {
    const nodes = [...cluster.nodes.values()];
    await vi.waitFor(async () => {
      for (const node of nodes) expect((await fetch(`${node.httpUrl}/readyz`)).status).toBe(200);
      const leaders = await Promise.all(nodes.map(async (n) => (await metadataOf(n)).leader));
      expect(leaders[0]).not.toBeNull();
      expect(new Set(leaders).size).toBe(1);
    }, wait);
    // Prometheus sees the same: one leader of the metadata group, every node connected to the others.
    const scrapes = await Promise.all(nodes.map(async (n) => (await fetch(`${n.httpUrl}/metrics`)).text()));
    expect(scrapes.filter((text) => /^warren_raft_leader\{group="meta"\} 1$/m.test(text))).toHaveLength(1);
    for (const text of scrapes) {
      expect(text).toMatch(/^warren_raft_term_total\{group="meta"\} [1-9]\d*$/m);
      expect(text).toMatch(/^warren_cluster_members 3$/m);
    }
  });

  it('commits a change made through any node on every node', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((id) => cluster.node(id));
    expect((await api(b!, 'PUT', '/api/exchanges/%2F/orders', { type: 'topic', durable: true })).status).toBe(201);
    expect((await api(c!, 'PUT', '/api/queues/%2F/orders.eu', { durable: true, arguments: { 'x-max-length': 100 } })).status).toBe(201);
    expect((await api(a!, 'POST', '/api/bindings/%2F/e/orders/q/orders.eu', { routing_key: 'eu.#' })).status).toBe(201);
    expect((await api(a!, 'PUT', '/api/policies/%2F/ttl', { pattern: '^orders\\.', definition: { 'message-ttl': 60000 }, 'apply-to': 'queues' })).status).toBe(201);
    // The answer comes once the node it was sent to applied the change; the others follow.
    await vi.waitFor(async () => {
      for (const node of [a!, b!, c!]) {
        const queue = await api(node, 'GET', '/api/queues/%2F/orders.eu');
        expect(queue.status).toBe(200);
        expect((queue.body as { arguments: Record<string, unknown>; policy: string | null }).arguments['x-max-length']).toBe(100);
        expect((queue.body as { policy: string | null }).policy).toBe('ttl');
        const bindings = (await api(node, 'GET', '/api/queues/%2F/orders.eu/bindings')).body as { source: string; routing_key: string }[];
        expect(bindings.map((x) => `${x.source}:${x.routing_key}`)).toContain('orders:eu.#');
      }
    }, wait);
    // A refusal is decided the same way everywhere and answered as a single node would.
    const refused = await api(b!, 'PUT', '/api/queues/%2F/orders.eu', { durable: true, arguments: { 'x-max-length': 5 } });
    expect(refused.status).toBe(400);
    expect((refused.body as { error: string }).error).toBe('queue_conflict');
  });

  it('commits what a client declares, binds and deletes over the WebSocket, and answers it as a single node would', async () => {
    const b = cluster.node('b');
    const client = await connect(b.url);
    try {
      await client.declareExchange('ws.events', 'fanout');
      const declared = await client.declareQueue('ws.inbox', { arguments: { 'x-message-ttl': 30_000 } });
      expect(declared).toMatchObject({ queue: 'ws.inbox', messageCount: 0, consumerCount: 0 });
      await client.bind('ws.inbox', 'ws.events');
      await expect(client.declareQueue('ws.inbox', { durable: false })).rejects.toMatchObject({ code: 'queue_conflict', replyCode: 406 });
      await expect(client.bind('ws.inbox', 'no-such-exchange')).rejects.toMatchObject({ code: 'exchange_not_found' });
      const mine = await client.declareQueue('', { exclusive: true });
      for (const node of cluster.nodes.values()) {
        await vi.waitFor(async () => {
          const bindings = (await api(node, 'GET', '/api/queues/%2F/ws.inbox/bindings')).body as { source: string }[];
          expect(bindings.map((x) => x.source)).toContain('ws.events');
        }, wait);
        // An exclusive queue belongs to its connection, and lives only where that is.
        expect((await api(node, 'GET', `/api/queues/%2F/${mine.queue}`)).status).toBe(node.id === 'b' ? 200 : 404);
      }
      // Publish and consume through the node the queue was declared on.
      const got: Message[] = [];
      await client.consume('ws.inbox', (m) => void got.push(m), { prefetch: 10 });
      await client.publish('ws.events', '', 'hello cluster');
      await vi.waitFor(() => expect(got.map((m) => m.text())).toEqual(['hello cluster']), wait);
      got[0]!.ack();
      await client.unbind('ws.inbox', 'ws.events');
      await client.unbind('ws.inbox', 'ws.events');
      expect(await client.deleteQueue('ws.inbox')).toEqual({ messageCount: 0 });
      await vi.waitFor(async () => {
        for (const node of cluster.nodes.values()) expect((await api(node, 'GET', '/api/queues/%2F/ws.inbox')).status).toBe(404);
      }, wait);
    } finally {
      await client.close();
    }
  });

  it('imports a definitions file as one committed change', async () => {
    const a = cluster.node('a');
    const before = await metadataOf(a);
    const definitions = {
      vhosts: [{ name: 'shop' }],
      exchanges: [{ name: 'events', vhost: 'shop', type: 'fanout', durable: true, auto_delete: false, internal: false, arguments: {} }],
      queues: [
        { name: 'audit', vhost: 'shop', durable: true, auto_delete: false, arguments: {} },
        { name: 'mail', vhost: 'shop', durable: true, auto_delete: false, arguments: {} },
      ],
      bindings: [{ source: 'events', vhost: 'shop', destination: 'audit', destination_type: 'queue', routing_key: '', arguments: {} }],
    };
    const imported = await api(a, 'POST', '/api/definitions', definitions);
    expect(imported.status).toBeLessThan(300);
    const after = await metadataOf(a);
    expect(after.applied_index).toBe(before.applied_index + 1);
    await vi.waitFor(async () => {
      for (const node of cluster.nodes.values()) {
        const queues = (await api(node, 'GET', '/api/queues/shop')).body as { name: string }[];
        expect(queues.map((q) => q.name).sort()).toEqual(['audit', 'mail']);
      }
    }, wait);
  });

  it('brings a node that was down up to date from the log when it returns', async () => {
    const c = cluster.node('c');
    await cluster.kill9('c');
    const a = cluster.node('a');
    expect((await api(a, 'PUT', '/api/queues/%2F/while-c-was-down', { durable: true })).status).toBe(201);
    expect((await api(a, 'DELETE', '/api/queues/%2F/orders.eu')).status).toBe(204);
    const back = await cluster.restart(c.id);
    await vi.waitFor(async () => {
      expect((await api(back, 'GET', '/api/queues/%2F/while-c-was-down')).status).toBe(200);
      expect((await api(back, 'GET', '/api/queues/%2F/orders.eu')).status).toBe(404);
      expect((await metadataOf(back)).applied_index).toBe((await metadataOf(a)).applied_index);
      expect((await fetch(`${back.httpUrl}/readyz`)).status).toBe(200);
    }, wait);
  });

  it('lets a client whose node dies carry on through another: its topology is already there and declared again through the log', async () => {
    const [a, b] = [cluster.node('a'), cluster.node('b')];
    const client = await connect([b.url, a.url], { reconnect: { minDelay: 20, maxDelay: 250, maxAttempts: 400 }, name: 'cluster-failover' });
    try {
      await client.declareExchange('fo.events', 'direct');
      await client.declareQueue('fo.work');
      await client.bind('fo.work', 'fo.events', 'job');
      const got: string[] = [];
      await client.consume('fo.work', (m) => {
        got.push(m.text());
        m.ack();
      });
      const moved = new Promise<string>((resolve) => client.on('reconnected', (event) => resolve(event.url)));
      await cluster.kill9('b');
      expect(await moved).toBe(a.url);
      await client.publish('fo.events', 'job', 'after failover');
      await vi.waitFor(() => expect(got).toEqual(['after failover']), wait);
      const bindings = (await api(a, 'GET', '/api/queues/%2F/fo.work/bindings')).body as { source: string; routing_key: string }[];
      expect(bindings.map((x) => `${x.source}:${x.routing_key}`)).toContain('fo.events:job');
    } finally {
      await client.close();
    }
    await cluster.restart('b');
  });

  // Membership while running (point 6, the metadata part); last, as it changes the cluster.
  it('adds a fourth node, which catches up with every change, and removes an old one', async () => {
    const a = cluster.node('a');
    await vi.waitFor(async () => expect((await fetch(`${a.httpUrl}/readyz`)).status).toBe(200), wait);
    expect((await api(a, 'PUT', '/api/queues/%2F/before-d', { durable: true })).status).toBe(201);

    const d = await cluster.join('d');
    // Not a member yet: it founded nothing and knows no leader.
    expect((await fetch(`${d.httpUrl}/readyz`)).status).toBe(503);
    const bad = await api(a, 'PUT', '/api/nodes/d', { cluster_address: 'nowhere' });
    expect(bad.status).toBe(400);
    const added = await api(cluster.node('b'), 'PUT', '/api/nodes/d', { cluster_address: `127.0.0.1:${d.clusterPort}` });
    expect(added.status).toBe(200);
    expect((added.body as { voters: string[] }).voters.sort()).toEqual(['a', 'b', 'c', 'd']);

    await vi.waitFor(async () => {
      expect((await api(d, 'GET', '/api/queues/%2F/before-d')).status).toBe(200);
      expect((await fetch(`${d.httpUrl}/readyz`)).status).toBe(200);
      const seen = await nodesSeenBy(a);
      expect(seen.map((n) => n.name)).toEqual(['a', 'b', 'c', 'd']);
      expect(seen.every((n) => n.running)).toBe(true);
    }, wait);
    expect((await api(d, 'PUT', '/api/queues/%2F/through-d', { durable: true })).status).toBe(201);

    const removed = await api(d, 'DELETE', '/api/nodes/c');
    expect(removed.status).toBe(204);
    await vi.waitFor(async () => {
      for (const id of ['a', 'b', 'd']) expect((await nodesSeenBy(cluster.node(id))).map((n) => n.name)).toEqual(['a', 'b', 'd']);
    }, wait);
    // With c gone, a and b are a majority of three: changes still commit with c stopped.
    await cluster.kill9('c');
    expect((await api(a, 'DELETE', '/api/queues/%2F/before-d')).status).toBe(204);
    await vi.waitFor(async () => expect((await api(d, 'GET', '/api/queues/%2F/before-d')).status).toBe(404), wait);
  });

  it('refuses a change with cluster_unavailable when no majority is up, and applies nothing meanwhile', async () => {
    // Members are a, b and d now (c was removed): with b and d gone, a alone is no majority.
    await Promise.all([cluster.kill9('b'), cluster.kill9('d')]);
    const a = cluster.node('a');
    const refused = await api(a, 'PUT', '/api/queues/%2F/no-majority', { durable: true });
    expect(refused.status).toBe(503);
    expect((refused.body as { error: string }).error).toBe('cluster_unavailable');
    expect((await api(a, 'GET', '/api/queues/%2F/no-majority')).status).toBe(404);
    expect((await fetch(`${a.httpUrl}/readyz`)).status).toBe(503);
  });
});
