/**
 * The queue machine on its own, with its effects recorded (recorded-effects.ts) and a small
 * shell in the test: each command's effects, then the claim the replicated queue rests on: the
 * same commands give the same effects and the same state, and applying them reads no clock and
 * no Math.random.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message, QueueEntry, Table } from '../message.js';
import { silentLogger, type QueueRecord, type Store } from '../ports.js';
import { Backlog, type PageRequest } from './backlog.js';
import { Consumer, type ConsumerOptions, type DeliverySink } from './consumer.js';
import type { QueueCommand, QueueTimer, Settlement } from './queue-command.js';
import { Enqueued, QueueMachine, ROUND_SHARE } from './queue-machine.js';
import type { Queue } from './queue.js';
import { applyQueueCommand, recordingQueueMachine, RecordedEffects, type QueueEffect } from './recorded-effects.js';

const T0 = 1_000_000;
/** The connection is the shell's to read: a machine that looks at it fails the test. */
const sink: DeliverySink = {
  get writable(): boolean {
    throw new Error('the queue machine read a connection itself');
  },
  deliver() {},
  cancelled() {},
  revoked() {},
};

/** Nothing of the store may be read while a command is applied; writes go out as effects. */
const NO_STORE = new Proxy({} as Store, {
  get(_target, key) {
    throw new Error(`the queue machine used the store (${String(key)})`);
  },
});

/** Keeps the entries behind the recorded effects, so the test's shell can hand deliveries over and settle them. */
class ShellEffects extends RecordedEffects {
  readonly sent: { consumer: Consumer; entry: QueueEntry }[] = [];
  readonly unacked: { consumer: Consumer; entry: QueueEntry }[] = [];
  readonly timers = new Map<QueueTimer, number>();

  /** Holds every delivery: the test's shell lets each out with a hand-over command. */
  override send(consumer: Consumer, entry: QueueEntry, durableCount: boolean): boolean {
    super.send(consumer, entry, durableCount);
    this.sent.push({ consumer, entry });
    return false;
  }

  override deliver(consumer: Consumer, entry: QueueEntry): void {
    super.deliver(consumer, entry);
    if (!consumer.options.noAck) this.unacked.push({ consumer, entry });
  }

  override revoked(consumer: Consumer, entry: QueueEntry): void {
    super.revoked(consumer, entry);
    this.forget(entry);
  }

  override setTimer(timer: QueueTimer, due: number): void {
    super.setTimer(timer, due);
    if (due === Number.POSITIVE_INFINITY) this.timers.delete(timer);
    else this.timers.set(timer, due);
  }

  forget(entry: QueueEntry): void {
    const at = this.unacked.findIndex((d) => d.entry === entry);
    if (at >= 0) this.unacked.splice(at, 1);
  }
}

/** A shell as small as a replica's: hands every delivery over at once and fires timers when time passes them. */
class TestShell {
  readonly effects = new ShellEffects();
  readonly machine: QueueMachine;
  readonly consumers: Consumer[] = [];
  now = T0;
  private published = 0;

  /** Pages asked for by the backlog (when `ramMessages` bounds it), answered with paged-in commands. */
  readonly pages: PageRequest[] = [];

  constructor(args: Table = {}, durable = true, ramMessages?: number) {
    const record: QueueRecord = { id: 'q1', vhost: '/', name: 'work', durable, exclusive: false, autoDelete: false, arguments: args };
    if (ramMessages === undefined) {
      this.machine = recordingQueueMachine(record, this.effects).machine;
    } else {
      const limits = { maxRamMessages: ramMessages, maxRamBytes: Number.POSITIVE_INFINITY, pageSize: ramMessages };
      this.machine = new QueueMachine(record, this.effects, new Backlog(record.id, NO_STORE, limits, silentLogger, (page) => this.pages.push(page)));
    }
  }

  apply(command: QueueCommand): number | QueueEntry | undefined {
    const result = this.machine.apply(command);
    // Hand-overs in the order sent, as the local shell's gate does with nothing to wait for.
    while (this.effects.sent.length > 0) {
      const { consumer, entry } = this.effects.sent.shift()!;
      this.machine.apply({ kind: 'hand-over', now: this.now, consumer, entry });
    }
    return result;
  }

