import { describe, expect, it } from 'vitest';
import type { QueueEntry } from '../message.js';
import { MemoryStore } from '../testing/memory-store.js';
import type { Consumer } from './consumer.js';
import { DeliveryGate } from './delivery-gate.js';

const consumer = {} as Consumer;
const entry = (seq: number): QueueEntry => ({ seq, message: {} as QueueEntry['message'], redelivered: false, deliveryCount: 1, stored: true });

async function setup() {
  const store = new MemoryStore();
  await store.open();
  const released: number[] = [];
  const gate = new DeliveryGate(store, (_c, e) => released.push(e.seq), () => {});
  const written = () => new Promise<void>((resolve) => store.commit().onSettled(() => resolve()));
  return { store, gate, released, written };
}

describe('delivery gate', () => {
  it('passes deliveries at once while nothing is held', async () => {
    const { gate, released } = await setup();
    gate.send(consumer, entry(1), false);
    gate.seal();
    expect(released).toEqual([1]);
  });

  it('holds a round that wrote something until the store batch is applied, and keeps order behind it', async () => {
    const { store, gate, released, written } = await setup();
    store.putDeliveryMark('q', 10);
    gate.send(consumer, entry(1), true);
    gate.send(consumer, entry(2), false);
    gate.seal();
    gate.send(consumer, entry(3), false);
    gate.seal();
    expect(released).toEqual([]);
    await written();
    expect(released).toEqual([1, 2, 3]);
    gate.send(consumer, entry(4), false);
    expect(released).toEqual([1, 2, 3, 4]);
  });
});
