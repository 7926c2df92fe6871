/**
 * Issue 21, point 6 with real node processes: while a client publishes with confirms and
 * consumes with manual acks, a fourth node joins (replicas and preferred leaders move onto it)
 * and an old node leaves (its replicas are replaced on the others); every queue ends with its
 * replica count on live nodes, its Raft group matching, and every confirmed message delivered.
 * Then by hand: one queue's members, a rebalance; and a dead node removed (declared gone).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type Client, type Message } from '@warren/client';
import { api, TestCluster, type NodeProcess } from './cluster-processes.js';

const SECRET = 'test-cluster-secret-membership-r';
const QUEUES = ['mv.0', 'mv.1', 'mv.2', 'mv.3', 'mv.4', 'mv.5'];
const wait = { timeout: 20_000, interval: 100 };
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ ids: ['a', 'b', 'c'], secret: SECRET });
});
afterAll(async () => {
  await cluster?.close();
});

interface QueueView {
  leader: string | null;
  members: string[];
  online: string[];
  lag?: Record<string, number>;
}

interface NodeView {
  name: string;
  running: boolean;
  uptime: number;
  mem_used: number;
  disk_free: number;
  metadata: { applied_index: number; commit_index: number };
  queues_led: { name: string }[];
  queues_followed: { name: string }[];
}

const view = async (node: NodeProcess, queue: string) => (await api(node, 'GET', `/api/queues/%2F/${queue}`)).body as QueueView;

/** Every queue: `size` members, all among `live`, and its group (as its leader shows it) exactly those members, caught up. */
async function settledOn(live: string[], size = 3): Promise<void> {
  for (const queue of QUEUES) {
    const seen = await view(cluster.node(live[0]!), queue);
    expect(seen.members).toHaveLength(size);
    for (const m of seen.members) expect(live).toContain(m);
    expect(seen.leader).not.toBeNull();
    const led = await view(cluster.node(seen.leader!), queue);
    expect(led.leader).toBe(seen.leader);
    expect(Object.keys(led.lag ?? {}).sort()).toEqual([...seen.members].sort());
    expect([...led.online].sort()).toEqual([...seen.members].sort());
  }
}

