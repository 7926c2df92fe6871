/**
 * A replicated queue restored from a snapshot of its contents is the queue it was: for random
 * histories over every feature that keeps state (ack leases, TTL, retries with back-off,
 * dead-letters pending, delivery limit, dedup window, x-expires, drop-head, policies, takes and
 * removals, cancelled and downed consumers), a member restored from a snapshot taken at any point
 * and given the rest of the log gives the same effects and ends in the same state as one that
 * applied it all. The state is compared in full: ready messages in order with their seq, flags
 * and counts, deliveries out, leases and timers with their due times, pending retries and
 * dead-letters with their headers.
 */
import fc from 'fast-check';
import { queueImage, type PolicyRecord, type QueueEntry, type QueueRecord, type Table } from '@warren/core';
import { describe, expect, it } from 'vitest';
import type { EnqueueItem, QueueLogCommand, QueueLogEffect, SettleItem } from './queue-log.js';
import { describeQueue, replicatedQueueMachine, type ReplicatedQueueState } from './replicated-queue.js';
import { decodeSnapshot } from './queue-snapshot.js';

const T0 = 1_000_000;

const record = (args: Table): QueueRecord => ({ id: 'q1', vhost: '/', name: 'work', durable: true, exclusive: false, autoDelete: false, arguments: args });
const policy = (definition: Table): PolicyRecord => ({ vhost: '/', name: 'p', pattern: '.*', applyTo: 'queues', priority: 0, definition });

/** Argument sets that together turn on every timer and every pending list. */
const ARGUMENTS: Table[] = [
  { 'x-message-ttl': 300, 'x-dead-letter-exchange': 'dlx', 'x-ack-timeout': 200, 'x-delivery-limit': 2 },
  { 'x-retry-initial-delay': 100, 'x-retry-max-attempts': 3, 'x-retry-jitter': 0.5, 'x-dedup-window': 500, 'x-expires': 1000 },
  { 'x-max-length': 4, 'x-overflow': 'drop-head', 'x-dead-letter-exchange': 'dlx', 'x-message-ttl': 250 },
  { 'x-max-length': 3, 'x-overflow': 'reject-publish-dlx', 'x-dead-letter-exchange': 'dlx', 'x-ack-timeout': 150 },
  { 'x-single-active-consumer': true, 'x-ack-timeout': 200, 'x-message-ttl': 300 },
];
const POLICIES: (PolicyRecord | null)[] = [null, policy({ 'ack-timeout': 120, 'dead-letter-exchange': 'p-dlx' }), policy({ 'message-ttl': 80, 'retry-max-attempts': 2 })];

const id = fc.nat(12).map((n) => `m${n}`);
const consumer = fc.nat(2).map((n) => `c${n}`);
const random = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

const enqueueItem: fc.Arbitrary<EnqueueItem> = fc
  .record({ id, dedup: fc.option(fc.nat(4).map((n) => `d${n}`), { nil: undefined }), size: fc.nat(40) })
  .map(({ id, dedup, size }) => ({ id, body: new Uint8Array(size).fill(size), headers: { n: size }, ...(dedup === undefined ? {} : { dedup }) }));

const settleItem: fc.Arbitrary<SettleItem> = fc
  .record({ consumer, id, outcome: fc.constantFrom('ack', 'requeue', 'drop', 'retry' as const), random, delay: fc.option(fc.nat(300), { nil: undefined }) })
  .map(({ delay, ...item }) => (delay === undefined ? item : { ...item, delay }));

