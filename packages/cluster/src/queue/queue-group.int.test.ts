/**
 * A replicated queue's group on three members in one process, each with its own cluster port and
 * LevelDB: commands proposed through a member that does not lead reach the leader, the leader
 * hands out deliveries, and a new leader hands out again what is unacknowledged when the old one
 * is gone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelKeyspace } from '@warren/store';
import type { QueueRecord } from '@warren/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterTransport } from '../node/cluster-transport.js';
import { GroupProposer } from './group-proposer.js';
import { decodeQueueCommand, encodeQueueCommand, type QueueLogCommand } from './queue-log.js';
import { QueueGroup, type QueueDelivery } from './queue-group.js';

const IDS = ['a', 'b', 'c'];
const NAME = 'q:%2F:work:5';
const silent = { info() {}, warn() {}, error() {} };
const record: QueueRecord = { id: 'local', vhost: '/', name: 'work', durable: true, exclusive: false, autoDelete: false, arguments: { 'x-queue-type': 'replicated' } };

interface Member {
  readonly id: string;
  readonly dir: string;
  readonly keys: LevelKeyspace;
  readonly transport: ClusterTransport;
  group: QueueGroup;
  alive: boolean;
}

const members: Member[] = [];
const handedOut: { by: string; consumer: string; delivery: QueueDelivery }[] = [];
let onHandOut: () => void = () => undefined;

afterAll(async () => {
  for (const m of members) {
    if (m.alive) {
      await m.group.stop();
      await m.transport.close();
    }
    await m.keys.close();
    await rm(m.dir, { recursive: true, force: true });
  }
});

function handedOutWhen(done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    onHandOut = () => {
      if (done()) resolve();
    };
    onHandOut();
  });
}

/** Three members, each with its own cluster port and LevelDB, running group `name` of a queue declared as `declared`. */
async function startMembers(name: string, declared: QueueRecord): Promise<Member[]> {
  const started: Member[] = [];
  for (const id of IDS) {
    const dir = await mkdtemp(join(tmpdir(), `warren-qgroup-${id}-`));
    const keys = await LevelKeyspace.open(dir);
    const transport = await ClusterTransport.listen({ id, secret: 'queue-group-test-secret', host: '127.0.0.1', port: 0, peers: [], logger: silent });
    started.push({ id, dir, keys, transport, group: undefined as unknown as QueueGroup, alive: true });
  }
  members.push(...started);
  for (const m of started) for (const other of started) if (other !== m) m.transport.addPeer({ id: other.id, host: '127.0.0.1', port: other.transport.port });
  for (const m of started) {
    m.group = await QueueGroup.start({
      node: m.id,
      name,
      members: IDS,
      preferredLeader: 'a',
      record: declared,
      keyspace: m.keys,
      transport: m.transport,
      logger: silent,
      deliver: (consumer, delivery) => {
        handedOut.push({ by: m.id, consumer, delivery });
        onHandOut();
      },
      checkConsumers: () => undefined,
      downed: () => undefined,
    });
    m.transport.onForward = (_group, command) => m.group.propose(decodeQueueCommand(command));
  }
  return started;
}

describe('QueueGroup on three members', () => {
  it('delivers through the leader, and a new leader hands out again what is unacknowledged', async () => {
    const members = await startMembers(NAME, record);
    // Proposed through b, whichever member leads.
    const b = members[1]!;
    const through = new GroupProposer<QueueLogCommand>({ node: 'b', group: NAME, members: IDS, preferred: 'a', transport: () => b.transport, encode: encodeQueueCommand, local: () => b.group });
    const body = new TextEncoder().encode('hello');
    await through.propose({ t: 'enqueue', id: 'm1', client: 'b', now: Date.now(), body, properties: { message_id: 'order-1' } }, 10_000);
    await through.propose({ t: 'subscribe', consumer: 'c1.c', prefetch: 5, now: Date.now() }, 10_000);
    await handedOutWhen(() => handedOut.length >= 1);
    const first = handedOut[0]!;
    expect(first.consumer).toBe('c1.c');
    expect(first.delivery).toMatchObject({ redelivered: false, deliveryCount: 1 });
    expect(first.delivery.message).toMatchObject({ id: 'm1', properties: { message_id: 'order-1' } });
    expect(new TextDecoder().decode(first.delivery.message.body)).toBe('hello');
    // Every member holds the same queue: one message out to c1.
    for (const m of members) await expect.poll(() => m.group.state.machine.stats()).toMatchObject({ ready: 0, unacked: 1, consumers: 1 });

    // The leader goes; another takes over and hands m1 out again to the same consumer.
    const leader = members.find((m) => m.id === first.by)!;
    leader.alive = false;
    await leader.group.stop();
    await leader.transport.close();
    await handedOutWhen(() => handedOut.some((h) => h.by !== leader.id && h.delivery.message.id === 'm1'));
    const again = handedOut.find((h) => h.by !== leader.id)!;
    expect(again).toMatchObject({ consumer: 'c1.c', delivery: { redelivered: false, deliveryCount: 1 } });

    // Settled through the new leader: acknowledged everywhere that is left.
    const survivor = members.find((m) => m !== leader)!;
    const settle = new GroupProposer<QueueLogCommand>({
      node: survivor.id,
      group: NAME,
      members: IDS,
      preferred: 'a',
      transport: () => survivor.transport,
      encode: encodeQueueCommand,
      local: () => survivor.group,
    });
    await settle.propose({ t: 'settle', consumer: 'c1.c', id: 'm1', outcome: 'ack', now: Date.now(), random: 0 }, 10_000);
    for (const m of members.filter((x) => x !== leader)) await expect.poll(() => m.group.state.machine.stats()).toMatchObject({ ready: 0, unacked: 0 });
  });

  it("expires messages on the leader's clock: it proposes the TTL timer once due, and every member drops them", async () => {
    const ttl = await startMembers('q:%2F:ttl:9', { ...record, name: 'ttl', arguments: { 'x-queue-type': 'replicated', 'x-message-ttl': 100 } });
    const a = ttl[0]!;
    const through = new GroupProposer<QueueLogCommand>({ node: 'a', group: 'q:%2F:ttl:9', members: IDS, preferred: 'a', transport: () => a.transport, encode: encodeQueueCommand, local: () => a.group });
    await through.propose({ t: 'enqueue', id: 't1', client: 'a', now: Date.now(), body: new Uint8Array([1]) }, 10_000);
    // Every member took it, then dropped it at its TTL (the timer command was proposed and applied).
    for (const m of ttl) await expect.poll(() => m.group.state.seen.has('t1')).toBe(true);
    for (const m of ttl) await expect.poll(() => m.group.state.machine.stats().ready).toBe(0);
    for (const m of ttl) expect(m.group.state.effects.timers.size).toBe(0);
  });
});