describe('membership while running', () => {
  it('moves replicas onto a node that joins and off a node that leaves, losing nothing confirmed', { timeout: 60_000 }, async () => {
    const [a, b] = [cluster.node('a'), cluster.node('b')];
    await vi.waitFor(async () => expect((await fetch(`${a.httpUrl}/readyz`)).status).toBe(200), wait);
    for (const queue of QUEUES) expect((await api(a, 'PUT', `/api/queues/%2F/${queue}`, { durable: true, arguments: { 'x-queue-type': 'quorum' } })).status).toBe(201);
    await vi.waitFor(() => settledOn(['a', 'b', 'c']), wait);

    // A client publishes with confirms and another consumes with manual acks, through the whole test.
    const confirmed = new Set<string>();
    const acked = new Set<string>();
    let nacked = 0;
    let drained: (() => void) | undefined;
    const consumer: Client = await connect([b.url, a.url]);
    const publisher: Client = await connect([a.url, b.url]);
    let publishing = true;
    let sent = 0;
    const publishes = (async () => {
      while (publishing) {
        await Promise.all(
          Array.from({ length: 12 }, async () => {
            const id = `m${sent++}`;
            try {
              await publisher.publish('', QUEUES[sent % QUEUES.length]!, id, { messageId: id, persistent: true });
              confirmed.add(id);
            } catch {
              nacked++;
            }
          }),
        );
      }
    })();
    try {
      for (const queue of QUEUES) {
        await consumer.consume(
          queue,
          (m: Message) => {
            acked.add(m.properties.messageId!);
            m.ack();
            if (!publishing && [...confirmed].every((id) => acked.has(id))) drained?.();
          },
          { prefetch: 50 },
        );
      }
      await vi.waitFor(() => expect(acked.size).toBeGreaterThan(50), wait);

      // A fourth node joins: its share of replicas and of preferred leaders moves onto it.
      const d = await cluster.join('d');
      const added = await api(a, 'PUT', '/api/nodes/d', { cluster_address: `127.0.0.1:${d.clusterPort}` });
      expect(added.status).toBe(200);
      expect((added.body as { queues_moved: number }).queues_moved).toBeGreaterThan(0);
      await vi.waitFor(() => settledOn(['a', 'b', 'c', 'd']), wait);
      await vi.waitFor(async () => {
        const nodes = (await api(a, 'GET', '/api/nodes')).body as NodeView[];
        const seen = nodes.find((n) => n.name === 'd')!;
        expect(seen).toMatchObject({ running: true });
        expect(seen.uptime).toBeGreaterThan(0);
        expect(seen.mem_used).toBeGreaterThan(0);
        expect(seen.disk_free).toBeGreaterThan(0);
        expect(seen.metadata.applied_index).toBeGreaterThan(0);
        expect(seen.queues_led.length).toBeGreaterThanOrEqual(1);
        expect(seen.queues_led.length + seen.queues_followed.length).toBeGreaterThanOrEqual(4);
      }, wait);
      const before = acked.size;
      await vi.waitFor(() => expect(acked.size).toBeGreaterThan(before + 50), wait);

      // An old node leaves: its replicas are replaced on the others (the queues it leads hand
      // leadership over first), and once the call answers it holds none; then it is stopped.
      const c = cluster.node('c');
      // It leads its share once the moves onto d have settled (leaders hand back to where they are placed).
      let onC = {} as NodeView;
      await vi.waitFor(async () => {
        onC = (await api(c, 'GET', '/api/nodes/c')).body as NodeView;
        expect(onC.queues_led.length).toBeGreaterThanOrEqual(1);
      }, wait);
      const said = (...msgs: string[]) => c.logs.filter((line) => msgs.includes(line.msg ?? '')).length;
      // To the queue's new preferred leader, or (when that is the new member, not caught up yet) to another.
      const handOver = ['handing a replicated queue back to its preferred leader', 'leaving a replicated queue group: handing leadership over first'];
      const [left, handed] = [said('left a replicated queue group'), said(...handOver)];
      const removed = await api(b, 'DELETE', '/api/nodes/c');
      expect(removed.status).toBe(204);
      expect(said('left a replicated queue group') - left).toBe(onC.queues_led.length + onC.queues_followed.length);
      expect(said(...handOver) - handed).toBeGreaterThanOrEqual(onC.queues_led.length);
      await vi.waitFor(() => settledOn(['a', 'b', 'd']), wait);
      await cluster.kill9('c');
      const after = acked.size;
      await vi.waitFor(() => expect(acked.size).toBeGreaterThan(after + 50), wait);

      // Leaders stay spread: each of the three nodes leads two of the six queues, once the
      // members that took over from a moved preferred leader have handed leadership back.
      await vi.waitFor(async () => {
        const nodes = (await api(a, 'GET', '/api/nodes')).body as NodeView[];
        expect(nodes.map((n) => n.name).sort()).toEqual(['a', 'b', 'd']);
        for (const n of nodes) expect(n.queues_led.length).toBe(2);
      }, { timeout: 25_000, interval: 100 });

      publishing = false;
      await publishes;
      const all = new Promise<void>((resolve) => (drained = resolve));
      if ([...confirmed].every((id) => acked.has(id))) drained!();
      await all;
      const lost = [...confirmed].filter((id) => !acked.has(id));
      expect(lost).toEqual([]);
      expect(confirmed.size).toBeGreaterThan(200);
      // Publishes nacked while a leader moved are the client's to retry; they are few.
      expect(nacked).toBeLessThan(confirmed.size / 10);
    } finally {
      publishing = false;
      await publishes;
      await Promise.allSettled([consumer.close(), publisher.close()]);
    }
  });

  it('moves one queue by hand (shrink, preferred leader) and rebalances on request (it grows back)', { timeout: 30_000 }, async () => {
    const [a, b, d] = [cluster.node('a'), cluster.node('b'), cluster.node('d')];
    const members = (queue: string, body: unknown) => api(a, 'PUT', `/api/queues/%2F/${queue}/members`, body);
    expect((await members('mv.0', { members: ['a', 'zz'] })).body).toMatchObject({ error: 'invalid_argument' });
    expect((await members('mv.0', { members: ['a', 'b'], leader: 'd' })).body).toMatchObject({ error: 'invalid_argument' });
    expect((await members('mv.0', { members: [] })).status).toBe(400);
    expect((await api(a, 'PUT', '/api/queues/%2F/mv.classic', { durable: true })).status).toBe(201);
    expect((await members('mv.classic', { members: ['a'] })).body).toMatchObject({ error: 'precondition_failed' });

    const shrunk = await members('mv.0', { members: ['a', 'b'], leader: 'b' });
    expect(shrunk).toMatchObject({ status: 200, body: { members: ['a', 'b'], leader: 'b' } });
    await vi.waitFor(async () => {
      const led = await view(b, 'mv.0');
      expect(led.leader).toBe('b');
      expect(Object.keys(led.lag ?? {}).sort()).toEqual(['a', 'b']);
    }, wait);

    // A rebalance brings it back to the three replicas it asked for; a second one has nothing to move.
    const rebalanced = await api(d, 'POST', '/api/rebalance/queues');
    expect(rebalanced.status).toBe(200);
    expect((rebalanced.body as { moved: { name: string }[] }).moved.map((m) => m.name)).toContain('mv.0');
    await vi.waitFor(() => settledOn(['a', 'b', 'd']), wait);
    expect((await api(a, 'POST', '/api/rebalance/queues')).body).toEqual({ moved: [] });

    // And it still takes and hands out messages.
    const client = await connect(d.url);
    try {
      const got = new Promise<string>((resolve) => {
        void client.consume('mv.0', (m: Message) => {
          if (m.properties.messageId === 'after-moves') resolve(m.text());
          m.ack();
        });
      });
      await client.publish('', 'mv.0', 'still here', { messageId: 'after-moves', persistent: true });
      expect(await got).toBe('still here');
    } finally {
      await client.close();
    }
  });

  it('removes a node that died (declared gone): its replicas go, the queues it led elect another leader and carry on', { timeout: 30_000 }, async () => {
    const [a, b] = [cluster.node('a'), cluster.node('b')];
    await cluster.kill9('d');
    const removed = await api(a, 'DELETE', '/api/nodes/d');
    expect(removed.status).toBe(204);
    // Two nodes left: each queue keeps the replicas it can (two), both live, and its group is exactly those.
    await vi.waitFor(() => settledOn(['a', 'b'], 2), wait);
    const client = await connect([b.url, a.url]);
    try {
      const receipts = await Promise.all(QUEUES.map((queue) => client.publish('', queue, 'after d', { messageId: `gone-${queue}`, persistent: true })));
      expect(receipts.map((r) => r.replicas)).toEqual(QUEUES.map(() => 2));
    } finally {
      await client.close();
    }
  });
});