/** A command given its time; generated with a step of the clock before it. */
const command: fc.Arbitrary<(now: number) => QueueLogCommand> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ id, dedup: fc.option(fc.nat(4).map((n) => `d${n}`), { nil: undefined }), size: fc.nat(40) }).map(
    ({ id, dedup, size }) => (now: number): QueueLogCommand => ({ t: 'enqueue', id, client: 'p', now, body: new Uint8Array(size).fill(size), headers: { n: size }, ...(dedup === undefined ? {} : { dedup }) }),
  ) },
  { weight: 2, arbitrary: fc.record({ consumer, prefetch: fc.nat(3), ackTimeout: fc.option(fc.integer({ min: 50, max: 400 }), { nil: undefined }) }).map(
    ({ consumer, prefetch, ackTimeout }) => (now: number): QueueLogCommand => ({ t: 'subscribe', consumer, prefetch, now, ...(ackTimeout === undefined ? {} : { ackTimeout }) }),
  ) },
  { weight: 5, arbitrary: fc.record({ consumer, id, outcome: fc.constantFrom('ack', 'requeue', 'drop', 'retry' as const), random, delay: fc.option(fc.nat(300), { nil: undefined }) }).map(
    ({ consumer, id, outcome, random, delay }) => (now: number): QueueLogCommand => ({ t: 'settle', consumer, id, outcome, now, random, ...(delay === undefined ? {} : { delay }) }),
  ) },
  { weight: 2, arbitrary: fc.array(enqueueItem, { minLength: 1, maxLength: 4 }).map((messages) => (now: number): QueueLogCommand => ({ t: 'enqueues', client: 'p', now, messages })) },
  { weight: 3, arbitrary: fc.array(settleItem, { minLength: 1, maxLength: 6 }).map((settles) => (now: number): QueueLogCommand => ({ t: 'settles', now, settles })) },
  fc.record({ consumer, id, ms: fc.integer({ min: 10, max: 500 }) }).map(({ consumer, id, ms }) => (now: number): QueueLogCommand => ({ t: 'extend', consumer, id, ms, now })),
  consumer.map((consumer) => (now: number): QueueLogCommand => ({ t: 'cancel', consumer, now })),
  consumer.map((consumer) => (now: number): QueueLogCommand => ({ t: 'down', consumer, now })),
  { weight: 3, arbitrary: fc.record({ timer: fc.constantFrom('ttl', 'lease', 'expires' as const), random }).map(({ timer, random }) => (now: number): QueueLogCommand => ({ t: 'timer', timer, now, random })) },
  id.map((id) => (now: number): QueueLogCommand => ({ t: 'retry-due', id, now })),
  id.map((id) => (now: number): QueueLogCommand => ({ t: 'dead-lettered', id, now })),
  fc.constant((now: number): QueueLogCommand => ({ t: 'dispatch', now })),
  fc.constant((now: number): QueueLogCommand => ({ t: 'touch', now })),
  fc.constant((now: number): QueueLogCommand => ({ t: 'purge', ref: 'r', now })),
  fc.nat(3).map((count) => (now: number): QueueLogCommand => ({ t: 'take', ref: 'r', count, now })),
  fc.array(fc.record({ seq: fc.integer({ min: 1, max: 30 }), id }), { maxLength: 3 }).map((entries) => (now: number): QueueLogCommand => ({ t: 'remove', ref: 'r', entries, now })),
  fc.record({ at: fc.nat(5), p: fc.constantFrom(...POLICIES) }).map(({ at, p }) => (now: number): QueueLogCommand => ({ t: 'policy', at, policy: p, now })),
);

/** Commands with a clock that mostly moves forward, sometimes a little back (another leader's). */
const history = fc.array(fc.tuple(fc.integer({ min: -20, max: 120 }), command), { maxLength: 120 }).map((steps) => {
  let now = T0;
  return steps.map(([step, make]) => make((now += step)));
});

const entryText = (e: QueueEntry) => [e.seq, e.message.id, e.redelivered, e.deliveryCount, e.message.publishedAt, JSON.stringify(e.message.headers), Buffer.from(e.message.body).toString('hex')];

/** Everything the queue holds, as text. */
function fullState(state: ReplicatedQueueState): string {
  const image = queueImage(state.machine);
  return JSON.stringify({
    described: describeQueue(state),
    now: image.now,
    nextSeq: image.nextSeq,
    attached: image.consumers.map((c) => c.tag),
    returned: image.returned.map(entryText),
    ram: image.ram.map(entryText),
    unacked: [...state.effects.unacked].map(([id, d]) => [id, ...entryText(d.entry)]),
    leases: image.leases.map((l) => [l.entry.message.id, l.consumer.tag, l.ms, l.due]),
    timers: image.timers,
    retries: [...state.effects.retries].map(([id, r]) => [id, r.due, JSON.stringify(r.message.headers), r.message.publishedAt]),
    deadLetters: [...state.effects.deadLetters].map(([id, d]) => [id, d.reason, JSON.stringify(d.message.headers)]),
    seen: [...state.seen],
    policy: state.machine.policy?.record ?? null,
  });
}

function run(args: Table, commands: QueueLogCommand[], cut: number): void {
  const machine = replicatedQueueMachine(record(args));
  let a = machine.init();
  let b = machine.init();
  const apply = (state: ReplicatedQueueState, c: QueueLogCommand, index: number): { state: ReplicatedQueueState; effects: QueueLogEffect[] } => {
    const applied = machine.apply(state, c, { index, term: 1 });
    return { state: applied.state, effects: [...applied.effects] };
  };
  commands.slice(0, cut).forEach((c, i) => {
    a = apply(a, c, i + 1).state;
    b = apply(b, c, i + 1).state;
  });
  // A copy of the bytes, as a member that receives InstallSnapshot or reads its disk has.
  const taken = machine.snapshot(b);
  b = machine.restore(taken.slice());
  expect(fullState(b)).toBe(fullState(a));
  // The same snapshot written a slice at a time while `a` goes on applying, as a member does.
  const writer = machine.snapshotWriter!(a);
  let sliced: Uint8Array | undefined;
  commands.slice(cut).forEach((c, i) => {
    sliced ??= writer.write(0);
    const ea = apply(a, c, cut + i + 1);
    const eb = apply(b, c, cut + i + 1);
    a = ea.state;
    b = eb.state;
    expect(JSON.stringify(eb.effects)).toBe(JSON.stringify(ea.effects));
  });
  expect(fullState(b)).toBe(fullState(a));
  while (sliced === undefined) sliced = writer.write(0);
  expect(Buffer.from(sliced).equals(Buffer.from(taken))).toBe(true);
}

