/**
 * A small queue with AMQP's contract, as a ReplicatedMachine, for the simulation: enqueue with
 * confirm (idempotent by message id, so a publisher may retry), consumers with prefetch, deliver,
 * ack, nack with or without requeue, and consumer death, which requeues what it held. It stands
 * in for core's queue machine, which plugs into the same interface.
 */
import type { ApplyMeta, Applied, ReplicatedMachine } from '../machine.js';

export type QueueCommand =
  | { readonly t: 'enqueue'; readonly id: string; readonly client: string }
  | { readonly t: 'subscribe'; readonly consumer: string; readonly prefetch: number }
  | { readonly t: 'ack'; readonly consumer: string; readonly id: string }
  | { readonly t: 'nack'; readonly consumer: string; readonly id: string; readonly requeue: boolean }
  | { readonly t: 'down'; readonly consumer: string };

export type QueueEffect =
  | { readonly kind: 'confirm'; readonly client: string; readonly id: string }
  | { readonly kind: 'deliver'; readonly consumer: string; readonly id: string; readonly redelivered: boolean; readonly index: number }
  | { readonly kind: 'settled'; readonly consumer: string; readonly id: string; readonly outcome: 'acked' | 'requeued' | 'dropped' | 'stale'; readonly index: number }
  | { readonly kind: 'subscribed'; readonly consumer: string }
  | { readonly kind: 'down'; readonly consumer: string };

export interface QueueState {
  /** Every message id ever enqueued: a retried publish is confirmed again, not stored twice. */
  seen: Set<string>;
  ready: string[];
  /** Message id -> the consumer holding it, in delivery order. */
  unacked: Map<string, string>;
  consumers: Map<string, { prefetch: number; held: number }>;
  acked: Set<string>;
  dropped: Set<string>;
  redelivered: Set<string>;
  /** Consumers that went down: a late subscribe from them is refused. */
  gone: Set<string>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function deliver(state: QueueState, effects: QueueEffect[], index: number): void {
  const open = [...state.consumers].filter(([, c]) => c.held < c.prefetch);
  let turn = 0;
  while (state.ready.length > 0 && open.length > 0) {
    const at = turn % open.length;
    const [consumer, c] = open[at]!;
    const id = state.ready.shift()!;
    state.unacked.set(id, consumer);
    c.held++;
    effects.push({ kind: 'deliver', consumer, id, redelivered: state.redelivered.has(id), index });
    if (c.held >= c.prefetch) open.splice(at, 1);
    else turn = at + 1;
  }
}

function settle(state: QueueState, consumer: string, id: string): boolean {
  if (state.unacked.get(id) !== consumer) return false;
  state.unacked.delete(id);
  const c = state.consumers.get(consumer);
  if (c !== undefined) c.held--;
  return true;
}

export const queueContractMachine: ReplicatedMachine<QueueState, QueueCommand, QueueEffect> = {
  init: () => ({
    seen: new Set(),
    ready: [],
    unacked: new Map(),
    consumers: new Map(),
    acked: new Set(),
    dropped: new Set(),
    redelivered: new Set(),
    gone: new Set(),
  }),

  apply(state: QueueState, command: QueueCommand, meta: ApplyMeta): Applied<QueueState, QueueEffect> {
    const effects: QueueEffect[] = [];
    switch (command.t) {
      case 'enqueue':
        if (!state.seen.has(command.id)) {
          state.seen.add(command.id);
          state.ready.push(command.id);
        }
        effects.push({ kind: 'confirm', client: command.client, id: command.id });
        break;
      case 'subscribe':
        if (!state.gone.has(command.consumer) && !state.consumers.has(command.consumer)) {
          state.consumers.set(command.consumer, { prefetch: command.prefetch, held: 0 });
        }
        effects.push({ kind: 'subscribed', consumer: command.consumer });
        break;
      case 'ack':
        if (settle(state, command.consumer, command.id)) {
          state.acked.add(command.id);
          effects.push({ kind: 'settled', consumer: command.consumer, id: command.id, outcome: 'acked', index: meta.index });
        } else {
          // A retried or late settle: answered, so the consumer stops retrying, and ignored.
          effects.push({ kind: 'settled', consumer: command.consumer, id: command.id, outcome: 'stale', index: meta.index });
        }
        break;
      case 'nack':
        if (settle(state, command.consumer, command.id)) {
          if (command.requeue) {
            state.ready.unshift(command.id);
            state.redelivered.add(command.id);
          } else {
            state.dropped.add(command.id);
          }
          effects.push({ kind: 'settled', consumer: command.consumer, id: command.id, outcome: command.requeue ? 'requeued' : 'dropped', index: meta.index });
        } else {
          effects.push({ kind: 'settled', consumer: command.consumer, id: command.id, outcome: 'stale', index: meta.index });
        }
        break;
      case 'down': {
        state.consumers.delete(command.consumer);
        state.gone.add(command.consumer);
        const held = [...state.unacked].filter(([, c]) => c === command.consumer).map(([id]) => id);
        for (const id of held) {
          state.unacked.delete(id);
          state.redelivered.add(id);
        }
        state.ready.unshift(...held);
        effects.push({ kind: 'down', consumer: command.consumer });
        break;
      }
    }
    deliver(state, effects, meta.index);
    return { state, effects };
  },

  snapshot: (s) =>
    encoder.encode(
      JSON.stringify({
        seen: [...s.seen],
        ready: s.ready,
        unacked: [...s.unacked],
        consumers: [...s.consumers],
        acked: [...s.acked],
        dropped: [...s.dropped],
        redelivered: [...s.redelivered],
        gone: [...s.gone],
      }),
    ),

  restore(data) {
    const j = JSON.parse(decoder.decode(data)) as {
      seen: string[];
      ready: string[];
      unacked: [string, string][];
      consumers: [string, { prefetch: number; held: number }][];
      acked: string[];
      dropped: string[];
      redelivered: string[];
      gone: string[];
    };
    return {
      seen: new Set(j.seen),
      ready: j.ready,
      unacked: new Map(j.unacked),
      consumers: new Map(j.consumers),
      acked: new Set(j.acked),
      dropped: new Set(j.dropped),
      redelivered: new Set(j.redelivered),
      gone: new Set(j.gone),
    };
  },

  encode: (command) => encoder.encode(JSON.stringify(command)),
  decode: (data) => JSON.parse(decoder.decode(data)) as QueueCommand,
};
