/**
 * Core's queue machine through the replicated adapter: commands by id in, effects by id out;
 * the same log gives the same queue and the same effects on every member, through encode and
 * decode and through a snapshot restored midway.
 */
import fc from 'fast-check';
import type { QueueRecord, Table } from '@warren/core';
import { describe, expect, it } from 'vitest';
import { type QueueLogCommand, type QueueLogEffect } from './queue-log.js';
import { describeQueue, replicatedQueueMachine, type ReplicatedQueueState } from './replicated-queue.js';

const T0 = 1_000_000;

function record(args: Table = {}): QueueRecord {
  return { id: 'q1', vhost: '/', name: 'work', durable: true, exclusive: false, autoDelete: false, arguments: args };
}

/** One member: applies commands at consecutive log indices. */
class Member {
  readonly machine;
  state: ReplicatedQueueState;
  index = 0;

  constructor(args: Table = {}) {
    this.machine = replicatedQueueMachine(record(args));
    this.state = this.machine.init();
  }

  apply(command: QueueLogCommand): QueueLogEffect[] {
    const { state, effects } = this.machine.apply(this.state, command, { index: ++this.index, term: 1 });
    this.state = state;
    return [...effects];
  }
}

const enqueue = (id: string, now = T0, body = new Uint8Array([1, 2, 3])): QueueLogCommand => ({ t: 'enqueue', id, client: 'p', now, body });
const subscribe = (consumer: string, prefetch: number, now = T0): QueueLogCommand => ({ t: 'subscribe', consumer, prefetch, now });
const settle = (consumer: string, id: string, outcome: 'ack' | 'requeue' | 'drop', random = 0.5): QueueLogCommand => ({ t: 'settle', consumer, id, outcome, now: T0, random });
const of = <K extends QueueLogEffect['kind']>(effects: QueueLogEffect[], kind: K) => effects.filter((e): e is Extract<QueueLogEffect, { kind: K }> => e.kind === kind);

describe('replicated queue: core queue machine by ids', () => {
  it('confirms a publish, delivers it to a subscriber by id, and settles it by id', () => {
    const m = new Member();
    expect(m.apply(enqueue('m1'))).toEqual([{ kind: 'confirm', client: 'p', id: 'm1' }]);
    expect(m.apply(subscribe('c1', 1))).toEqual([
      { kind: 'deliver', consumer: 'c1', id: 'm1', redelivered: false, deliveryCount: 1, index: 2 },
      { kind: 'subscribed', consumer: 'c1' },
    ]);
    m.apply(enqueue('m2'));
    const acked = m.apply(settle('c1', 'm1', 'ack'));
    expect(acked).toEqual([
      { kind: 'deliver', consumer: 'c1', id: 'm2', redelivered: false, deliveryCount: 1, index: 4 },
      { kind: 'settled', consumer: 'c1', id: 'm1', outcome: 'acked', index: 4 },
    ]);
    expect(m.state.machine.stats()).toMatchObject({ ready: 0, unacked: 1, consumers: 1 });
  });

  it('a retried publish is confirmed again but stored once; a settle of a delivery not held is stale', () => {
    const m = new Member();
    m.apply(enqueue('m1'));
    expect(m.apply(enqueue('m1'))).toEqual([{ kind: 'confirm', client: 'p', id: 'm1' }]);
    expect(m.state.machine.stats().ready).toBe(1);
    m.apply(subscribe('c1', 5));
    expect(of(m.apply(settle('c2', 'm1', 'ack')), 'settled')).toEqual([{ kind: 'settled', consumer: 'c2', id: 'm1', outcome: 'stale', index: 4 }]);
    m.apply(settle('c1', 'm1', 'ack'));
    expect(of(m.apply(settle('c1', 'm1', 'ack')), 'settled')[0]?.outcome).toBe('stale');
  });

  it('nack requeues redelivered; reject dead-letters; a consumer going down gives its deliveries to another', () => {
    const m = new Member();
    m.apply(enqueue('m1'));
    m.apply(enqueue('m2'));
    m.apply(subscribe('c1', 2));
    expect(of(m.apply(settle('c1', 'm1', 'requeue')), 'deliver')).toEqual([{ kind: 'deliver', consumer: 'c1', id: 'm1', redelivered: true, deliveryCount: 2, index: 4 }]);
    expect(of(m.apply(settle('c1', 'm2', 'drop')), 'dead-letter')).toEqual([{ kind: 'dead-letter', id: 'm2', reason: 'rejected' }]);
    m.apply(subscribe('c2', 2));
    const down = m.apply({ t: 'down', consumer: 'c1', now: T0 });
    expect(of(down, 'deliver')).toEqual([{ kind: 'deliver', consumer: 'c2', id: 'm1', redelivered: true, deliveryCount: 3, index: 7 }]);
    // Its connection is gone: a late subscribe from it is refused.
    m.apply(subscribe('c1', 2));
    expect(m.state.machine.stats().consumers).toBe(1);
  });

  it('a retry back-off is drawn from the random number in the settle; retry-due brings the message back', () => {
    const m = new Member({ 'x-retry-initial-delay': 100, 'x-retry-jitter': 0.5, 'x-retry-max-attempts': 3 });
    m.apply(enqueue('m1', T0, new Uint8Array([9])));
    m.apply(subscribe('c1', 1));
    const [retry] = of(m.apply(settle('c1', 'm1', 'drop', 0)), 'retry');
    expect(retry).toEqual({ kind: 'retry', id: 'm1', delay: 50, due: T0 + 50 });
    // The pending retry is in the queue's state (a new leader fires it), and comes back once.
    expect([...m.state.effects.retries.keys()]).toEqual(['m1']);
    const back = m.apply({ t: 'retry-due', id: 'm1', now: T0 + 50 });
    expect(of(back, 'deliver')).toEqual([{ kind: 'deliver', consumer: 'c1', id: 'm1', redelivered: false, deliveryCount: 1, index: 4 }]);
    expect(m.apply({ t: 'retry-due', id: 'm1', now: T0 + 60 })).toEqual([]);
    expect(m.state.effects.retries.size).toBe(0);
  });

  it('the TTL timer is an effect, and its firing a command carrying the time', () => {
    const m = new Member({ 'x-message-ttl': 100 });
    const armed = of(m.apply(enqueue('m1')), 'set-timer');
    expect(armed).toEqual([{ kind: 'set-timer', timer: 'ttl', due: T0 + 100 }]);
    // Every member knows the timer is armed, so whichever leads next can arm it on its clock.
    expect([...m.state.effects.timers]).toEqual([['ttl', T0 + 100]]);
    // Proposed before its due time (a leader's clock behind the one that armed it): it does not fire.
    expect(m.apply({ t: 'timer', timer: 'ttl', now: T0 + 99, random: 0.5 })).toEqual([]);
    expect(of(m.apply({ t: 'timer', timer: 'ttl', now: T0 + 100, random: 0.5 }), 'dead-letter')).toEqual([{ kind: 'dead-letter', id: 'm1', reason: 'expired' }]);
    expect(m.state.machine.stats().ready).toBe(0);
    expect(m.state.effects.timers.size).toBe(0);
  });

  it("the machine's clock never goes back: a command stamped earlier happens at the latest time applied", () => {
    const m = new Member({ 'x-message-ttl': 100 });
    m.apply(enqueue('m1', T0 + 50));
    // Another leader's clock, or a client's retried command, is behind: m2 is taken as published at T0 + 50.
    expect(of(m.apply(enqueue('m2', T0)), 'set-timer')).toEqual([]);
    expect(m.state.machine.now).toBe(T0 + 50);
    expect(of(m.apply({ t: 'timer', timer: 'ttl', now: T0 + 150, random: 0.5 }), 'dead-letter').map((e) => e.id)).toEqual(['m1', 'm2']);
  });

  it('overflow reject-publish nacks the publish instead of confirming it', () => {
    const m = new Member({ 'x-max-length': 1, 'x-overflow': 'reject-publish' });
    m.apply(enqueue('m1'));
    expect(m.apply(enqueue('m2'))).toEqual([{ kind: 'rejected', client: 'p', id: 'm2' }]);
  });
});

