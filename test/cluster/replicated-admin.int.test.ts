/**
 * Issue 21 point 3 on three real nodes: a policy applies to a replicated queue through its log
 * (every member enforces it, and a new leader still does), purge is a log command answered with
 * its count, and browse, get (take) and redrive work on the queue's replica.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type Message } from '@warren/client';
import { api, type TestCluster } from './cluster-processes.js';
import { declare, leaderOf, replicated, startCluster, view, wait, whenever } from './replicated-helpers.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster('test-cluster-secret-replicated-admin');
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

interface Browsed {
  id: string;
  payload: string;
  properties: { message_id?: string };
}

const everywhere = async (ids: readonly string[], queue: string, check: (v: Awaited<ReturnType<typeof view>>) => void) =>
  vi.waitFor(async () => {
    for (const id of ids) check(await view(cluster.node(id), queue));
  }, wait);

describe('replicated queue administration', () => {
  it('applies a policy on every member, browses and takes from the replica, and purges through the log', { timeout: 30_000 }, async () => {
    const a = cluster.node('a');
    await declare(a, '/api/queues/%2F/rq.admin', replicated());
    await declare(a, '/api/policies/%2F/cap', { pattern: '^rq\\.admin$', 'apply-to': 'queues', definition: { 'max-length': 3 } });
    const client = await connect(cluster.node('b').url);
    try {
      for (let i = 0; i < 5; i++) await client.publish('', 'rq.admin', `m${i}`, { messageId: `m${i}`, persistent: true });

      // Publish through b, browse through c: c's replica first applies what was committed (read-index).
      const peeked = (await api(cluster.node('c'), 'POST', '/api/queues/%2F/rq.admin/get', { count: 10 })).body as Browsed[];
      expect(peeked.map((m) => m.payload)).toEqual(['m2', 'm3', 'm4']);
      // drop-head kept the newest three, on every member.
      await everywhere(['a', 'b', 'c'], 'rq.admin', (v) => expect(v).toMatchObject({ messages: 3, policy: 'cap' }));
      const taken = (await api(cluster.node('a'), 'POST', '/api/queues/%2F/rq.admin/get', { count: 1, mode: 'take' })).body as Browsed[];
      expect(taken.map((m) => m.payload)).toEqual(['m2']);
      await everywhere(['a', 'b', 'c'], 'rq.admin', (v) => expect(v.messages).toBe(2));

      expect((await api(cluster.node('c'), 'DELETE', '/api/queues/%2F/rq.admin/contents')).status).toBe(204);
      await everywhere(['a', 'b', 'c'], 'rq.admin', (v) => expect(v.messages).toBe(0));
    } finally {
      await client.close();
    }
  });

  it('redrives dead-lettered messages from a replicated dead-letter queue back to their origin', { timeout: 30_000 }, async () => {
    const a = cluster.node('a');
    await declare(a, '/api/exchanges/%2F/rq.dlx', { type: 'fanout', durable: true });
    await declare(a, '/api/queues/%2F/rq.dlq', replicated());
    await declare(a, '/api/bindings/%2F/e/rq.dlx/q/rq.dlq', {}, 'POST');
    await declare(a, '/api/queues/%2F/rq.source', replicated({ 'x-dead-letter-exchange': 'rq.dlx' }));
    const client = await connect(cluster.node('c').url);
    try {
      for (let i = 0; i < 3; i++) await client.publish('', 'rq.source', `s${i}`, { messageId: `s${i}`, persistent: true });
      let rejected = 0;
      const all = whenever(() => rejected === 3);
      const consumer = await client.consume('rq.source', (m: Message) => {
        m.reject({ requeue: false });
        rejected++;
        all.poke();
      });
      await all.reached;
      await consumer.cancel();
      await everywhere(['a', 'b', 'c'], 'rq.dlq', (v) => expect(v.messages).toBe(3));
      const dead = (await api(a, 'POST', '/api/queues/%2F/rq.dlq/get', { count: 10 })).body as Browsed[];
      const moved = await api(cluster.node('b'), 'POST', '/api/queues/%2F/rq.dlq/redrive', { ids: dead.slice(0, 2).map((m) => m.id) });
      expect(moved.body).toEqual({ moved: 2, skipped: 0 });
      await everywhere(['a', 'b', 'c'], 'rq.dlq', (v) => expect(v.messages).toBe(1));
      await everywhere(['a', 'b', 'c'], 'rq.source', (v) => expect(v.messages).toBe(2));
    } finally {
      await client.close();
    }
  });

  it('a new leader keeps the policy applied before it took over, and takes later policy changes and purges', { timeout: 40_000 }, async () => {
    const { leader, others } = await leaderOf(cluster, 'rq.admin');
    await cluster.kill9(leader);
    const [first, second] = others.map((id) => cluster.node(id));
    const client = await connect(first!.url);
    try {
      await leaderOf(cluster, 'rq.admin', others);
      for (let i = 0; i < 5; i++) await client.publish('', 'rq.admin', `n${i}`, { persistent: true });
      await everywhere(others, 'rq.admin', (v) => expect(v.messages).toBe(3));
      await declare(second!, '/api/policies/%2F/cap', undefined, 'DELETE');
      for (let i = 0; i < 4; i++) await client.publish('', 'rq.admin', `p${i}`, { persistent: true });
      await everywhere(others, 'rq.admin', (v) => expect(v).toMatchObject({ messages: 7, policy: null }));
      expect(await client.purgeQueue('rq.admin')).toEqual({ messageCount: 7 });
      await everywhere(others, 'rq.admin', (v) => expect(v.messages).toBe(0));
    } finally {
      await client.close();
    }
  });
});