describe('replicated queue snapshot of contents', () => {
  it('restored at any point and fed the rest of the log, a member gives the same effects and state as one that applied it all', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ARGUMENTS), history, fc.nat(), (args, commands, cut) => run(args, commands, commands.length === 0 ? 0 : cut % (commands.length + 1))),
      { numRuns: 400 },
    );
  });

  it('a settles (enqueues) command is the same as its settles (publishes) applied one by one, in order, at its time', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ARGUMENTS), history, (args, commands) => {
        const machine = replicatedQueueMachine(record(args));
        let batched = machine.init();
        let single = machine.init();
        commands.forEach((c, i) => {
          const meta = { index: i + 1, term: 1 };
          const applied = machine.apply(batched, c, meta);
          batched = applied.state;
          const expected: QueueLogEffect[] = [];
          const each: QueueLogCommand[] =
            c.t === 'settles'
              ? c.settles.map((item) => ({ t: 'settle', ...item, now: c.now }))
              : c.t === 'enqueues'
                ? c.messages.map((item) => ({ t: 'enqueue', ...item, client: c.client, now: c.now }))
                : [c];
          for (const one of each) {
            const applied = machine.apply(single, one, meta);
            single = applied.state;
            expected.push(...applied.effects);
          }
          expect(JSON.stringify(applied.effects)).toBe(JSON.stringify(expected));
        });
        expect(fullState(batched)).toBe(fullState(single));
        expect(Buffer.compare(machine.snapshot(batched), machine.snapshot(single))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('a snapshot holds the contents, not the history: its size follows the backlog, and bodies are raw bytes', () => {
    const machine = replicatedQueueMachine(record({}));
    let state = machine.init();
    const body = new Uint8Array(1000).fill(7);
    for (let i = 0; i < 2000; i++) {
      state = machine.apply(state, { t: 'enqueue', id: `m${i}`, client: 'p', now: T0 + i, body }, { index: i + 1, term: 1 }).state;
      state = machine.apply(state, { t: 'take', ref: 'r', count: 1, now: T0 + i }, { index: i + 1, term: 1 }).state;
    }
    // 2,000 messages came and went; what is left is the window of ids seen, no body.
    const empty = machine.snapshot(state);
    expect(empty.length).toBeLessThan(2000 * 40);
    for (let i = 0; i < 10; i++) state = machine.apply(state, { t: 'enqueue', id: `n${i}`, client: 'p', now: T0 + 3000, body }, { index: 5000 + i, term: 1 }).state;
    const ten = machine.snapshot(state);
    // Ten bodies of 1,000 bytes, each once and unencoded, plus a little per message.
    expect(ten.length - empty.length).toBeGreaterThan(10_000);
    expect(ten.length - empty.length).toBeLessThan(10_000 + 10 * 300);
    expect(Buffer.from(ten).indexOf(Buffer.from(body))).toBeGreaterThan(0);
  });

  it('single active consumer: a member restored from a snapshot serves the same one, and hands over to the next in order', () => {
    const machine = replicatedQueueMachine(record({ 'x-single-active-consumer': true }));
    let state = machine.init();
    let index = 0;
    const apply = (c: QueueLogCommand): string[] => {
      const applied = machine.apply(state, c, { index: ++index, term: 1 });
      state = applied.state;
      return applied.effects.filter((e) => e.kind === 'deliver').map((e) => `${e.consumer}:${e.id}${e.redelivered ? 'r' : ''}`);
    };
    apply({ t: 'subscribe', consumer: 'c1', prefetch: 2, now: T0 });
    apply({ t: 'subscribe', consumer: 'c2', prefetch: 0, now: T0 });
    const enqueued = ['m1', 'm2', 'm3'].flatMap((id) => apply({ t: 'enqueue', id, client: 'p', now: T0, body: new Uint8Array(1) }));
    expect(enqueued).toEqual(['c1:m1', 'c1:m2']);
    state = machine.restore(machine.snapshot(state).slice());
    expect(state.machine.consumers.map((c) => c.tag)).toEqual(['c1', 'c2']);
    expect(apply({ t: 'dispatch', now: T0 })).toEqual([]);
    expect(apply({ t: 'cancel', consumer: 'c1', now: T0 + 1 })).toEqual(['c2:m1r', 'c2:m2r', 'c2:m3']);
    expect(apply({ t: 'settle', consumer: 'c1', id: 'm1', outcome: 'ack', now: T0 + 2, random: 0 })).toEqual([]);
  });

  it('refuses a snapshot in a format it does not know', () => {
    const machine = replicatedQueueMachine(record({}));
    expect(() => machine.restore(new Uint8Array([9, 0, 0, 0, 0]))).toThrow(/unknown format \(9\): written by a newer Warren/);
  });

  it('a drained queue with a long window of seen ids: a few bytes per id, written in slices of about the budget', () => {
    const machine = replicatedQueueMachine(record({}));
    let state = machine.init();
    const body = new Uint8Array(100);
    const ids = 50_000;
    // Ids as a node makes them (nanoid, 21 characters), two a millisecond.
    const idOf = (i: number) => `V1StGXR8_Z5jdHi${String(i).padStart(6, '0')}`;
    for (let i = 0; i < ids; i++) {
      state = machine.apply(state, { t: 'enqueue', id: idOf(i), client: 'p', now: T0 + Math.floor(i / 2), body }, { index: 2 * i + 1, term: 1 }).state;
      state = machine.apply(state, { t: 'take', ref: 'r', count: 1, now: T0 + Math.floor(i / 2) }, { index: 2 * i + 2, term: 1 }).state;
    }
    const writer = machine.snapshotWriter!(state);
    let data: Uint8Array | undefined;
    let slices = 0;
    while (data === undefined) {
      data = writer.write(0);
      slices++;
    }
    // JSON pairs took about 40 bytes an id; the chunks take the id and about 2 bytes.
    expect(data.length).toBeLessThan(ids * 24);
    expect(slices).toBeGreaterThan(ids / 4096);
    const restored = machine.restore(data.slice());
    expect(restored.seen.size).toBe(ids);
    expect(restored.seen.has(idOf(0)) && restored.seen.has(idOf(ids - 1))).toBe(true);
    // The window goes on: a retried publish of a seen id is confirmed, not stored again.
    const again = machine.apply(restored, { t: 'enqueue', id: idOf(7), client: 'p', now: T0 + ids, body }, { index: 2 * ids + 1, term: 1 });
    expect(again.effects).toEqual([{ kind: 'confirm', client: 'p', id: idOf(7) }]);
    expect(again.state.machine.stats().ready).toBe(0);
  });

  it('a backlog: its lists of entries are written a part at a time, and restored whole and in order', () => {
    const machine = replicatedQueueMachine(record({}));
    let state = machine.init();
    let index = 0;
    const count = 2 * 1024 + 5;
    for (let i = 0; i < count; i++) state = machine.apply(state, { t: 'enqueue', id: `m${i}`, client: 'p', now: T0, body: new Uint8Array([i % 256]) }, { index: ++index, term: 1 }).state;
    state = machine.apply(state, { t: 'subscribe', consumer: 'c', prefetch: 1500, now: T0 }, { index: ++index, term: 1 }).state;
    state = machine.apply(state, { t: 'settle', consumer: 'c', id: 'm3', outcome: 'requeue', now: T0, random: 0 }, { index: ++index, term: 1 }).state;
    const data = machine.snapshot(state);
    // 2,053 entries, ready or out (a dispatch round stops at the consumer's share): at least three parts.
    const [returned, ram, unacked] = decodeSnapshot(data).outline.lists!;
    expect(returned + ram + unacked).toBeGreaterThanOrEqual(3);
    expect(Math.max(ram, unacked)).toBeGreaterThanOrEqual(2);
    expect(fullState(machine.restore(data.slice()))).toBe(fullState(state));
  });

  it('still reads a snapshot of format 1 (seen ids as JSON pairs in the outline)', () => {
    const machine = replicatedQueueMachine(record({}));
    let state = machine.init();
    for (let i = 0; i < 5; i++) state = machine.apply(state, { t: 'enqueue', id: `m${i}`, client: 'p', now: T0 + i, body: new Uint8Array([i]) }, { index: i + 1, term: 1 }).state;
    const current = Buffer.from(machine.snapshot(state));
    // Rewritten as format 1: the lists and the seen ids in the outline, then the same messages.
    const { outline: decoded } = decodeSnapshot(current);
    const { seenChunks, lists, ...outline } = decoded;
    let at = 1;
    for (let i = 0; i < 1 + lists!.reduce((a, b) => a + b, 0) + seenChunks!; i++) at += 4 + current.readUInt32LE(at);
    const head = Buffer.from(JSON.stringify({ ...outline, seen: [...state.seen] }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(head.length);
    const v1 = Buffer.concat([Buffer.from([1]), length, head, current.subarray(at)]);
    expect(fullState(machine.restore(v1))).toBe(fullState(state));
  });
});
