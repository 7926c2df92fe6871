/**
 * The replicated queue's commands beyond publish / consume / settle, decided in its log: policy,
 * purge, take and remove, ack leases, the dedup window, retries and at-least-once dead-letters.
 */
import type { PolicyRecord, QueueRecord, Table } from '@warren/core';
import { describe, expect, it } from 'vitest';
import { type QueueLogCommand, type QueueLogEffect } from './queue-log.js';
import { describeQueue, replicatedQueueMachine, SEEN_MS, type ReplicatedQueueState } from './replicated-queue.js';

const T0 = 1_000_000;

class Member {
  readonly machine;
  state: ReplicatedQueueState;
  index = 0;

  constructor(args: Table = {}) {
    const record: QueueRecord = { id: 'q1', vhost: '/', name: 'work', durable: true, exclusive: false, autoDelete: false, arguments: args };
    this.machine = replicatedQueueMachine(record);
    this.state = this.machine.init();
  }

  apply(command: QueueLogCommand): QueueLogEffect[] {
    const { state, effects } = this.machine.apply(this.state, command, { index: ++this.index, term: 1 });
    this.state = state;
    return [...effects];
  }
}

const enqueue = (id: string, now = T0, dedup?: string): QueueLogCommand => ({ t: 'enqueue', id, client: 'p', now, body: new Uint8Array([1]), ...(dedup === undefined ? {} : { dedup }) });
const of = <K extends QueueLogEffect['kind']>(effects: QueueLogEffect[], kind: K) => effects.filter((e): e is Extract<QueueLogEffect, { kind: K }> => e.kind === kind);
const policy = (definition: Table): PolicyRecord => ({ vhost: '/', name: 'p', pattern: '.*', applyTo: 'queues', priority: 0, definition });

describe('replicated queue: policies, purge, takes', () => {
  it('applies a policy from the log; one proposed late from an older metadata index changes nothing', () => {
    const m = new Member();
    m.apply({ t: 'policy', at: 7, policy: policy({ 'max-length': 1 }), now: T0 });
    m.apply(enqueue('m1'));
    m.apply(enqueue('m2'));
    expect(m.state.machine.stats().ready).toBe(1);
    m.apply({ t: 'policy', at: 5, policy: null, now: T0 });
    expect(m.state.machine.settings.maxLength).toBe(1);
    m.apply({ t: 'policy', at: 9, policy: null, now: T0 });
    expect(m.state.machine.settings.maxLength).toBeUndefined();
  });

  it('purges the ready messages and answers the count; takes from the head; removes named messages still ready', () => {
    const m = new Member();
    for (const id of ['m1', 'm2', 'm3', 'm4']) m.apply(enqueue(id));
    const [taken] = of(m.apply({ t: 'take', ref: 'r1', count: 2, now: T0 }), 'removed');
    expect(taken!.entries.map((e) => e.message.id)).toEqual(['m1', 'm2']);
    const [removed] = of(m.apply({ t: 'remove', ref: 'r2', entries: [{ seq: 4, id: 'm4' }, { seq: 1, id: 'm1' }], now: T0 }), 'removed');
    expect(removed!.entries.map((e) => e.message.id)).toEqual(['m4']);
    expect(m.apply({ t: 'purge', ref: 'r3', now: T0 })).toEqual([{ kind: 'purged', ref: 'r3', count: 1 }]);
    expect(m.state.machine.stats().ready).toBe(0);
  });
});

