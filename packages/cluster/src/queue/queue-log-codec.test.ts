/**
 * The queue log's bytes: every command comes back from its entry as it went in, which is what
 * lets the member that proposed a command apply the object instead of decoding its own entry.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeQueueCommand, encodeQueueCommand } from './queue-log-codec.js';
import type { QueueLogCommand } from './queue-log.js';
import { replicatedQueueMachine } from './replicated-queue.js';

const NOW = 1_765_000_000_123;

/** One of every kind, the optional fields present. */
const EVERY_KIND: readonly QueueLogCommand[] = [
  {
    t: 'enqueue',
    id: 'n1.Xy_3',
    client: 'n1',
    now: NOW,
    body: new TextEncoder().encode('héllo'),
    dedup: 'order-1',
    exchange: 'orders',
    routingKey: 'order.créé',
    properties: { message_id: 'order-1', content_type: 'text/plain', priority: 3 },
    headers: { 'x-death': [{ queue: 'q', reason: 'rejected', count: 2 }], flag: true, none: null },
  },
  { t: 'enqueue', id: 'n2.a', client: 'n2', now: NOW, body: new Uint8Array(0) },
  {
    t: 'enqueues',
    client: 'n2',
    now: NOW,
    messages: [
      { id: 'n2.a', body: new TextEncoder().encode('un'), exchange: '', routingKey: 'q', properties: { persistent: true } },
      { id: 'n2.b', body: new Uint8Array(0), dedup: 'order-2', headers: { 'x-death': [{ count: 1 }] } },
      { id: 'n2.ç', body: new Uint8Array([1, 2, 3]) },
    ],
  },
  { t: 'enqueues', client: 'n3', now: NOW, messages: [] },
  { t: 'retry-due', id: 'm1', now: NOW },
  { t: 'subscribe', consumer: 'c1', prefetch: 10, now: NOW, ackTimeout: 30_000 },
  { t: 'settle', consumer: 'c1', id: 'm1', outcome: 'retry', now: NOW, random: 0.123456789, delay: 1500 },
  { t: 'settle', consumer: 'c2', id: 'ñ-2', outcome: 'ack', now: NOW, random: 0 },
  {
    t: 'settles',
    now: NOW,
    settles: [
      { consumer: 'c1.n2', id: 'm1', outcome: 'ack', random: 0 },
      { consumer: 'c2.n2', id: 'ñ-2', outcome: 'retry', random: 0.25, delay: 1500 },
      { consumer: 'c1.n2', id: 'm3', outcome: 'drop', random: 0.75 },
      { consumer: 'c2.n2', id: 'm4', outcome: 'requeue', random: 0, delay: 0 },
    ],
  },
  { t: 'settles', now: NOW, settles: [] },
  { t: 'extend', consumer: 'c1', id: 'm1', ms: 60_000, now: NOW },
  { t: 'policy', at: 7, policy: { vhost: '/', name: 'p', pattern: '^q', applyTo: 'queues', priority: 1, definition: { 'max-length': 10 } }, now: NOW },
  { t: 'policy', at: 8, policy: null, now: NOW },
  { t: 'purge', ref: 'r1', now: NOW },
  { t: 'take', ref: 'r2', count: 5, now: NOW },
  { t: 'remove', ref: 'r3', entries: [{ seq: 4, id: 'm4' }], now: NOW },
  { t: 'dead-lettered', id: 'm5', now: NOW },
  { t: 'touch', now: NOW },
  { t: 'cancel', consumer: 'c1', now: NOW },
  { t: 'down', consumer: 'c1', now: NOW },
  { t: 'timer', timer: 'ttl', now: NOW, random: 0.5 },
  { t: 'dispatch', now: NOW },
];

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const time = fc.double({ min: 0, max: 1e15, noNaN: true }).map((x) => x + 0);
const json = fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>);
/** Objects as JSON.parse makes them. */
const plain = { noNullPrototype: true } as const;
const optional = <T>(key: string, value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined }).map((v) => (v === undefined ? {} : { [key]: v }));

const enqueue: fc.Arbitrary<QueueLogCommand> = fc
  .tuple(
    fc.record({ id: text, client: text, now: time, body: fc.uint8Array({ maxLength: 300 }) }, { noNullPrototype: true }),
    optional('dedup', text),
    optional('exchange', text),
    optional('routingKey', text),
    optional('properties', json),
    optional('headers', json),
  )
  .map(([required, ...rest]) => Object.assign({ t: 'enqueue' as const }, required, ...rest) as QueueLogCommand);

const enqueues: fc.Arbitrary<QueueLogCommand> = fc
  .tuple(fc.record({ client: text, now: time }, plain), fc.array(enqueue, { maxLength: 6 }))
  .map(([{ client, now }, each]) => ({
    t: 'enqueues' as const,
    client,
    now,
    messages: each.map((c) => {
      const { t: _t, client: _client, now: _now, ...item } = c as Extract<QueueLogCommand, { t: 'enqueue' }>;
      return item;
    }),
  }));