/** A generated history of client commands over a few consumers and messages. */
const history = fc.array(
  fc.oneof(
    fc.nat(30).map((n) => enqueue(`m${n}`, T0 + n)),
    fc.record({ c: fc.nat(3), p: fc.integer({ min: 1, max: 4 }) }).map(({ c, p }) => subscribe(`c${c}`, p)),
    fc.record({ c: fc.nat(3), m: fc.nat(30), o: fc.constantFrom('ack', 'requeue', 'drop') as fc.Arbitrary<'ack' | 'requeue' | 'drop'> }).map(({ c, m, o }) => settle(`c${c}`, `m${m}`, o)),
    fc.nat(3).map((c): QueueLogCommand => ({ t: 'down', consumer: `c${c}`, now: T0 })),
    fc.nat(3).map((c): QueueLogCommand => ({ t: 'cancel', consumer: `c${c}`, now: T0 })),
  ),
  { maxLength: 80 },
);

describe('replicated queue: the same log on every member', () => {
  it('two members, one of them reading the commands through encode/decode, end with the same effects and queue', () => {
    fc.assert(
      fc.property(history, (commands) => {
        const [a, b] = [new Member({ 'x-delivery-limit': 3 }), new Member({ 'x-delivery-limit': 3 })];
        const effectsA = commands.map((c) => a.apply(c));
        // b receives the bytes, as a follower does: a copy, not the entry its own machine encoded.
        const effectsB = commands.map((c) => b.apply(b.machine.decode(b.machine.encode(c).slice())));
        expect(effectsB).toEqual(effectsA);
        expect(describeQueue(b.state)).toBe(describeQueue(a.state));
      }),
    );
  });

  it('a member restored from a snapshot taken midway goes on exactly as the one that never stopped', () => {
    fc.assert(
      fc.property(history, fc.nat(), (commands, cut) => {
        const at = commands.length === 0 ? 0 : cut % commands.length;
        const [a, b] = [new Member(), new Member()];
        for (const c of commands.slice(0, at)) [a, b].forEach((m) => m.apply(c));
        b.state = b.machine.restore(b.machine.snapshot(b.state));
        expect(describeQueue(b.state)).toBe(describeQueue(a.state));
        for (const c of commands.slice(at)) expect(b.apply(c)).toEqual(a.apply(c));
        expect(describeQueue(b.state)).toBe(describeQueue(a.state));
      }),
    );
  });
});
