/**
 * Issue 21: a replicated queue's log is compacted behind snapshots of its contents, and a member
 * that was down catches up from one. With a low snapshot threshold, three real nodes hold a queue
 * with acked, unacked and retry-pending messages; a member (a follower, then in the second case
 * the leader) is killed with kill -9, the queue goes on past what it has, and it comes back: the
 * leader's log no longer holds what it missed, so it must install a snapshot (its own log then
 * starts past where it died, and stays short), and it holds the same queue. Leadership then moves
 * to it and the holder of the unacked messages goes away: each comes back exactly once, marked
 * redelivered with its delivery count kept, the retries come back at their next attempt, nothing
 * confirmed is lost and nothing acked is delivered again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type Client, type Message } from '@warren/client';
import { api, type TestCluster } from './cluster-processes.js';
import { declare, leaderOf, replicated, startCluster, view, wait, whenever, type QueueView } from './replicated-helpers.js';

/** A snapshot every 40 entries applied, whatever their size. */
const SNAPSHOTS = { WARREN_QUEUE_SNAPSHOT_ENTRIES: '40', WARREN_QUEUE_SNAPSHOT_FACTOR: '0' };
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster('test-cluster-secret-replicated-snap', { a: SNAPSHOTS, b: SNAPSHOTS, c: SNAPSHOTS });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

type LogView = QueueView & { lag?: Record<string, number>; log?: { snapshot: number; last: number } };
const logView = async (id: string, queue: string) => (await view(cluster.node(id), queue)) as LogView;

interface Seen {
  id: string;
  redelivered: boolean;
  count: number;
  attempt: number;
}

async function scenario(queue: string, kill: 'follower' | 'leader'): Promise<void> {
  await declare(cluster.node('a'), `/api/queues/%2F/${queue}`, replicated({ 'x-retry-initial-delay': 4000, 'x-retry-max-attempts': 3 }));
  const { leader, others } = await leaderOf(cluster, queue);
  const victim = kill === 'leader' ? leader : others[0]!;
  const [publisherAt, holderAt] = ['a', 'b', 'c'].filter((id) => id !== victim) as [string, string];
  const publisher: Client = await connect(cluster.node(publisherAt).url);
  const holder: Client = await connect(cluster.node(holderAt).url, { reconnect: false });
  let worker: Client | undefined;
  try {
    // m<i>: every tenth is held unacked, every tenth from 5 is retried once; n<i>: acked.
    const seen: Seen[] = [];
    const acked = new Set<string>();
    const held: string[] = [];
    const progress: (() => void)[] = [];
    const record = (m: Message): Seen => {
      const s = { id: m.properties.messageId!, redelivered: m.redelivered, count: m.deliveryCount, attempt: m.attempt };
      seen.push(s);
      return s;
    };
    await holder.consume(
      queue,
      (m: Message) => {
        const { id, attempt } = record(m);
        const i = Number(id.slice(1));
        if (id.startsWith('m') && i % 10 === 0) held.push(id);
        else if (id.startsWith('m') && i % 10 === 5 && attempt === 1) m.retry();
        else {
          m.ack();
          acked.add(id);
        }
        for (const poke of progress) poke();
      },
      { prefetch: 500 },
    );
    const publish = (id: string) => publisher.publish('', queue, `body of ${id}`, { messageId: id, persistent: true });
    await Promise.all(Array.from({ length: 100 }, (_, i) => publish(`m${i}`)));
    const settled = whenever(() => held.length === 10 && acked.size === 80 && seen.filter((s) => s.attempt === 1 && Number(s.id.slice(1)) % 10 === 5).length === 10);
    progress.push(settled.poke);
    settled.poke();
    await settled.reached;
    await vi.waitFor(async () => expect(await logView(victim, queue)).toMatchObject({ messages_unacknowledged: 10 }), wait);
    const before = (await logView(victim, queue)).log!;

    await cluster.kill9(victim);
    const survivors = ['a', 'b', 'c'].filter((id) => id !== victim);
    // One at a time: a node gathers the publishes (and acks) of one turn into one log entry, and the
    // log must go on for many entries here.
    for (let i = 0; i < 150; i++) await publish(`n${i}`);
    const more = whenever(() => [...acked].filter((id) => id.startsWith('n')).length === 150);
    progress.push(more.poke);
    more.poke();
    await more.reached;
    // The queue's log went on and was compacted past the last entry the dead member has.
    const { leader: now } = await leaderOf(cluster, queue, survivors);
    await vi.waitFor(async () => expect((await logView(now, queue)).log!.snapshot).toBeGreaterThan(before.last + 40), wait);
    const compacted = (await logView(now, queue)).log!.snapshot;

    await cluster.restart(victim);
    await vi.waitFor(async () => {
      const led = await logView(now, queue);
      expect(led.lag?.[victim]).toBe(0);
      const back = await logView(victim, queue);
      // Its log starts where the leader's was compacted, far past where it died: it installed the
      // leader's snapshot (replaying its own log could not get it there). And it stays short.
      expect(back.log!.snapshot).toBeGreaterThanOrEqual(compacted);
      expect(back.log!.last - back.log!.snapshot).toBeLessThan(200);
      expect(back).toMatchObject({ messages_unacknowledged: 10 });
    }, wait);

    // Leadership moves to the member restored from the snapshot; then the holder goes away.
    expect((await api(cluster.node(publisherAt), 'PUT', `/api/queues/%2F/${queue}/members`, { members: ['a', 'b', 'c'], leader: victim })).status).toBeLessThan(300);
    await vi.waitFor(async () => expect((await leaderOf(cluster, queue)).leader).toBe(victim), wait);
    const ackedBefore = new Set(acked);
    const heldBefore = [...held];
    const start = seen.length;
    await holder.close();
    worker = await connect(cluster.node(victim).url);
    const retried = Array.from({ length: 10 }, (_, i) => `m${i * 10 + 5}`);
    const done = whenever(() => heldBefore.every((id) => acked.has(id)) && retried.every((id) => acked.has(id)));
    await worker.consume(queue, (m: Message) => {
      record(m);
      m.ack();
      acked.add(m.properties.messageId!);
      done.poke();
    });
    done.poke();
    await done.reached;
    await vi.waitFor(async () => expect(await logView(victim, queue)).toMatchObject({ messages: 0, messages_unacknowledged: 0 }), wait);

    const after = seen.slice(start);
    // Each held message once more, redelivered, its count kept (one delivery before, this one now).
    for (const id of heldBefore) expect(after.filter((s) => s.id === id)).toEqual([{ id, redelivered: true, count: 2, attempt: 1 }]);
    // Each retry came back once, at its second attempt (to the holder before it left, or to the worker).
    for (const id of retried) expect(seen.filter((s) => s.id === id && s.attempt === 2)).toHaveLength(1);
    // Nothing acked came back; everything confirmed was delivered.
    expect(after.filter((s) => ackedBefore.has(s.id))).toEqual([]);
    for (let i = 0; i < 100; i++) expect(acked.has(`m${i}`)).toBe(true);
    for (let i = 0; i < 150; i++) expect(acked.has(`n${i}`)).toBe(true);
  } finally {
    await Promise.all([publisher.close(), holder.close().catch(() => {}), worker?.close()]);
  }
}

