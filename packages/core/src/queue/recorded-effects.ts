/**
 * The queue machine's effects kept as data instead of carried out: what a replica that does not
 * deliver (a Raft follower) or a test needs. `applyQueueCommand` gives the machine the shape of a
 * replicated state machine, `apply(state, command) -> { state, effects }`. The machine made by
 * `recordingQueueMachine` keeps every ready message in RAM (it never pages to a store), so its
 * state is exactly what its commands made it.
 */
import type { DeathReason } from '../dead-letter.js';
import type { Message, QueueEntry } from '../message.js';
import { silentLogger, type QueueRecord, type Store } from '../ports.js';
import { ATTEMPT_HEADER } from './attempt-log.js';
import { Backlog } from './backlog.js';
import type { Consumer } from './consumer.js';
import type { QueueCommand, QueueTimer } from './queue-command.js';
import type { QueueEffects, QueueWrites } from './queue-effects.js';
import { QueueMachine } from './queue-machine.js';

export type QueueEffect =
  | { type: 'put-message'; seq: number; id: string; durable: boolean; sync: boolean }
  | { type: 'delete-message'; seq: number }
  | { type: 'purge-messages'; fromSeq: number }
  | { type: 'send'; consumer: string; seq: number; durableCount: boolean }
  | { type: 'end-round' }
  | { type: 'dispatch-later' }
  | { type: 'deliver'; consumer: string; seq: number; deliveryCount: number; redelivered: boolean }
  | { type: 'revoked'; consumer: string; seq: number }
  | { type: 'cancelled'; consumer: string }
  | { type: 'dead-letter'; id: string; reason: DeathReason }
  | { type: 'schedule-retry'; id: string; delay: number; attempt: unknown }
  | { type: 'expired' }
  | { type: 'set-timer'; timer: QueueTimer; due: number }
  | { type: 'stopped' };

export class RecordedEffects implements QueueEffects {
  log: QueueEffect[] = [];
  readonly writes: QueueWrites = {
    putMessage: (_queueId, seq, message, durable, sync) => this.log.push({ type: 'put-message', seq, id: message.id, durable, sync }),
    deleteMessage: (_queueId, seq) => this.log.push({ type: 'delete-message', seq }),
    purgeMessages: (_queueId, fromSeq = 0) => this.log.push({ type: 'purge-messages', fromSeq }),
  };

  /** The effects recorded since the last take. */
  take(): QueueEffect[] {
    const log = this.log;
    this.log = [];
    return log;
  }

  /** Lets every delivery out at once, as a leader with nothing to wait for would. */
  send(consumer: Consumer, entry: QueueEntry, durableCount: boolean): boolean {
    this.log.push({ type: 'send', consumer: consumer.tag, seq: entry.seq, durableCount });
    return true;
  }

  endRound(): void {
    this.log.push({ type: 'end-round' });
  }

  dispatchLater(): void {
    this.log.push({ type: 'dispatch-later' });
  }

  deliver(consumer: Consumer, entry: QueueEntry): void {
    this.log.push({ type: 'deliver', consumer: consumer.tag, seq: entry.seq, deliveryCount: entry.deliveryCount, redelivered: entry.redelivered });
  }

  revoked(consumer: Consumer, entry: QueueEntry): void {
    this.log.push({ type: 'revoked', consumer: consumer.tag, seq: entry.seq });
  }

  cancelled(consumer: Consumer): void {
    this.log.push({ type: 'cancelled', consumer: consumer.tag });
  }

  deadLetter(message: Message, reason: DeathReason): void {
    this.log.push({ type: 'dead-letter', id: message.id, reason });
  }

  scheduleRetry(message: Message, delay: number): void {
    this.log.push({ type: 'schedule-retry', id: message.id, delay, attempt: message.headers?.[ATTEMPT_HEADER] });
  }

  expired(): void {
    this.log.push({ type: 'expired' });
  }

  setTimer(timer: QueueTimer, due: number): void {
    this.log.push({ type: 'set-timer', timer, due });
  }

  stopped(): void {
    this.log.push({ type: 'stopped' });
  }
}

/** A store for a backlog that never pages: touching it is a bug. */
const NO_STORE = new Proxy({} as Store, {
  get(_target, key) {
    throw new Error(`a RAM-only queue machine used the store (${String(key)})`);
  },
});

/** A queue machine that records its effects and keeps its whole backlog in RAM. */
export function recordingQueueMachine<E extends RecordedEffects>(
  record: QueueRecord,
  effects: E = new RecordedEffects() as E,
): { machine: QueueMachine; effects: E } {
  const limits = { maxRamMessages: Number.POSITIVE_INFINITY, maxRamBytes: Number.POSITIVE_INFINITY, pageSize: 1 };
  const machine = new QueueMachine(record, effects, new Backlog(record.id, NO_STORE, limits, silentLogger, () => {}));
  return { machine, effects };
}

/** `apply(state, command) -> { state, effects }`: the machine changed in place, and what it asked for. */
export function applyQueueCommand(
  state: { machine: QueueMachine; effects: RecordedEffects },
  command: QueueCommand,
): { state: { machine: QueueMachine; effects: RecordedEffects }; effects: QueueEffect[] } {
  state.machine.apply(command);
  return { state, effects: state.effects.take() };
}