  publish(options: { persistent?: boolean; expiration?: string; id?: string } = {}): number {
    const id = options.id ?? `m${++this.published}`;
    return this.apply({ kind: 'enqueue', now: this.now, message: this.message(id, options) }) as number;
  }

  message(id: string, options: { persistent?: boolean; expiration?: string } = {}): Message {
    return {
      id,
      exchange: '',
      routingKey: 'work',
      properties: options.expiration === undefined ? {} : { expiration: options.expiration },
      headers: undefined,
      body: new Uint8Array(10),
      persistent: options.persistent ?? true,
      publishedAt: this.now,
    };
  }

  attach(options: Partial<ConsumerOptions> = {}): Consumer {
    const tag = options.tag ?? `c${this.consumers.length + 1}`;
    const full: ConsumerOptions = { tag, prefetch: 0, noAck: false, exclusive: false, arguments: {}, owner: 'conn-1', ...options };
    // The machine never looks at a consumer's queue: that is the local shell's handle for the server.
    const consumer = new Consumer(this.machine as Queue, full, sink);
    this.consumers.push(consumer);
    this.apply({ kind: 'attach', now: this.now, consumer });
    return consumer;
  }

  settle(index: number, outcome: Settlement, random = 0.5): void {
    const delivery = this.effects.unacked[index % this.effects.unacked.length];
    if (delivery === undefined) return;
    this.effects.forget(delivery.entry);
    this.apply({ kind: 'settle', now: this.now, random, ...delivery, outcome, delay: undefined, reason: undefined, error: undefined });
  }

  /** Moves time on, firing each timer that falls due at its due time, earliest first. */
  advance(ms: number, random = 0.5): void {
    const target = this.now + ms;
    for (;;) {
      const next = [...this.effects.timers].sort((a, b) => a[1] - b[1])[0];
      if (next === undefined || next[1] > target) break;
      this.effects.timers.delete(next[0]);
      this.now = Math.max(this.now, next[1]);
      this.apply({ kind: 'timer', timer: next[0], now: this.now, random });
    }
    this.now = target;
  }

  take(): QueueEffect[] {
    return this.effects.take();
  }
}

const of = (effects: QueueEffect[], type: QueueEffect['type']) => effects.filter((e) => e.type === type);

