/**
 * x-single-active-consumer in the queue machine: only the first attached consumer gets messages;
 * when it goes, the next takes over, and the leaving one's unsettled deliveries come back first,
 * in order and redelivered. The active one survives a snapshot (queue-image.ts).
 */
import { describe, expect, it } from 'vitest';
import type { QueueEntry, Table } from '../message.js';
import type { QueueRecord } from '../ports.js';
import { activeConsumer } from './active-consumer.js';
import { Consumer, type DeliverySink } from './consumer.js';
import { queueImage, restoreQueueImage } from './queue-image.js';
import type { QueueMachine } from './queue-machine.js';
import type { Queue } from './queue.js';
import { recordingQueueMachine, RecordedEffects } from './recorded-effects.js';

const sink: DeliverySink = { writable: true, deliver() {}, cancelled() {}, revoked() {} };

class Deliveries extends RecordedEffects {
  readonly out: { consumer: Consumer; entry: QueueEntry }[] = [];
  /** Every delivery so far, by message id. */
  readonly byId = new Map<string, QueueEntry>();
  override deliver(consumer: Consumer, entry: QueueEntry): void {
    super.deliver(consumer, entry);
    this.out.push({ consumer, entry });
    this.byId.set(entry.message.id, entry);
  }
  /** Who got which message, as "tag:id(r)" with r when redelivered, since the last call. */
  got(): string[] {
    return this.out.splice(0).map(({ consumer, entry }) => `${consumer.tag}:${entry.message.id}${entry.redelivered ? 'r' : ''}`);
  }
}

const record = (args: Table): QueueRecord => ({ id: 'q1', vhost: '/', name: 'work', durable: false, exclusive: false, autoDelete: false, arguments: args });

function setup(args: Table = { 'x-single-active-consumer': true }) {
  const effects = new Deliveries();
  const { machine } = recordingQueueMachine(record(args), effects);
  let published = 0;
  const publish = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const message = { id: `m${++published}`, exchange: '', routingKey: 'work', properties: {}, headers: undefined, body: new Uint8Array(1), persistent: false, publishedAt: 1 };
      machine.apply({ kind: 'enqueue', now: 1, message });
    }
  };
  const attach = (m: QueueMachine, tag: string, prefetch = 0): Consumer => {
    const consumer = new Consumer(m as Queue, { tag, prefetch, noAck: false, exclusive: false, arguments: {}, owner: `conn-${tag}` }, sink);
    m.apply({ kind: 'attach', now: 1, consumer });
    return consumer;
  };
  const ack = (consumer: Consumer, id: string): void => {
    const entry = effects.byId.get(id)!;
    machine.apply({ kind: 'settle', now: 1, random: 0, entry, consumer, outcome: 'ack', delay: undefined, reason: undefined, error: undefined });
  };
  return { machine, effects, publish, attach, ack };
}

describe('single active consumer', () => {
  it('delivers only to the first attached consumer, within its prefetch', () => {
    const { machine, effects, publish, attach, ack } = setup();
    const c1 = attach(machine, 'c1', 2);
    attach(machine, 'c2');
    publish(4);
    expect(effects.got()).toEqual(['c1:m1', 'c1:m2']);
    expect(activeConsumer(machine.settings, machine.consumers)).toBe(c1);
    ack(c1, 'm1');
    expect(effects.got()).toEqual(['c1:m3']);
  });

  it('round-robins as before without the argument', () => {
    const { machine, effects, publish, attach } = setup({});
    attach(machine, 'c1');
    attach(machine, 'c2');
    publish(2);
    expect(effects.got()).toEqual(['c1:m1', 'c2:m2']);
    expect(activeConsumer(machine.settings, machine.consumers)).toBeUndefined();
  });

  it('hands over to the next consumer, the leaving one\'s unacked deliveries first and in order', () => {
    const { machine, effects, publish, attach } = setup();
    const c1 = attach(machine, 'c1', 3);
    const c2 = attach(machine, 'c2');
    publish(5);
    const held = effects.out.splice(0);
    expect(held.map((d) => d.entry.message.id)).toEqual(['m1', 'm2', 'm3']);
    machine.apply({ kind: 'cancel', now: 1, consumer: c1 });
    expect(effects.got()).toEqual([]); // c2 waits for c1's deliveries to come back
    expect(activeConsumer(machine.settings, machine.consumers)).toBe(c2);
    machine.apply({ kind: 'connection-lost', now: 1, deliveries: held });
    expect(effects.got()).toEqual(['c2:m1r', 'c2:m2r', 'c2:m3r', 'c2:m4', 'c2:m5']);
  });

  it('hands over at once when the leaving consumer holds nothing', () => {
    const { machine, effects, publish, attach, ack } = setup();
    const c1 = attach(machine, 'c1', 1);
    attach(machine, 'c2');
    publish(2);
    expect(effects.got()).toEqual(['c1:m1']);
    ack(c1, 'm1');
    expect(effects.got()).toEqual(['c1:m2']);
    ack(c1, 'm2');
    machine.apply({ kind: 'cancel', now: 1, consumer: c1 });
    publish(1);
    expect(effects.got()).toEqual(['c2:m3']);
  });

  it('keeps the active consumer through a snapshot restore', () => {
    const { machine, effects, publish, attach } = setup();
    const c1 = attach(machine, 'c1', 1);
    const c2 = attach(machine, 'c2');
    publish(3);
    const held = effects.out.splice(0);
    const image = queueImage(machine);
    const restored = setup();
    restoreQueueImage(restored.machine, image);
    expect(activeConsumer(restored.machine.settings, restored.machine.consumers)).toBe(c1);
    restored.machine.apply({ kind: 'dispatch', now: 1 });
    expect(restored.effects.got()).toEqual([]);
    restored.machine.apply({ kind: 'cancel', now: 1, consumer: c1 });
    restored.machine.apply({ kind: 'connection-lost', now: 1, deliveries: held });
    expect(activeConsumer(restored.machine.settings, restored.machine.consumers)).toBe(c2);
    expect(restored.effects.got()).toEqual(['c2:m1r', 'c2:m2', 'c2:m3']);
  });
});
