/**
 * The log commands that change what a replicated queue holds or how it behaves, beyond publish,
 * consume and settle (replicated-queue.ts): its policy, purge, get-style takes and redrive's
 * removals, ack-lease renewals, the dedup window, retries coming back and dead-letters leaving.
 * Each is applied the same way on every member; what one answers (a purge's count, the messages
 * a take took) comes out as an effect naming the asker's `ref`.
 */
import { Policy, type QueueEntry } from '@warren/core';
import type { QueueLogCommand, QueueLogEffect } from './queue-log.js';
import type { ReplicatedQueueState } from './replicated-queue.js';

type Command<T extends QueueLogCommand['t']> = Extract<QueueLogCommand, { t: T }>;

/** A policy as the metadata log had it at its index; a later-proposed older one changes nothing. */
export function applyPolicy(state: ReplicatedQueueState, command: Command<'policy'>, now: number): void {
  if (command.at < state.policyAt) return;
  state.policyAt = command.at;
  state.machine.apply({ kind: 'policy', now, policy: command.policy === null ? undefined : new Policy(command.policy) });
}

export function purge(state: ReplicatedQueueState, command: Command<'purge'>, now: number): QueueLogEffect {
  const count = state.machine.apply({ kind: 'purge', now }) as number;
  return { kind: 'purged', ref: command.ref, count };
}

/** Up to `count` ready messages from the head, gone from the queue as a get with an ack takes them. */
export function take(state: ReplicatedQueueState, command: Command<'take'>, now: number): QueueLogEffect {
  const { machine } = state;
  const entries: QueueEntry[] = [];
  while (entries.length < command.count) {
    const entry = machine.apply({ kind: 'take-head', now }) as QueueEntry | undefined;
    if (entry === undefined) break;
    machine.apply({ kind: 'drop', now, entry });
    entries.push(entry);
  }
  return { kind: 'removed', ref: command.ref, entries };
}

/** The named messages that are still ready (same seq, same id), removed. */
export function remove(state: ReplicatedQueueState, command: Command<'remove'>, now: number): QueueLogEffect {
  const { machine } = state;
  const entries: QueueEntry[] = [];
  for (const { seq, id } of command.entries) {
    const entry = machine.readyEntry(seq);
    if (entry !== undefined && entry.message.id === id) entries.push(entry);
  }
  if (entries.length > 0) machine.apply({ kind: 'remove', now, entries });
  return { kind: 'removed', ref: command.ref, entries };
}

export function extendLease(state: ReplicatedQueueState, command: Command<'extend'>, now: number): void {
  const delivery = state.effects.unacked.get(command.id);
  if (delivery === undefined || delivery.consumer.tag !== command.consumer) return;
  state.machine.apply({ kind: 'extend-lease', now, entry: delivery.entry, ms: command.ms });
}

/** A pending retry comes back once: a leader's repeated proposal finds nothing the second time. */
export function retryDue(state: ReplicatedQueueState, command: Command<'retry-due'>, now: number): void {
  const pending = state.effects.retries.get(command.id);
  if (pending === undefined) return;
  state.effects.retries.delete(command.id);
  state.machine.apply({ kind: 'retry-due', now, message: { ...pending.message, publishedAt: now } });
}

/**
 * Whether the queue's dedup window holds the publisher's id `dedup` (then the publish is
 * confirmed and not stored); ids that left the window are forgotten first. The window is kept
 * in the queue's state, so every member holds the same ids and a new leader keeps them.
 */
export function heldByWindow(state: ReplicatedQueueState, dedup: string | undefined, now: number): boolean {
  const window = state.machine.settings.dedupWindow ?? 0;
  if (dedup === undefined || window <= 0) return false;
  const after = now - window;
  for (const [id, at] of state.dedup) {
    if (at > after) break;
    state.dedup.delete(id);
  }
  const at = state.dedup.get(dedup);
  return at !== undefined && at > after;
}

/** Remembers a publisher's id the queue took, when its window is on. */
export function rememberId(state: ReplicatedQueueState, dedup: string | undefined, now: number): void {
  if (dedup === undefined || (state.machine.settings.dedupWindow ?? 0) <= 0) return;
  state.dedup.delete(dedup);
  state.dedup.set(dedup, now);
}