describe('queue machine: commands and their effects', () => {
  it('enqueue stores a persistent message of a durable queue; attach delivers it', () => {
    const shell = new TestShell();
    expect(shell.publish()).toBe(Enqueued.Stored);
    expect(shell.publish({ persistent: false })).toBe(Enqueued.InRam);
    expect(of(shell.take(), 'put-message')).toEqual([{ type: 'put-message', seq: 1, id: 'm1', durable: true, sync: true }]);
    shell.attach({ prefetch: 1 });
    const effects = shell.take();
    expect(of(effects, 'send')).toEqual([{ type: 'send', consumer: 'c1', seq: 1, durableCount: true }]);
    expect(of(effects, 'deliver')).toEqual([{ type: 'deliver', consumer: 'c1', seq: 1, deliveryCount: 1, redelivered: false }]);
    shell.settle(0, 'ack');
    const after = shell.take();
    expect(of(after, 'delete-message')).toEqual([{ type: 'delete-message', seq: 1 }]);
    expect(of(after, 'deliver')).toEqual([{ type: 'deliver', consumer: 'c1', seq: 2, deliveryCount: 1, redelivered: false }]);
  });

  it('nack requeues in place, redelivered; past the delivery limit it dead-letters', () => {
    const shell = new TestShell({ 'x-delivery-limit': 1 });
    shell.publish();
    shell.attach({ prefetch: 1 });
    shell.settle(0, 'requeue');
    expect(of(shell.take(), 'deliver')).toEqual([
      { type: 'deliver', consumer: 'c1', seq: 1, deliveryCount: 1, redelivered: false },
      { type: 'deliver', consumer: 'c1', seq: 1, deliveryCount: 2, redelivered: true },
    ]);
    shell.settle(0, 'requeue');
    expect(of(shell.take(), 'dead-letter')).toEqual([{ type: 'dead-letter', id: 'm1', reason: 'delivery_limit' }]);
    expect(shell.machine.stats().ready).toBe(0);
  });

  it('a retry back-off is drawn from the random number the command carries', () => {
    const shell = new TestShell({ 'x-retry-initial-delay': 100, 'x-retry-jitter': 0.5, 'x-retry-max-attempts': 3 });
    shell.publish();
    shell.attach({ prefetch: 1 });
    shell.settle(0, 'drop', 0);
    expect(of(shell.take(), 'schedule-retry')).toEqual([{ type: 'schedule-retry', id: 'm1', delay: 50, attempt: 2 }]);
    shell.publish();
    shell.settle(0, 'drop', 1);
    expect(of(shell.take(), 'schedule-retry')).toEqual([{ type: 'schedule-retry', id: 'm2', delay: 150, attempt: 2 }]);
  });

  it('the back-off firing brings the message back to the tail; the last attempt dead-letters', () => {
    const shell = new TestShell({ 'x-retry-delays': [10], 'x-retry-max-attempts': 2 });
    shell.publish();
    shell.attach({ prefetch: 1 });
    shell.settle(0, 'drop');
    const retried = shell.take().find((e) => e.type === 'schedule-retry');
    expect(retried).toMatchObject({ delay: 10, attempt: 2 });
    const message: Message = { id: 'm1', exchange: '', routingKey: 'work', properties: {}, headers: { 'x-warren-attempt': 2 }, body: new Uint8Array(1), persistent: true, publishedAt: shell.now };
    shell.apply({ kind: 'retry-due', now: shell.now + 10, message });
    expect(of(shell.take(), 'deliver')).toEqual([{ type: 'deliver', consumer: 'c1', seq: 2, deliveryCount: 1, redelivered: false }]);
    shell.settle(0, 'drop');
    expect(of(shell.take(), 'dead-letter')).toEqual([{ type: 'dead-letter', id: 'm1', reason: 'retries_exhausted' }]);
  });

  it('TTL: a timer at the head message\'s expiry; when it fires the message is dead-lettered as expired', () => {
    const shell = new TestShell({ 'x-message-ttl': 500 });
    shell.publish();
    expect(of(shell.take(), 'set-timer')).toEqual([{ type: 'set-timer', timer: 'ttl', due: T0 + 500 }]);
    shell.advance(499);
    expect(of(shell.take(), 'dead-letter')).toEqual([]);
    shell.advance(1);
    expect(of(shell.take(), 'dead-letter')).toEqual([{ type: 'dead-letter', id: 'm1', reason: 'expired' }]);
  });

  it('overflow: reject-publish refuses, reject-publish-dlx dead-letters, drop-head drops the oldest', () => {
    const reject = new TestShell({ 'x-max-length': 1, 'x-overflow': 'reject-publish' });
    reject.publish();
    expect(reject.publish()).toBe(Enqueued.Rejected);
    const dlx = new TestShell({ 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' });
    dlx.publish();
    dlx.take();
    expect(dlx.publish()).toBe(Enqueued.Rejected);
    expect(of(dlx.take(), 'dead-letter')).toEqual([{ type: 'dead-letter', id: 'm2', reason: 'maxlen' }]);
    const head = new TestShell({ 'x-max-length': 1 });
    head.publish();
    head.take();
    head.publish();
    expect(of(head.take(), 'dead-letter')).toEqual([{ type: 'dead-letter', id: 'm1', reason: 'maxlen' }]);
  });

  it('ack lease: unsettled past its lease, the delivery is revoked and requeued', () => {
    const shell = new TestShell({ 'x-ack-timeout': 1_000 });
    shell.publish();
    shell.attach({ prefetch: 1 });
    expect(of(shell.take(), 'set-timer')).toEqual([{ type: 'set-timer', timer: 'lease', due: T0 + 1_000 }]);
    shell.advance(1_000);
    const effects = shell.take();
    expect(of(effects, 'revoked')).toEqual([{ type: 'revoked', consumer: 'c1', seq: 1 }]);
    expect(of(effects, 'deliver')).toEqual([{ type: 'deliver', consumer: 'c1', seq: 1, deliveryCount: 2, redelivered: true }]);
  });

  it('connection loss requeues; cancel stops deliveries; purge empties; x-expires ends an unused queue', () => {
    const shell = new TestShell({ 'x-expires': 5_000 });
    shell.publish();
    shell.publish();
    const consumer = shell.attach({ prefetch: 1 });
    shell.take();
    shell.apply({ kind: 'cancel', now: shell.now, consumer });
    shell.apply({ kind: 'connection-lost', now: shell.now, deliveries: shell.effects.unacked.splice(0) });
    expect(of(shell.take(), 'deliver')).toEqual([]);
    expect(shell.machine.stats()).toMatchObject({ ready: 2, unacked: 0, consumers: 0 });
    expect(shell.apply({ kind: 'purge', now: shell.now })).toBe(2);
    shell.advance(5_000);
    expect(of(shell.take(), 'expired')).toEqual([{ type: 'expired' }]);
  });

  it('a connection filling up or draining is a credit command; the machine never reads the connection', () => {
    const shell = new TestShell();
    const consumer = shell.attach({ prefetch: 0 });
    shell.publish();
    shell.apply({ kind: 'credit', now: shell.now, consumer, writable: false });
    shell.publish();
    shell.publish();
    expect(of(shell.take(), 'deliver').map((d) => d.type === 'deliver' && d.seq)).toEqual([1]);
    shell.apply({ kind: 'credit', now: shell.now, consumer, writable: true });
    expect(of(shell.take(), 'deliver').map((d) => d.type === 'deliver' && d.seq)).toEqual([2, 3]);
  });

  it('a dispatch round gives a consumer at most its share, then asks the shell to dispatch again', () => {
    const shell = new TestShell({}, false);
    const total = ROUND_SHARE.count + 10;
    for (let i = 0; i < total; i++) shell.publish({ persistent: false });
    shell.take();
    shell.attach({ prefetch: 0, noAck: true });
    const first = shell.take();
    expect(of(first, 'deliver')).toHaveLength(ROUND_SHARE.count);
    expect(of(first, 'dispatch-later')).toHaveLength(1);
    shell.apply({ kind: 'dispatch', now: shell.now });
    const second = shell.take();
    expect(of(second, 'deliver')).toHaveLength(10);
    expect(of(second, 'dispatch-later')).toHaveLength(0);
  });

  it('paging: the backlog asks for a page and takes it in as a paged-in command, reading no store', () => {
    const shell = new TestShell({}, true, 2);
    for (let i = 0; i < 5; i++) shell.publish();
    const writes = of(shell.take(), 'put-message');
    expect(writes).toHaveLength(5);
    const consumer = shell.attach({ prefetch: 0, noAck: true });
    expect(of(shell.take(), 'deliver').map((d) => d.type === 'deliver' && d.seq)).toEqual([1, 2]);
    expect(shell.pages).toEqual([{ from: 3, count: 1, generation: 0 }]);
    // A page answered after a purge is stale: the purge removed what it holds.
    const stored = (seq: number) => ({ seq, message: shell.message(`m${seq}`) });
    shell.apply({ kind: 'paged-in', now: shell.now, generation: 0, messages: [stored(3)] });
    expect(of(shell.take(), 'deliver').map((d) => d.type === 'deliver' && d.seq)).toEqual([3]);
    expect(shell.pages.at(-1)).toEqual({ from: 4, count: 1, generation: 0 });
    shell.apply({ kind: 'purge', now: shell.now });
    shell.apply({ kind: 'paged-in', now: shell.now, generation: 0, messages: [stored(4)] });
    expect(of(shell.take(), 'deliver')).toEqual([]);
    expect(shell.machine.stats().ready).toBe(0);
    expect(consumer.unacked).toBe(0);
  });

  it('has the shape of a replicated machine: apply(state, command) -> { state, effects }', () => {
    const state = recordingQueueMachine({ id: 'q', vhost: '/', name: 'q', durable: false, exclusive: false, autoDelete: false, arguments: {} });
    const message: Message = { id: 'a', exchange: '', routingKey: 'q', properties: {}, headers: undefined, body: new Uint8Array(1), persistent: false, publishedAt: T0 };
    const { state: next, effects } = applyQueueCommand(state, { kind: 'enqueue', now: T0, message });
    expect(next.machine.stats().ready).toBe(1);
    expect(effects).toEqual([{ type: 'end-round' }]);
  });
});

/** One step of a generated history, in terms any replica can resolve (which delivery, which consumer). */
type Step =
  | { kind: 'publish'; persistent: boolean; expiration: number | undefined }
  | { kind: 'attach'; prefetch: number; noAck: boolean; ackTimeout: number | undefined }
  | { kind: 'cancel'; consumer: number }
  | { kind: 'credit'; consumer: number; writable: boolean }
  | { kind: 'settle'; delivery: number; outcome: Settlement; random: number }
  | { kind: 'lose-connection' }
  | { kind: 'advance'; ms: number; random: number }
  | { kind: 'purge' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('publish' as const), persistent: fc.boolean(), expiration: fc.option(fc.integer({ min: 1, max: 2_000 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('attach' as const), prefetch: fc.integer({ min: 0, max: 3 }), noAck: fc.boolean(), ackTimeout: fc.option(fc.integer({ min: 1, max: 3_000 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), consumer: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('credit' as const), consumer: fc.nat(5), writable: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('settle' as const), delivery: fc.nat(10), outcome: fc.constantFrom<Settlement>('ack', 'requeue', 'drop', 'retry'), random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'lose-connection' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3_000 }), random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'purge' as const }) },
);

const queueArguments: fc.Arbitrary<Table> = fc.record(
  {
    'x-message-ttl': fc.integer({ min: 1, max: 3_000 }),
    'x-max-length': fc.integer({ min: 1, max: 6 }),
    'x-overflow': fc.constantFrom('drop-head', 'reject-publish', 'reject-publish-dlx'),
    'x-delivery-limit': fc.integer({ min: 0, max: 3 }),
    'x-retry-initial-delay': fc.integer({ min: 1, max: 1_000 }),
    'x-retry-jitter': fc.double({ min: 0, max: 1, noNaN: true }),
    'x-retry-max-attempts': fc.integer({ min: 1, max: 4 }),
    'x-ack-timeout': fc.integer({ min: 1, max: 3_000 }),
    'x-expires': fc.integer({ min: 1, max: 10_000 }),
  },
  { requiredKeys: [] },
);

/** Runs a history on a fresh machine; returns every effect and the final state as data. */
function run(args: Table, steps: Step[]): { effects: QueueEffect[]; stats: unknown } {
  const shell = new TestShell(args);
  const effects: QueueEffect[] = [];
  for (const s of steps) {
    switch (s.kind) {
      case 'publish':
        shell.publish({ persistent: s.persistent, expiration: s.expiration === undefined ? undefined : String(s.expiration) });
        break;
      case 'attach':
        shell.attach({ prefetch: s.prefetch, noAck: s.noAck, ...(s.ackTimeout === undefined ? {} : { ackTimeout: s.ackTimeout }) });
        break;
      case 'cancel': {
        const consumer = shell.consumers[s.consumer % Math.max(1, shell.consumers.length)];
        if (consumer !== undefined) shell.apply({ kind: 'cancel', now: shell.now, consumer });
        break;
      }
      case 'credit': {
        const consumer = shell.consumers[s.consumer % Math.max(1, shell.consumers.length)];
        if (consumer !== undefined) shell.apply({ kind: 'credit', now: shell.now, consumer, writable: s.writable });
        break;
      }
      case 'settle':
        shell.settle(s.delivery, s.outcome, s.random);
        break;
      case 'lose-connection':
        shell.apply({ kind: 'connection-lost', now: shell.now, deliveries: shell.effects.unacked.splice(0) });
        break;
      case 'advance':
        shell.advance(s.ms, s.random);
        break;
      case 'purge':
        shell.apply({ kind: 'purge', now: shell.now });
        break;
    }
    effects.push(...shell.take());
  }
  return { effects, stats: shell.machine.stats() };
}

describe('queue machine: deterministic', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the same commands give the same effects and state, reading no clock, no Math.random and no connection', () => {
    fc.assert(
      fc.property(queueArguments, fc.array(step, { maxLength: 60 }), (args, steps) => {
        const forbid = () => {
          throw new Error('the queue machine read the time or drew a random number itself');
        };
        vi.spyOn(Date, 'now').mockImplementation(forbid);
        vi.spyOn(Math, 'random').mockImplementation(forbid);
        vi.spyOn(performance, 'now').mockImplementation(forbid);
        try {
          const first = run(args, steps);
          const second = run(args, steps);
          expect(second).toEqual(first);
        } finally {
          vi.restoreAllMocks();
        }
      }),
      { numRuns: 300 },
    );
  });
});
