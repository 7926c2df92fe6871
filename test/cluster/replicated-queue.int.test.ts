/**
 * Issue 21, points 3 and 4 with three real node processes: a replicated queue declared through
 * one node has a Raft group on every member, a publish through another node is confirmed once a
 * majority committed it, a consumer on the third node receives and acks through the log; when
 * the queue's leader is killed (kill -9) mid-stream a new leader takes over, the publisher and
 * the consumer on the surviving nodes carry on, nothing confirmed is lost, nothing acknowledged
 * comes back, and what a consumer on the dead node held comes back redelivered with its count.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type Client, type Message } from '@warren/client';
import { api, TestCluster, type NodeProcess } from './cluster-processes.js';

const SECRET = 'test-cluster-secret-replicated-q';
let cluster: TestCluster;

beforeAll(async () => {
  // A node left alone closes its clients after a grace period (node_isolated, tested in
  // isolated-node.int.test.ts); here a client stays on a lone node to see its publish nacked.
  const stay = { WARREN_CLUSTER_ISOLATION_GRACE_MS: '0' };
  cluster = await TestCluster.start({ ids: ['a', 'b', 'c'], secret: SECRET, env: { a: stay, b: stay, c: stay } });
});
afterAll(async () => {
  await cluster?.close();
});

const wait = { timeout: 20_000, interval: 50 };
/** Who led the queue, and who published and consumed, in the failover test. */
const roles = { killed: '', publisher: '', consumer: '' };

interface ReplicatedView {
  type: string;
  leader: string | null;
  members: string[];
  online: string[];
  messages: number;
  messages_unacknowledged: number;
  lag?: Record<string, number>;
}

const view = async (node: NodeProcess, queue: string) => (await api(node, 'GET', `/api/queues/%2F/${queue}`)).body as ReplicatedView;

/** Resolves once `done()` holds, checked at every event `poke` reports. */
function whenever(done: () => boolean): { poke: () => void; reached: Promise<void> } {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  const poke = () => {
    if (done()) resolve();
  };
  return { poke, reached };
}

