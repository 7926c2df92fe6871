/**
 * Issue 21 point 3 on three real nodes: a replicated queue dead-letters to an exchange with
 * `x-death`, at-least-once (a message stays in the source queue's log until its targets have it,
 * and a new leader routes what was pending), and its x-overflow reject-publish nacks publishes
 * (reject-publish-dlx dead-letters them too).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type Client, type Message } from '@warren/client';
import type { TestCluster } from './cluster-processes.js';
import { declare, leaderOf, replicated, startCluster, view, wait, whenever } from './replicated-helpers.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster('test-cluster-secret-dead-letter');
  const a = cluster.node('a');
  await declare(a, '/api/exchanges/%2F/dlx', { type: 'direct', durable: true });
  await declare(a, '/api/queues/%2F/rq.dead', replicated());
  await declare(a, '/api/bindings/%2F/e/dlx/q/rq.dead', { routing_key: 'dead' }, 'POST');
  await declare(a, '/api/queues/%2F/rq.work', replicated({ 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'dead' }));
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

interface Death {
  count: number;
  reason: string;
  queue: string;
}

describe('dead-lettering from a replicated queue', () => {
  it('routes rejected messages to the dead-letter exchange with x-death, and a new leader routes what was pending when the old one died', { timeout: 50_000 }, async () => {
    const { leader, others } = await leaderOf(cluster, 'rq.work');
    const [publisherNode, consumerNode] = others.map((id) => cluster.node(id));
    const publisher: Client = await connect(publisherNode!.url);
    const worker: Client = await connect(consumerNode!.url);
    const reader: Client = await connect(consumerNode!.url);
    const dead = new Map<string, Death[]>();
    let arrivals = 0;
    const arrived = whenever(() => dead.size === 200);
    let rejected = 0;
    const half = whenever(() => rejected >= 100);
    try {
      await worker.consume(
        'rq.work',
        (m: Message) => {
          m.reject({ requeue: false });
          rejected++;
          half.poke();
        },
        { prefetch: 20 },
      );
      await reader.consume(
        'rq.dead',
        (m: Message) => {
          dead.set(m.properties.messageId!, m.headers['x-death'] as Death[]);
          arrivals++;
          m.ack();
          arrived.poke();
        },
        { prefetch: 50 },
      );
      const publish = (i: number) => publisher.publish('', 'rq.work', `job ${i}`, { messageId: `j${i}`, persistent: true });
      await Promise.all(Array.from({ length: 100 }, (_, i) => publish(i)));
      await half.reached;
      // The source queue's leader dies while dead-letters may be pending: the next one routes them.
      const more = Promise.all(Array.from({ length: 100 }, (_, i) => publish(100 + i)));
      await cluster.kill9(leader);
      await more;
      await arrived.reached;
      expect([...dead.keys()].sort()).toEqual(Array.from({ length: 200 }, (_, i) => `j${i}`).sort());
      for (const deaths of dead.values()) expect(deaths[0]).toMatchObject({ count: 1, reason: 'rejected', queue: 'rq.work' });
      // A dead-letter routed again by the new leader reaches a replicated target under the same log id: stored once.
      expect(arrivals).toBe(200);
      await vi.waitFor(async () => expect(await view(publisherNode!, 'rq.work')).toMatchObject({ messages: 0, messages_unacknowledged: 0 }), wait);
    } finally {
      await Promise.all([publisher.close(), worker.close(), reader.close()]);
    }
  });

  it('x-overflow reject-publish nacks a publish to a full queue; reject-publish-dlx also dead-letters it', { timeout: 30_000 }, async () => {
    const live = [...cluster.nodes.values()].filter((n) => n.child.exitCode === null && n.child.signalCode === null);
    const node = live[0]!;
    await declare(node, '/api/queues/%2F/rq.full', replicated({ 'x-max-length': 2, 'x-overflow': 'reject-publish' }));
    await declare(node, '/api/queues/%2F/rq.full-dlx', replicated({ 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx', 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'dead' }));
    const client = await connect(node.url);
    try {
      await client.publish('', 'rq.full', 'one', { persistent: true });
      await client.publish('', 'rq.full', 'two', { persistent: true });
      await expect(client.publish('', 'rq.full', 'three', { persistent: true })).rejects.toMatchObject({ code: 'queue_full' });
      await client.publish('', 'rq.full-dlx', 'kept', { persistent: true });
      await expect(client.publish('', 'rq.full-dlx', 'refused', { messageId: 'over', persistent: true })).rejects.toMatchObject({ code: 'queue_full' });
      const got: string[] = [];
      const seen = whenever(() => got.includes('over'));
      await client.consume('rq.dead', (m: Message) => {
        got.push(m.properties.messageId ?? '');
        expect((m.headers['x-death'] as Death[])[0]).toMatchObject({ reason: 'maxlen', queue: 'rq.full-dlx' });
        m.ack();
        seen.poke();
      });
      await seen.reached;
      expect((await view(node, 'rq.full')).messages).toBe(2);
    } finally {
      await client.close();
    }
  });
});
