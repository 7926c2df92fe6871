/**
 * A replicated queue's state to and from its snapshot (queue-snapshot.ts): core's machine image
 * (queue-image.ts) plus what the replicated queue keeps beside it, the consumers by id, the
 * deliveries out by message id, pending retries and dead-letters, and the windows of seen and
 * deduplicated ids (the seen one in chunks, seen-window.ts). Restored, it is the same queue: the
 * same messages in the same order, the same
 * counts and flags, the same timers due at the same times of the queue's clock.
 */
import { Consumer, queueImage, restoreQueueImage, type DeliverySink, type Lease, type Message, type Queue, type QueueEntry, type QueueMachine } from '@warren/core';
import type { ReplicatedQueueState } from './replicated-queue.js';
import { consumerOutline, decodeSnapshot, imageCounters, MessageTable, type EntryOutline } from './queue-snapshot.js';
import type { SnapshotWriter } from '../machine.js';
import { QueueSnapshotWriter } from './snapshot-writer.js';

/**
 * Replicas deliver through effects, never through a connection: a stand-in consumer's sink
 * must not be touched (the machine reads none; the shell that leads carries out the effects).
 */
const NO_SINK: DeliverySink = {
  get writable(): boolean {
    throw new Error('a replicated queue read a connection while applying');
  },
  deliver() {
    throw new Error('a replicated queue delivered outside its effects');
  },
  cancelled() {},
  revoked() {},
};

/** This member's stand-in for consumer `id`. The machine never looks at a consumer's queue: that is the local shell's handle. */
export function standIn(machine: QueueMachine, id: string, prefetch: number, ackTimeout: number | undefined): Consumer {
  const options = { tag: id, prefetch, noAck: false, exclusive: false, arguments: {}, owner: id, ...(ackTimeout === undefined ? {} : { ackTimeout }) };
  return new Consumer(machine as Queue, options, NO_SINK);
}

/**
 * The queue's snapshot at this point, to be written a slice at a time (snapshot-writer.ts): what
 * it takes now is plain values and objects nobody changes, so the queue may go on applying.
 */
export function snapshotWriter(state: ReplicatedQueueState): SnapshotWriter {
  const { machine, effects } = state;
  const image = queueImage(machine);
  const table = new MessageTable();
  const idOf = new Map<Consumer, string>();
  for (const [id, consumer] of state.consumers) idOf.set(consumer, id);
  const leaseOf = new Map<QueueEntry, string>();
  const unacked = [...effects.unacked].map(([id, { consumer, entry }]) => {
    leaseOf.set(entry, id);
    return [consumer.tag, table.entry(entry)] as const;
  });
  const outline = {
    ...imageCounters(image),
    policy: image.policy ?? null,
    policyAt: state.policyAt,
    consumers: [...state.consumers].map(([id, c]) => consumerOutline(id, c)),
    attached: image.consumers.map((c) => idOf.get(c) ?? c.tag),
    gone: [...state.gone],
    returned: image.returned.map((e) => table.entry(e)),
    ram: image.ram.map((e) => table.entry(e)),
    unacked,
    leases: image.leases.map((l) => [leaseOf.get(l.entry) ?? l.entry.message.id, l.ms, l.due] as const),
    // As the effects list them (every member arms them in this order); the machine's dues are the same.
    timers: [...effects.timers],
    retries: [...effects.retries].map(([id, r]) => [id, table.number(r.message), r.due] as const),
    deadLetters: [...effects.deadLetters].map(([id, d]) => [id, table.number(d.message), d.reason] as const),
    dedup: [...state.dedup],
  };
  return new QueueSnapshotWriter(outline, state.seen.pieces(), table.messages);
}

export function snapshotQueue(state: ReplicatedQueueState): Uint8Array {
  return snapshotWriter(state).write(Infinity)!;
}

/** `state`: a new state (init()); it then holds what the snapshot held. */
export function restoreQueue(state: ReplicatedQueueState, data: Uint8Array): ReplicatedQueueState {
  const { outline, seen, messages } = decodeSnapshot(data);
  const { machine, effects } = state;
  const entry = (e: EntryOutline): QueueEntry => ({ seq: e.seq, message: messages[e.m] as Message, redelivered: e.redelivered, deliveryCount: e.deliveryCount, stored: e.stored });
  for (const c of outline.consumers) {
    const consumer = standIn(machine, c.id, c.prefetch, c.ackTimeout);
    consumer.unacked = c.unacked;
    consumer.active = c.active;
    consumer.blocked = c.blocked;
    state.consumers.set(c.id, consumer);
  }
  const consumer = (id: string): Consumer => {
    const found = state.consumers.get(id);
    if (found === undefined) throw new RangeError(`a replicated queue snapshot names consumer '${id}' it does not hold`);
    return found;
  };
  for (const id of outline.gone) state.gone.add(id);
  for (const [tag, e] of outline.unacked) {
    const restored = entry(e);
    effects.unacked.set(restored.message.id, { consumer: consumer(tag), entry: restored });
  }
  const leases = outline.leases.map(([id, ms, due]): Lease => {
    const delivery = effects.unacked.get(id);
    if (delivery === undefined) throw new RangeError(`a replicated queue snapshot holds a lease on '${id}', not delivered`);
    return { entry: delivery.entry, consumer: delivery.consumer, ms, due, pushed: 0 };
  });
  const timers = { ttl: Infinity, lease: Infinity, expires: Infinity };
  for (const [timer, due] of outline.timers) timers[timer] = due;
  restoreQueueImage(machine, {
    ...outline,
    policy: outline.policy ?? undefined,
    consumers: outline.attached.map(consumer),
    returned: outline.returned.map(entry),
    ram: outline.ram.map(entry),
    leases,
    timers,
  });
  effects.timers.clear();
  for (const [timer, due] of outline.timers) effects.timers.set(timer, due);
  for (const [id, m, due] of outline.retries) effects.retries.set(id, { message: messages[m] as Message, due });
  for (const [id, m, reason] of outline.deadLetters) effects.deadLetters.set(id, { message: messages[m] as Message, reason });
  for (const [id, at] of outline.seen ?? []) state.seen.add(id, at);
  for (const chunk of seen) state.seen.restoreChunk(chunk);
  for (const [id, at] of outline.dedup) state.dedup.set(id, at);
  state.policyAt = outline.policyAt;
  // Re-arming the timers spoke as effects: the restored queue has nothing to say yet.
  effects.drain();
  return state;
}
