/**
 * A replicated queue's group changes members while it runs (retarget): a new member joins from
 * the founders' first entry, catches up and is promoted before the member leaving is removed; a
 * leader that is itself to leave hands leadership over first, and the member removed is told.
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
import { QueueGroup } from './queue-group.js';

const FOUNDERS = ['a', 'b', 'c'];
const NAME = 'q:%2F:moving:7';
const silent = { info() {}, warn() {}, error() {} };
const record: QueueRecord = { id: 'local', vhost: '/', name: 'moving', durable: true, exclusive: false, autoDelete: false, arguments: { 'x-queue-type': 'replicated' } };

interface Member {
  readonly id: string;
  readonly dir: string;
  readonly keys: LevelKeyspace;
  readonly transport: ClusterTransport;
  group?: QueueGroup;
}

const members = new Map<string, Member>();
const removed: { by: string; node: string }[] = [];
/** Membership changes as leaders proposed them, in order. */
const changes: string[] = [];
const logger = {
  info(fields: object) {
    const { change, member } = fields as { change?: string; member?: string };
    if (change !== undefined && !changes.includes(`${change} ${member}`)) changes.push(`${change} ${member}`);
  },
  warn() {},
  error() {},
};

afterAll(async () => {
  for (const m of members.values()) {
    await m.group?.stop();
    await m.transport.close();
    await m.keys.close();
    await rm(m.dir, { recursive: true, force: true });
  }
});

async function node(id: string): Promise<Member> {
  const dir = await mkdtemp(join(tmpdir(), `warren-qmove-${id}-`));
  const keys = await LevelKeyspace.open(dir);
  const transport = await ClusterTransport.listen({ id, secret: 'queue-group-test-secret', host: '127.0.0.1', port: 0, peers: [], logger: silent });
  const member: Member = { id, dir, keys, transport };
  for (const other of members.values()) {
    other.transport.addPeer({ id, host: '127.0.0.1', port: transport.port });
    transport.addPeer({ id: other.id, host: '127.0.0.1', port: other.transport.port });
  }
  members.set(id, member);
  transport.onForward = (_group, command) => member.group!.propose(decodeQueueCommand(command));
  return member;
}

async function run(m: Member, wanted: string[], leader: string, founders?: string[]): Promise<QueueGroup> {
  m.group = await QueueGroup.start({
    node: m.id,
    name: NAME,
    members: wanted,
    preferredLeader: leader,
    ...(founders === undefined ? {} : { founders }),
    record,
    keyspace: m.keys,
    transport: m.transport,
    logger,
    deliver: () => undefined,
    checkConsumers: () => undefined,
    downed: () => undefined,
    removed: (gone) => removed.push({ by: m.id, node: gone }),
  });
  return m.group;
}

const proposerOn = (m: Member, wanted: string[], preferred: string) =>
  new GroupProposer<QueueLogCommand>({ node: m.id, group: NAME, members: wanted, preferred, transport: () => m.transport, encode: encodeQueueCommand, local: () => m.group });

const enqueue = (id: string): QueueLogCommand => ({ t: 'enqueue', id, client: 'test', now: Date.now(), body: new Uint8Array([1]) });

describe('a replicated queue group whose members move', () => {
  it('adds the new member before it removes the leaving one, the leaving leader handing over first', async () => {
    for (const id of FOUNDERS) await node(id);
    // The preferred leader last: its campaign at once then reaches members that are running (one
    // that found none would wait for an election timeout like the others, and a member that won
    // instead would hand back only after leading a while).
    for (const id of ['b', 'c', 'a']) await run(members.get(id)!, FOUNDERS, 'a');
    const a = members.get('a')!;
    await expect.poll(() => a.group!.leader, { timeout: 10_000 }).toBe('a');
    await proposerOn(a, FOUNDERS, 'a').propose(enqueue('m1'), 10_000);

    // The metadata moves the queue from a to d, preferring b: every member is told; d starts from the founders' entry.
    const wanted = ['b', 'c', 'd'];
    const d = await node('d');
    await run(d, wanted, 'b', FOUNDERS);
    for (const id of FOUNDERS) members.get(id)!.group!.retarget(wanted, 'b');

    const b = members.get('b')!;
    await expect.poll(() => [...b.group!.conf.voters].sort(), { timeout: 15_000 }).toEqual(wanted);
    expect(b.group!.conf.learners).toEqual([]);
    // One server at a time, adding before removing: the group never held fewer than three voters.
    expect(changes).toEqual(['addLearner d', 'promote d', 'remove a']);
    await expect.poll(() => b.group!.leader, { timeout: 10_000 }).toBe('b');
    // a left (it had to hand leadership over to be removed) and was told so by the leader that removed it.
    await expect.poll(() => removed, { timeout: 10_000 }).toContainEqual({ by: 'b', node: 'a' });
    for (const id of wanted) await expect.poll(() => [...members.get(id)!.group!.conf.voters].sort(), { timeout: 10_000 }).toEqual(wanted);

    // d holds what was enqueued before it joined, and the group commits without a.
    await expect.poll(() => d.group!.state.seen.has('m1'), { timeout: 10_000 }).toBe(true);
    await a.group!.stop();
    a.group = undefined;
    await proposerOn(d, wanted, 'b').propose(enqueue('m2'), 10_000);
    for (const id of wanted) await expect.poll(() => members.get(id)!.group!.state.machine.stats().ready, { timeout: 10_000 }).toBe(2);
    expect(b.group!.lag()).toEqual({ b: 0, c: expect.any(Number), d: expect.any(Number) });
  });
});