const other: fc.Arbitrary<QueueLogCommand> = fc.oneof(
  fc.record({ t: fc.constant('retry-due' as const), id: text, now: time }, plain),
  fc
    .tuple(
      fc.record({ t: fc.constant('settle' as const), consumer: text, id: text, outcome: fc.constantFrom('ack' as const, 'requeue' as const, 'drop' as const, 'retry' as const), now: time, random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((x) => x + 0) }, plain),
      optional('delay', time),
    )
    .map(([settle, delay]) => Object.assign(settle, delay) as QueueLogCommand),
  fc.record(
    {
      t: fc.constant('settles' as const),
      now: time,
      settles: fc.array(
        fc
          .tuple(
            fc.record({ consumer: fc.constantFrom('c1', 'c2', 'ç3'), id: text, outcome: fc.constantFrom('ack' as const, 'requeue' as const, 'drop' as const, 'retry' as const), random: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((x) => x + 0)) }, plain),
            optional('delay', time),
          )
          .map(([item, delay]) => Object.assign(item, delay)),
        { maxLength: 20 },
      ),
    },
    plain,
  ),
  fc.record({ t: fc.constant('remove' as const), ref: text, entries: fc.array(fc.record({ seq: fc.nat(), id: text }, plain), { maxLength: 3 }), now: time }, plain),
  fc.record({ t: fc.constant('down' as const), consumer: text, now: time }, plain),
);

describe('queue log codec', () => {
  it('decodes every kind of command to what was encoded', () => {
    for (const command of EVERY_KIND) expect(decodeQueueCommand(encodeQueueCommand(command))).toStrictEqual(command);
  });

  it('decodes any command to what was encoded (property)', () => {
    fc.assert(
      fc.property(fc.oneof(enqueue, enqueues, other), (command) => {
        expect(decodeQueueCommand(encodeQueueCommand(command))).toStrictEqual(command);
      }),
    );
  });

  it('writes a settles command compactly: each consumer once, no random number for an ack', () => {
    const settles = Array.from({ length: 100 }, (_, i) => ({ consumer: 'V1StGXR8_Z5jdHi6B-myT.n2', id: `n1.${String(i).padStart(18, 'x')}`, outcome: 'ack' as const, random: 0 }));
    const entry = encodeQueueCommand({ t: 'settles', now: NOW, settles });
    const one = encodeQueueCommand({ t: 'settle', ...settles[0]!, now: NOW });
    expect(entry.length).toBeLessThan(100 * 30 + 50);
    expect(entry.length).toBeLessThan((100 * one.length) / 2);
  });

  it('carries a publish body as raw bytes, decoded as a view of the entry', () => {
    const body = new Uint8Array(64 * 1024).fill(0xab);
    const entry = encodeQueueCommand({ t: 'enqueue', id: 'm', client: 'n1', now: NOW, body });
    expect(entry.length).toBeLessThan(body.length + 32);
    const decoded = decodeQueueCommand(entry) as Extract<QueueLogCommand, { t: 'enqueue' }>;
    expect(decoded.body.buffer).toBe(entry.buffer);
    expect(Buffer.compare(decoded.body, body)).toBe(0);
  });

  it('refuses an entry in an unknown format or cut short, naming it', () => {
    expect(() => decodeQueueCommand(new Uint8Array([99, 1, 2]))).toThrow(/unknown format \(99\)/);
    const entry = encodeQueueCommand({ t: 'enqueue', id: 'message-id', client: 'n1', now: NOW, body: new Uint8Array(0) });
    expect(() => decodeQueueCommand(entry.subarray(0, 14))).toThrow(RangeError);
    const settle = encodeQueueCommand({ t: 'settle', consumer: 'c1', id: 'm1', outcome: 'ack', now: NOW, random: 0.5 });
    expect(() => decodeQueueCommand(settle.subarray(0, settle.length - 1))).toThrow(RangeError);
    expect(() => decodeQueueCommand(Uint8Array.from([...settle.subarray(0, 2), 9, ...settle.subarray(3)]))).toThrow(/unknown outcome \(9\)/);
    const settles = encodeQueueCommand({ t: 'settles', now: NOW, settles: [{ consumer: 'c1', id: 'm1', outcome: 'retry', random: 0.5, delay: 10 }] });
    for (let cut = 1; cut < settles.length; cut++) expect(() => decodeQueueCommand(settles.subarray(0, cut))).toThrow(RangeError);
    expect(() => decodeQueueCommand(Uint8Array.from([...settles, 0]))).toThrow(/past its last settle/);
    const publishes = encodeQueueCommand({ t: 'enqueues', client: 'n1', now: NOW, messages: [{ id: 'm1', body: new Uint8Array([7]), routingKey: 'q' }] });
    for (let cut = 1; cut < publishes.length; cut++) expect(() => decodeQueueCommand(publishes.subarray(0, cut))).toThrow(RangeError);
    expect(() => decodeQueueCommand(Uint8Array.from([...publishes, 0]))).toThrow(/past its last publish/);
  });

  it('the member that proposed a command applies the object; any other member decodes an equal one', () => {
    const machine = replicatedQueueMachine({ id: 'q1', vhost: '/', name: 'q', durable: true, exclusive: false, autoDelete: false, arguments: {} });
    for (const command of EVERY_KIND) {
      const entry = machine.encode(command);
      expect(machine.decode(entry)).toBe(command);
      const copy = machine.decode(entry.slice());
      expect(copy).not.toBe(command);
      expect(copy).toStrictEqual(command);
    }
  });
});