describe('a replicated queue compacted behind snapshots of its contents', () => {
  it('a follower killed with kill -9 comes back from a snapshot, holds the same queue, and leads it', { timeout: 60_000 }, async () => {
    await scenario('rq.snap1', 'follower');
  });

  it('so does a leader killed with kill -9', { timeout: 60_000 }, async () => {
    await scenario('rq.snap2', 'leader');
  });

});

/**
 * A snapshot larger than a cluster frame could once be (64 MB): a member that was down while a
 * queue filled with 80 MB is caught up by one snapshot of it. Its own cluster, with the default
 * size rule (factor 2), so each member writes one such snapshot, not one every 40 entries.
 */
describe('a replicated queue whose snapshot is larger than 64 MB', () => {
  let big: TestCluster;
  const BIG = { WARREN_QUEUE_SNAPSHOT_ENTRIES: '40', WARREN_QUEUE_SNAPSHOT_FACTOR: '2' };
  beforeAll(async () => {
    big = await startCluster('test-cluster-secret-replicated-big', { a: BIG, b: BIG, c: BIG });
  }, 60_000);
  afterAll(async () => {
    await big?.close();
  });
  const bigView = async (id: string, queue: string) => (await view(big.node(id), queue)) as LogView;

  it('a member that missed 80 MB comes back from one snapshot that large, and its messages are whole', { timeout: 60_000 }, async () => {
    const queue = 'rq.huge';
    await declare(big.node('a'), `/api/queues/%2F/${queue}`, replicated());
    const { leader, others } = await leaderOf(big, queue);
    const victim = others[0]!;
    await big.kill9(victim);
    const publisher = await connect(big.node(leader).url);
    const consumer = await connect(big.node(victim === 'a' ? 'b' : 'a').url);
    try {
      const body = (i: number) => Buffer.alloc(2 * 1024 * 1024, i);
      for (let i = 0; i < 40; i += 10) {
        await Promise.all(Array.from({ length: 10 }, (_, j) => publisher.publish('', queue, body(i + j), { messageId: `big${i + j}`, persistent: true })));
      }
      // Small ones after them, so that the snapshot (at 40 entries or later) holds at least 76 MB of the large ones.
      await Promise.all(Array.from({ length: 100 }, (_, i) => publisher.publish('', queue, `small ${i}`, { messageId: `small${i}`, persistent: true })));
      await vi.waitFor(async () => expect((await bigView(leader, queue)).log!.snapshot).toBeGreaterThanOrEqual(40), wait);

      await big.restart(victim);
      await vi.waitFor(async () => {
        // Whoever leads by now (a loaded machine may have moved leadership) has it caught up.
        const { leader: now } = await leaderOf(big, queue);
        expect((await bigView(now, queue)).lag?.[victim]).toBe(0);
        const back = await bigView(victim, queue);
        // Its log starts at a snapshot past the 40th entry, where its own log ended at the first few.
        expect(back.log!.snapshot).toBeGreaterThanOrEqual(40);
        expect(back).toMatchObject({ messages: 140 });
      }, wait);

      // Leadership moves to it, so what is delivered comes from the state it restored.
      expect((await api(big.node(victim), 'PUT', `/api/queues/%2F/${queue}/members`, { members: ['a', 'b', 'c'], leader: victim })).status).toBeLessThan(300);
      await vi.waitFor(async () => expect((await leaderOf(big, queue)).leader).toBe(victim), wait);
      const got = new Map<string, Uint8Array>();
      const all = whenever(() => got.size === 140);
      await consumer.consume(
        queue,
        (m: Message) => {
          got.set(m.properties.messageId!, Uint8Array.from(m.body));
          m.ack();
          all.poke();
        },
        { prefetch: 20 },
      );
      await all.reached;
      for (let i = 0; i < 40; i++) expect(Buffer.from(got.get(`big${i}`)!).equals(body(i))).toBe(true);
      for (let i = 0; i < 100; i++) expect(Buffer.from(got.get(`small${i}`)!).toString()).toBe(`small ${i}`);
    } finally {
      await Promise.all([publisher.close(), consumer.close()]);
    }
  });
});
