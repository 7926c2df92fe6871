/**
 * Issue 21 point 3 on three real nodes: what enters a replicated queue from a node's own paths
 * waits for the queue's commit. A delayed publish is kept by the node that scheduled it until the
 * queue's log committed it: due while no majority of the queue's replicas is up, it is fired
 * again until one is. A classic queue's dead-letter into a replicated queue is enqueued again
 * until the queue commits it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type Message } from '@warren/client';
import type { TestCluster } from './cluster-processes.js';
import { declare, replicated, startCluster, whenever } from './replicated-helpers.js';

let cluster: TestCluster;

beforeAll(async () => {
  // Node a's client stays on it while b and c are down: a does not close it as cut off (isolation-guard.ts).
  const stay = { WARREN_CLUSTER_ISOLATION_GRACE_MS: '0' };
  cluster = await startCluster('test-cluster-secret-replicated-later', { a: stay, b: stay, c: stay });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

describe('into a replicated queue while no majority of its replicas is up', () => {
  it('stays scheduled until the queue commits it: due while no majority is up, it is fired again and arrives once they are back', { timeout: 50_000 }, async () => {
    const a = cluster.node('a');
    await declare(a, '/api/queues/%2F/rq.later', replicated());
    const client = await connect(a.url);
    try {
      await client.publish('', 'rq.later', 'later', { messageId: 'later', persistent: true, delay: 1500 });
      await Promise.all([cluster.kill9('b'), cluster.kill9('c')]);
      // Due now; the queue's log cannot commit it (8 s), so node a keeps it and fires it again.
      await vi.waitFor(() => expect(a.logs.some((l) => l.msg === 'a replicated queue did not commit a scheduled message; it is fired again')).toBe(true), { timeout: 30_000, interval: 100 });
      await Promise.all([cluster.restart('b'), cluster.restart('c')]);
      const got: Message[] = [];
      const arrived = whenever(() => got.length > 0);
      await client.consume('rq.later', (m: Message) => {
        got.push(m);
        m.ack();
        arrived.poke();
      });
      await arrived.reached;
      expect(got[0]!.properties.messageId).toBe('later');
    } finally {
      await client.close();
    }
  });

  it("a classic queue's dead-letter is enqueued again until the replicated queue commits it", { timeout: 50_000 }, async () => {
    const a = cluster.node('a');
    await declare(a, '/api/exchanges/%2F/dlx2', { type: 'fanout', durable: true });
    await declare(a, '/api/queues/%2F/rq.dead2', replicated());
    await declare(a, '/api/bindings/%2F/e/dlx2/q/rq.dead2', {}, 'POST');
    await declare(a, '/api/queues/%2F/cq.src', { durable: true, arguments: { 'x-dead-letter-exchange': 'dlx2' } });
    const client = await connect(a.url);
    try {
      await client.publish('', 'cq.src', 'failed', { messageId: 'failed', persistent: true });
      await Promise.all([cluster.kill9('b'), cluster.kill9('c')]);
      const source = await client.consume('cq.src', (m: Message) => m.reject({ requeue: false }));
      await vi.waitFor(() => expect(a.logs.some((l) => l.msg === 'a replicated queue did not commit a dead-letter; it is enqueued again')).toBe(true), { timeout: 30_000, interval: 100 });
      await source.cancel();
      await Promise.all([cluster.restart('b'), cluster.restart('c')]);
      const got: Message[] = [];
      const arrived = whenever(() => got.length > 0);
      await client.consume('rq.dead2', (m: Message) => {
        got.push(m);
        m.ack();
        arrived.poke();
      });
      await arrived.reached;
      expect(got[0]!.properties.messageId).toBe('failed');
      expect((got[0]!.headers['x-death'] as { queue: string }[])[0]!.queue).toBe('cq.src');
    } finally {
      await client.close();
    }
  });
});