describe('replicated queue: leases, dedup, retries, dead-letters', () => {
  it('an ack lease runs on the log timer, extend renews it, and expiry revokes the delivery', () => {
    const m = new Member({ 'x-ack-timeout': 1000 });
    m.apply(enqueue('m1'));
    const granted = m.apply({ t: 'subscribe', consumer: 'c1', prefetch: 1, now: T0 });
    expect(of(granted, 'set-timer')).toEqual([{ kind: 'set-timer', timer: 'lease', due: T0 + 1000 }]);
    m.apply({ t: 'extend', consumer: 'c1', id: 'm1', ms: 5000, now: T0 + 500 });
    expect(of(m.apply({ t: 'timer', timer: 'lease', now: T0 + 1000, random: 0 }), 'revoked')).toEqual([]);
    const fired = m.apply({ t: 'timer', timer: 'lease', now: T0 + 5500, random: 0 });
    expect(of(fired, 'revoked')).toEqual([{ kind: 'revoked', consumer: 'c1', id: 'm1' }]);
    // Requeued and handed to the same consumer again, redelivered.
    expect(of(fired, 'deliver')[0]).toMatchObject({ consumer: 'c1', id: 'm1', redelivered: true, deliveryCount: 2 });
  });

  it("keeps a publisher's id for the dedup window: a repeat within it is confirmed and not stored", () => {
    const m = new Member({ 'x-dedup-window': 1000 });
    m.apply(enqueue('a', T0, 'order-1'));
    expect(m.apply(enqueue('b', T0 + 500, 'order-1'))).toEqual([{ kind: 'confirm', client: 'p', id: 'b' }]);
    expect(m.state.machine.stats().ready).toBe(1);
    m.apply(enqueue('c', T0 + 1001, 'order-1'));
    expect(m.state.machine.stats().ready).toBe(2);
    expect([...m.state.dedup]).toEqual([['order-1', T0 + 1001]]);
  });

  it('a dead-letter to an exchange stays pending, marked with x-death, until dead-lettered is committed', () => {
    const m = new Member({ 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'dead' });
    m.apply(enqueue('m1'));
    m.apply({ t: 'subscribe', consumer: 'c1', prefetch: 1, now: T0 });
    expect(of(m.apply({ t: 'settle', consumer: 'c1', id: 'm1', outcome: 'drop', now: T0 + 10, random: 0 }), 'dead-letter')).toEqual([{ kind: 'dead-letter', id: 'm1', reason: 'rejected' }]);
    const pending = m.state.effects.deadLetters.get('m1')!;
    expect(pending.message).toMatchObject({ exchange: 'dlx', routingKey: 'dead' });
    expect(pending.message.headers?.['x-death']).toEqual([{ count: 1, reason: 'rejected', queue: 'work', exchange: '', 'routing-keys': [''], time: Math.floor((T0 + 10) / 1000) }]);
    m.apply({ t: 'dead-lettered', id: 'm1', now: T0 + 20 });
    expect(m.state.effects.deadLetters.size).toBe(0);
  });

  it('reject-publish-dlx refuses the publish and dead-letters it; reject-publish only refuses', () => {
    const dlx = new Member({ 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx', 'x-dead-letter-exchange': 'dlx' });
    dlx.apply(enqueue('m1'));
    expect(of(dlx.apply(enqueue('m2')), 'rejected')).toHaveLength(1);
    expect([...dlx.state.effects.deadLetters.keys()]).toEqual(['m2']);
    const plain = new Member({ 'x-max-length': 1, 'x-overflow': 'reject-publish', 'x-dead-letter-exchange': 'dlx' });
    plain.apply(enqueue('m1'));
    expect(of(plain.apply(enqueue('m2')), 'rejected')).toHaveLength(1);
    expect(plain.state.effects.deadLetters.size).toBe(0);
  });

  it('remembers enqueued ids for SEEN_MS of its clock: a retry within it is not stored twice, the set then forgets them', () => {
    const m = new Member();
    m.apply(enqueue('m1', T0));
    m.apply(enqueue('m1', T0 + 1000));
    expect(m.state.machine.stats().ready).toBe(1);
    m.apply(enqueue('m2', T0 + SEEN_MS + 1));
    expect([...m.state.seen.keys()]).toEqual(['m2']);
  });

  it('the same commands give the same pending work on a member restored from a snapshot', () => {
    const args = { 'x-dead-letter-exchange': 'dlx', 'x-retry-delays': [100], 'x-retry-max-attempts': 2, 'x-dedup-window': 1000 };
    const [a, b] = [new Member(args), new Member(args)];
    const commands: QueueLogCommand[] = [
      enqueue('m1', T0, 'x'),
      enqueue('m2', T0, 'y'),
      { t: 'subscribe', consumer: 'c1', prefetch: 2, now: T0 },
      { t: 'settle', consumer: 'c1', id: 'm1', outcome: 'drop', now: T0, random: 0 },
      { t: 'settle', consumer: 'c1', id: 'm2', outcome: 'drop', now: T0, random: 0 },
    ];
    for (const c of commands) [a, b].forEach((m) => m.apply(c));
    b.state = b.machine.restore(b.machine.snapshot(b.state));
    expect(describeQueue(b.state)).toBe(describeQueue(a.state));
    expect([...a.state.effects.retries.keys()]).toEqual(['m1', 'm2']);
  });
});
