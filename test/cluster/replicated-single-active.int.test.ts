/**
 * x-single-active-consumer on a replicated queue, three real node processes: the queue's log
 * serves only the first consumer (on a follower, the other on the leader); when the active one's
 * connection closes with unacked deliveries, the other gets them first, in order and redelivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Message } from '@warren/client';
import { api, type TestCluster } from './cluster-processes.js';
import { declare, leaderOf, replicated, startCluster, view, wait, type QueueView } from './replicated-helpers.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster('test-cluster-secret-single-active');
});
afterAll(async () => {
  await cluster?.close();
});

const activeTag = async (id: string) =>
  ((await view(cluster.node(id), 'sac-replicated')) as QueueView & { single_active_consumer_tag: string | null }).single_active_consumer_tag;

describe('single active consumer on a replicated queue', () => {
  it('serves the first consumer only, then hands over to the next in order', async () => {
    const queue = 'sac-replicated';
    await declare(cluster.node('a'), `/api/queues/%2F/${queue}`, replicated({ 'x-single-active-consumer': true }));
    const { leader, others } = await leaderOf(cluster, queue);
    const first = await connect(cluster.node(others[0]!).url, { reconnect: false });
    const second = await connect(cluster.node(leader).url);
    const held: Message[] = [];
    await first.consume(queue, (m) => void held.push(m), { prefetch: 3, consumerTag: 'first' });
    // The log orders the consumers: the first is in it before the second subscribes.
    await expect.poll(async () => ((await view(cluster.node(leader), queue)) as QueueView & { consumers: number }).consumers, wait).toBe(1);
    const got: Message[] = [];
    await second.consume(queue, (m) => void got.push(m), { consumerTag: 'second' });
    const bodies = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
    for (const body of bodies) await second.publish('', queue, body);
    await expect.poll(() => held.length, wait).toBe(3);
    expect(held.map((m) => m.text())).toEqual(['m0', 'm1', 'm2']);
    expect(got).toHaveLength(0);
    // Each node shows what its replica decided: the active consumer runs on the follower, the leader's own one waits.
    expect(await activeTag(others[0]!)).toBe('first');
    expect(await activeTag(leader)).toBeNull();
    const onLeader = (await api(cluster.node(leader), 'GET', '/api/consumers')).body as { consumer_tag: string; active: boolean; activity_status: string }[];
    expect(onLeader.map((c) => [c.consumer_tag, c.active, c.activity_status])).toEqual([['second', false, 'waiting']]);

    await first.close();
    await expect.poll(() => got.length, wait).toBe(6);
    expect(got.map((m) => m.text())).toEqual(bodies);
    expect(got.map((m) => m.redelivered)).toEqual([true, true, true, false, false, false]);
    expect(await activeTag(leader)).toBe('second');
    for (const m of got) m.ack();
    await second.close();
  });
});
