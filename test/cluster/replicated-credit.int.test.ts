/**
 * Consumer credit on a replicated queue (docs/cluster.md, "Consumer credit"), with three real
 * node processes: the queue's log gives a consumer more credit than its prefetch, and its node
 * holds the surplus; the client still never holds more than its prefetch unacknowledged. When
 * the consumer's node dies (kill -9), every message it had, in its client's hands or held on the
 * node, comes back redelivered with its count, and none is lost; when the leader dies, the
 * consumer on its surviving node gets every message exactly once, the held ones included.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type Client, type Message } from '@warren/client';
import type { TestCluster } from './cluster-processes.js';
import { declare, leaderOf, replicated, startCluster, view, wait, whenever } from './replicated-helpers.js';

const PREFETCH = 20;
/** The log's credit for a prefetch of 20 (consumer-credit.ts: 8×). */
const CREDIT = 160;
const COUNT = 300;

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster('test-cluster-secret-replica-credit');
});
afterAll(async () => {
  await cluster?.close();
});

interface Seen {
  readonly id: string;
  readonly redelivered: boolean;
  readonly count: number;
}

/** A consumer that records every delivery, keeps them unacked until `ack` is called, and tracks how many its client holds. */
async function consumeHolding(client: Client, queue: string, onDelivery: () => void, ackAll = false) {
  const seen: Seen[] = [];
  const unacked: Message[] = [];
  const state = { most: 0, ackAll };
  await client.consume(
    queue,
    (m: Message) => {
      seen.push({ id: m.properties.messageId!, redelivered: m.redelivered, count: m.deliveryCount });
      if (state.ackAll) m.ack();
      else unacked.push(m);
      state.most = Math.max(state.most, unacked.length);
      onDelivery();
    },
    { prefetch: PREFETCH },
  );
  const ack = (n: number) => {
    for (const m of unacked.splice(0, n)) m.ack();
  };
  return { seen, unacked, state, ack };
}

/** Resolves once the consumer's client holds its whole prefetch. */
async function prefetchFull(holder: { seen: Seen[] }, progress: { poke: () => void }): Promise<void> {
  const full = whenever(() => holder.seen.length >= PREFETCH);
  progress.poke = full.poke;
  full.poke();
  await full.reached;
}

async function publishAll(client: Client, queue: string): Promise<string[]> {
  const ids = Array.from({ length: COUNT }, (_, i) => `${queue}-${i}`);
  await Promise.all(ids.map((id) => client.publish('', queue, id, { messageId: id, persistent: true })));
  return ids;
}