describe('a replicated queue on three nodes', () => {
  it('is declared through any node (quorum as an alias), with members and a leader every node agrees on; what it cannot be is refused', async () => {
    const [a, b] = [cluster.node('a'), cluster.node('b')];
    await vi.waitFor(async () => expect((await fetch(`${a.httpUrl}/readyz`)).status).toBe(200), wait);
    expect((await api(a, 'PUT', '/api/queues/%2F/rq.orders', { durable: true, arguments: { 'x-queue-type': 'quorum' } })).status).toBe(201);
    await vi.waitFor(async () => {
      const views = await Promise.all([...cluster.nodes.values()].map((n) => view(n, 'rq.orders')));
      for (const v of views) {
        expect(v.type).toBe('replicated');
        expect([...v.members].sort()).toEqual(['a', 'b', 'c']);
        expect([...v.online].sort()).toEqual(['a', 'b', 'c']);
        expect(v.leader).not.toBeNull();
      }
      expect(new Set(views.map((v) => v.leader)).size).toBe(1);
      const led = views.find((v) => v.lag !== undefined);
      expect(led?.lag).toEqual({ a: 0, b: 0, c: 0 });
    }, wait);

    // GET /api/nodes says which node leads it and which follow.
    const { leader } = await view(a, 'rq.orders');
    type Roles = { name: string; queues_led: { name: string }[]; queues_followed: { name: string }[] }[];
    await vi.waitFor(async () => {
      const nodes = (await api(a, 'GET', '/api/nodes')).body as Roles;
      for (const n of nodes) {
        const list = n.name === leader ? n.queues_led : n.queues_followed;
        expect(list.map((q) => q.name)).toContain('rq.orders');
      }
    }, wait);

    const refused = await api(b, 'PUT', '/api/queues/%2F/rq.transient', { durable: false, arguments: { 'x-queue-type': 'replicated' } });
    expect(refused.body).toMatchObject({ error: 'precondition_failed' });
    const client = await connect(b.url);
    try {
      await expect(client.declareQueue('rq.small', { arguments: { 'x-queue-type': 'replicated', 'x-quorum-initial-group-size': 0 } })).rejects.toMatchObject({ code: 'invalid_argument' });
      await expect(client.declareQueue('rq.auto', { autoDelete: true, arguments: { 'x-queue-type': 'replicated' } })).rejects.toMatchObject({ code: 'precondition_failed' });
    } finally {
      await client.close();
    }
  });

  it('confirms publishes through one node once committed, delivers to a consumer on another, and survives kill -9 of its leader', { timeout: 45_000 }, async () => {
    const first = await view(cluster.node('a'), 'rq.orders');
    const leaderId = first.leader!;
    const [publisherId, consumerId] = ['a', 'b', 'c'].filter((id) => id !== leaderId);
    const [leader, publisherNode, consumerNode] = [leaderId, publisherId!, consumerId!].map((id) => cluster.node(id));
    Object.assign(roles, { killed: leaderId, publisher: publisherId, consumer: consumerId });

    // The consumer acks everything; every delivery is recorded with its flags.
    const deliveries: { id: string; redelivered: boolean; count: number; at: 'before' | 'after' }[] = [];
    const acked = new Set<string>();
    let phase: 'before' | 'after' = 'before';
    const progress: (() => void)[] = [];
    const consumer: Client = await connect(consumerNode!.url);
    const publisher: Client = await connect(publisherNode!.url);
    const doomed: Client = await connect(leader!.url, { reconnect: false });
    try {
      await consumer.consume(
        'rq.orders',
        (m: Message) => {
          const id = m.properties.messageId!;
          deliveries.push({ id, redelivered: m.redelivered, count: m.deliveryCount, at: phase });
          acked.add(id);
          m.ack();
          for (const poke of progress) poke();
        },
        { prefetch: 20 },
      );

      // Phase 1: 100 messages published and confirmed through one follower, acked through the other.
      const publish = (i: number) => publisher.publish('', 'rq.orders', `order ${i}`, { messageId: `m${i}`, persistent: true });
      const receipts = await Promise.all(Array.from({ length: 100 }, (_, i) => publish(i)));
      // Each receipt says a majority of the three replicas has the message on disk.
      expect(new Set(receipts.map((r) => r.replicas))).toEqual(new Set([2]));
      const firstHundred = whenever(() => acked.size >= 100);
      progress.push(firstHundred.poke);
      firstHundred.poke();
      await firstHundred.reached;
      // The acks are committed once the queue shows nothing unacknowledged.
      await vi.waitFor(async () => expect(await view(consumerNode!, 'rq.orders')).toMatchObject({ messages: 0, messages_unacknowledged: 0 }), wait);
      const ackedBefore = new Set(acked);
      phase = 'after';

      // A consumer on the leader's node takes some messages and never acks them.
      const held: string[] = [];
      const holding = whenever(() => held.length >= 3);
      await doomed.consume(
        'rq.orders',
        (m: Message) => {
          held.push(m.properties.messageId!);
          holding.poke();
        },
        { prefetch: 3 },
      );

      // Phase 2: 200 more, published one window after the other; the leader dies after the first window.
      const confirmed = new Set<string>();
      const failed: string[] = [];
      for (let w = 0; w < 10; w++) {
        const window = Promise.all(
          Array.from({ length: 20 }, async (_, j) => {
            const i = 100 + w * 20 + j;
            try {
              await publish(i);
              confirmed.add(`m${i}`);
            } catch {
              failed.push(`m${i}`);
            }
          }),
        );
        // The second window is on its way (some of it forwarded to the leader) when the leader dies.
        if (w === 1) {
          await holding.reached;
          await cluster.kill9(leaderId);
        }
        await window;
      }
      // A publish the cluster could not take in time is nacked (cluster_unavailable), never left hanging; none should be here.
      expect(failed).toEqual([]);
      expect(confirmed.size).toBe(200);

      // A new leader, among the survivors.
      await vi.waitFor(async () => {
        const v = await view(publisherNode!, 'rq.orders');
        expect(v.leader).not.toBe(leaderId);
        expect(v.leader).not.toBeNull();
        expect(v.online.sort()).toEqual([publisherId, consumerId].sort());
      }, wait);

      // Everything confirmed reaches the surviving consumer, what the dead node's consumer held included.
      const all = whenever(() => [...confirmed].every((id) => acked.has(id)));
      progress.push(all.poke);
      all.poke();
      await all.reached;
      // Nothing acknowledged (and committed) before the kill came back.
      expect(deliveries.filter((d) => d.at === 'after' && ackedBefore.has(d.id))).toEqual([]);
      // What the consumer on the dead node held came back redelivered, its delivery count kept and raised.
      for (const id of held) {
        const again = deliveries.find((d) => d.id === id);
        expect(again).toMatchObject({ redelivered: true });
        expect(again!.count).toBeGreaterThanOrEqual(2);
      }
      await vi.waitFor(async () => expect(await view(consumerNode!, 'rq.orders')).toMatchObject({ messages: 0, messages_unacknowledged: 0 }), wait);
    } finally {
      await Promise.allSettled([consumer.close(), publisher.close(), doomed.close()]);
    }
  });

  it('nacks a publish with cluster_unavailable when no majority of its replicas is up, and carries on once they are back', { timeout: 45_000 }, async () => {
    await cluster.kill9(roles.publisher);
    const lonely = await connect(cluster.node(roles.consumer).url);
    try {
      await expect(lonely.publish('', 'rq.orders', 'alone', { messageId: 'alone', persistent: true })).rejects.toMatchObject({ code: 'cluster_unavailable' });
    } finally {
      await lonely.close();
    }
    // Both come back, replay the queue's log from their disks, and the queue works through any node.
    const [back] = await Promise.all([cluster.restart(roles.killed), cluster.restart(roles.publisher)]);
    const publisher = await connect(back!.url);
    const consumer = await connect(cluster.node(roles.consumer).url);
    try {
      const got: string[] = [];
      const arrived = whenever(() => got.includes('back again'));
      await consumer.consume(
        'rq.orders',
        (m: Message) => {
          got.push(m.text());
          m.ack();
          arrived.poke();
        },
        { prefetch: 10 },
      );
      await publisher.publish('', 'rq.orders', 'back again', { messageId: 'back', persistent: true });
      await arrived.reached;
      // Nothing but the publish the lone node could not commit then (it may have been committed since) came with it.
      expect(got.filter((text) => text !== 'alone' && text !== 'back again')).toEqual([]);
      await vi.waitFor(async () => {
        for (const node of cluster.nodes.values()) expect(await view(node, 'rq.orders')).toMatchObject({ messages: 0, messages_unacknowledged: 0, online: expect.arrayContaining(['a', 'b', 'c']) });
      }, wait);
      // Leadership goes back where it was placed (the first replicated queue of the cluster: a), so leaders stay spread.
      await vi.waitFor(async () => {
        for (const node of cluster.nodes.values()) expect((await view(node, 'rq.orders')).leader).toBe('a');
      }, { timeout: 25_000, interval: 100 });
    } finally {
      await Promise.allSettled([consumer.close(), publisher.close()]);
    }
  });
});
