/**
 * Issue 21 point 3 on three real nodes: what a replicated queue decides on its log's clock.
 * Retry back-offs are pending in the queue's state, so a new leader fires them after kill -9 of
 * the old one; an ack lease that runs out takes the delivery back; a dedup window keeps a
 * publisher's repeat out, across a failover too; x-expires deletes an unused queue everywhere.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type Client, type Message } from '@warren/client';
import { api, type TestCluster } from './cluster-processes.js';
import { declare, leaderOf, replicated, startCluster, view, wait, whenever } from './replicated-helpers.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster('test-cluster-secret-replicated-timers');
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

describe('a replicated queue on its log clock', () => {
  it('takes back a delivery whose ack lease ran out and gives it to another consumer', { timeout: 20_000 }, async () => {
    await declare(cluster.node('a'), '/api/queues/%2F/rq.lease', replicated({ 'x-ack-timeout': 500 }));
    const [holder, worker] = [await connect(cluster.node('b').url), await connect(cluster.node('c').url)];
    try {
      const held: Message[] = [];
      await holder.consume('rq.lease', (m: Message) => void held.push(m), { prefetch: 1 });
      await holder.publish('', 'rq.lease', 'slow', { messageId: 'slow', persistent: true });
      await vi.waitFor(() => expect(held).toHaveLength(1), wait);
      const again: Message[] = [];
      const redelivered = whenever(() => again.length > 0);
      await worker.consume('rq.lease', (m: Message) => {
        again.push(m);
        m.ack();
        redelivered.poke();
      });
      await redelivered.reached;
      // Taken back from the holder (maybe more than once, if it was handed to the holder again first).
      expect(again[0]!.redelivered).toBe(true);
      expect(again[0]!.deliveryCount).toBeGreaterThanOrEqual(2);
      expect(again[0]!.properties.messageId).toBe('slow');
      await vi.waitFor(async () => expect(await view(cluster.node('a'), 'rq.lease')).toMatchObject({ messages: 0, messages_unacknowledged: 0 }), wait);
    } finally {
      await Promise.all([holder.close(), worker.close()]);
    }
  });

  it('a new leader runs the lease timers its predecessor armed: kill -9 of the leader while a delivery is held', { timeout: 30_000 }, async () => {
    await declare(cluster.node('a'), '/api/queues/%2F/rq.lease2', replicated({ 'x-ack-timeout': 2000 }));
    const { leader, others } = await leaderOf(cluster, 'rq.lease2');
    const clients = [await connect(cluster.node(others[0]!).url), await connect(cluster.node(others[1]!).url)];
    try {
      // Whichever consumer gets the message first holds it; the other acks it once the lease took it back.
      const deliveries: Message[] = [];
      const held = whenever(() => deliveries.length === 1);
      const again = whenever(() => deliveries.length === 2);
      for (const client of clients) {
        await client.consume(
          'rq.lease2',
          (m: Message) => {
            deliveries.push(m);
            if (deliveries.length > 1) m.ack();
            held.poke();
            again.poke();
          },
          { prefetch: 1 },
        );
      }
      await clients[0]!.publish('', 'rq.lease2', 'held', { messageId: 'held', persistent: true });
      await held.reached;
      await cluster.kill9(leader);
      await again.reached;
      expect(deliveries[1]).toMatchObject({ redelivered: true });
      expect(deliveries[1]!.properties.messageId).toBe('held');
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    await cluster.restart(leader);
    await leaderOf(cluster, 'rq.lease2');
  });

  it('x-expires deletes an unused replicated queue on every node', { timeout: 20_000 }, async () => {
    await declare(cluster.node('a'), '/api/queues/%2F/rq.expiring', replicated({ 'x-expires': 1000 }));
    await vi.waitFor(async () => {
      for (const node of cluster.nodes.values()) expect((await api(node, 'GET', '/api/queues/%2F/rq.expiring')).status).toBe(404);
    }, wait);
  });

  it('keeps retries pending in the queue: a new leader fires them after kill -9 of the old one; the dedup window survives it too', { timeout: 40_000 }, async () => {
    await declare(cluster.node('a'), '/api/queues/%2F/rq.retry', replicated({ 'x-retry-delays': [1500], 'x-retry-max-attempts': 3, 'x-dedup-window': 60_000 }));
    const { leader, others } = await leaderOf(cluster, 'rq.retry');
    const [publisher, consumer]: Client[] = await Promise.all(others.map((id) => connect(cluster.node(id).url)));
    try {
      const firsts: string[] = [];
      const seconds = new Map<string, number>();
      const retried = whenever(() => firsts.length === 20);
      const ended = whenever(() => firsts.includes('end'));
      const back = whenever(() => seconds.size === 20);
      await consumer!.consume(
        'rq.retry',
        (m: Message) => {
          const id = m.properties.messageId!;
          if (id === 'end') {
            firsts.push(id);
            m.ack();
            ended.poke();
          } else if (m.attempt === 1) {
            firsts.push(id);
            m.retry();
            retried.poke();
          } else {
            seconds.set(id, m.attempt);
            m.ack();
            back.poke();
          }
        },
        { prefetch: 20 },
      );
      await Promise.all(Array.from({ length: 20 }, (_, i) => publisher!.publish('', 'rq.retry', `r${i}`, { messageId: `r${i}`, persistent: true })));
      // A repeat of a publisher's id within the window is confirmed and not stored.
      await publisher!.publish('', 'rq.retry', 'r0 again', { messageId: 'r0', persistent: true });
      await retried.reached;
      await cluster.kill9(leader);
      await back.reached;
      expect([...seconds.values()].every((attempt) => attempt === 2)).toBe(true);
      await publisher!.publish('', 'rq.retry', 'r1 again', { messageId: 'r1', persistent: true });
      // Behind the repeats in the queue: had either been stored, it would have been delivered first.
      await publisher!.publish('', 'rq.retry', 'end', { messageId: 'end', persistent: true });
      await ended.reached;
      expect([...firsts].sort()).toEqual([...Array.from({ length: 20 }, (_, i) => `r${i}`), 'end'].sort());
      await vi.waitFor(async () => expect(await view(cluster.node(others[0]!), 'rq.retry')).toMatchObject({ messages: 0, messages_unacknowledged: 0 }), wait);
    } finally {
      await Promise.all([publisher!.close(), consumer!.close()]);
    }
  });
});