describe('consumer credit on a replicated queue', () => {
  it("holds the surplus on the consumer's node, never past the client's prefetch; kill -9 of that node redelivers all of it", { timeout: 40_000 }, async () => {
    const queue = 'credit.node';
    await declare(cluster.node('a'), `/api/queues/%2F/${queue}`, replicated());
    const { leader, others } = await leaderOf(cluster, queue);
    const [consumerId, drainerId] = others as [string, string];
    const publisher = await connect(cluster.node(leader).url);
    const doomed = await connect(cluster.node(consumerId).url, { reconnect: false });
    const drainer = await connect(cluster.node(drainerId).url);
    try {
      const ids = await publishAll(publisher, queue);
      const progress = { poke: () => {} };
      const holder = await consumeHolding(doomed, queue, () => progress.poke());
      await prefetchFull(holder, progress);
      // The log gave the consumer its full credit; its client has its prefetch and no more.
      await vi.waitFor(async () => expect(await view(cluster.node(leader), queue)).toMatchObject({ messages_unacknowledged: CREDIT, messages: COUNT }), wait);
      expect(holder.seen).toHaveLength(PREFETCH);

      // Acks free the client's prefetch: what waits on its node comes at once.
      const more = whenever(() => holder.seen.length === PREFETCH + 10);
      progress.poke = more.poke;
      holder.ack(10);
      await more.reached;
      const acked = new Set(holder.seen.slice(0, 10).map((s) => s.id));
      // The acks are committed, and the log topped the consumer's credit up again.
      await vi.waitFor(async () => expect(await view(cluster.node(leader), queue)).toMatchObject({ messages_unacknowledged: CREDIT, messages: COUNT - 10 }), wait);
      expect(holder.state.most).toBe(PREFETCH);
      const given = new Set(holder.seen.map((s) => s.id));

      await cluster.kill9(consumerId);
      // Everything but the acked: what its client held, what its node held, and what it was never sent.
      const drainProgress = { poke: () => {} };
      const drained = await consumeHolding(drainer, queue, () => drainProgress.poke(), true);
      const all = whenever(() => drained.seen.length >= COUNT - 10);
      drainProgress.poke = all.poke;
      all.poke();
      await all.reached;
      await vi.waitFor(async () => expect(await view(cluster.node(leader), queue)).toMatchObject({ messages: 0, messages_unacknowledged: 0 }), wait);
      expect(new Set(drained.seen.map((s) => s.id))).toEqual(new Set(ids.filter((id) => !acked.has(id))));
      expect(drained.seen).toHaveLength(COUNT - 10);
      // Every message the dead node had (given to its client or held) is redelivered with its count raised; the rest are first deliveries.
      const redelivered = drained.seen.filter((s) => s.redelivered);
      expect(redelivered).toHaveLength(CREDIT);
      for (const s of redelivered) expect(s.count).toBeGreaterThanOrEqual(2);
      for (const id of given) if (!acked.has(id)) expect(redelivered.map((s) => s.id)).toContain(id);
    } finally {
      await Promise.allSettled([publisher.close(), doomed.close(), drainer.close()]);
    }
    await cluster.restart(consumerId);
  });

  it('carries on through kill -9 of the leader: every message reaches the consumer exactly once, none acked comes back', { timeout: 40_000 }, async () => {
    const queue = 'credit.leader';
    await declare(cluster.node('a'), `/api/queues/%2F/${queue}`, replicated());
    const { leader, others } = await leaderOf(cluster, queue);
    const [consumerId, publisherId] = others as [string, string];
    const publisher = await connect(cluster.node(publisherId).url);
    const consumer = await connect(cluster.node(consumerId).url, { reconnect: false });
    try {
      const ids = await publishAll(publisher, queue);
      const progress = { poke: () => {} };
      const holder = await consumeHolding(consumer, queue, () => progress.poke());
      await prefetchFull(holder, progress);
      await vi.waitFor(async () => expect(await view(cluster.node(leader), queue)).toMatchObject({ messages_unacknowledged: CREDIT }), wait);
      holder.ack(10);
      const acked = new Set(holder.seen.slice(0, 10).map((s) => s.id));
      await vi.waitFor(async () => expect(await view(cluster.node(leader), queue)).toMatchObject({ messages_unacknowledged: CREDIT, messages: COUNT - 10 }), wait);

      await cluster.kill9(leader);
      await leaderOf(cluster, queue, others);
      // From now on the consumer acks all it gets, and what it held.
      const all = whenever(() => new Set(holder.seen.map((s) => s.id)).size >= COUNT);
      progress.poke = all.poke;
      holder.state.ackAll = true;
      holder.ack(holder.unacked.length);
      all.poke();
      await all.reached;
      await vi.waitFor(async () => expect(await view(cluster.node(consumerId), queue)).toMatchObject({ messages: 0, messages_unacknowledged: 0 }), wait);
      expect(new Set(holder.seen.map((s) => s.id))).toEqual(new Set(ids));
      // The new leader handed out again everything that was out; the consumer's node dropped what it had: nothing twice.
      expect(holder.seen).toHaveLength(COUNT);
      expect(holder.seen.filter((s) => s.redelivered)).toEqual([]);
      expect(holder.seen.filter((s) => acked.has(s.id))).toHaveLength(10);
      expect(holder.state.most).toBeLessThanOrEqual(PREFETCH);
    } finally {
      await Promise.allSettled([publisher.close(), consumer.close()]);
    }
  });
});
