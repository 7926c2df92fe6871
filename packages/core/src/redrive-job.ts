/**
 * One redrive job: moves the messages of a queue that match its filter, at most `count`, at
 * most `rate` per second, while the broker goes on serving. It first counts what matches (up to
 * the queue's tail at that moment: later arrivals are not its business), then walks the queue a
 * slice at a time. Each slice's moves and the job's progress are one synchronous step, so they
 * land in one store batch: after a kill -9 the stored record says exactly how far the job got,
 * and a restarted broker resumes it from there (redrive-jobs.ts). Moving is redrive.ts's job.
 */
import type { RedriveFilter } from '@warren/protocol';
import type { QueueEntry } from './message.js';
import { compileFilter, type MessagePredicate } from './message-filter.js';
import type { Clock, Logger, Store } from './ports.js';
import type { Queue } from './queue/queue.js';
import { moveEntries, type RedriveTarget } from './redrive.js';
import type { VHost } from './vhost.js';

export type RedriveState = 'running' | 'completed' | 'stopped' | 'failed';

/** A job as stored (record space 'redrive') and shown by the management API. */
export interface RedriveJobRecord {
  id: string;
  vhost: string;
  queue: string;
  /** The declaration worked on: a deleted and re-declared queue is another queue. */
  queueId: string;
  user: string;
  filter?: RedriveFilter;
  to?: { exchange: string; routingKey?: string };
  count?: number;
  rate?: number;
  state: RedriveState;
  /** Matching messages found at the start (at most `count`); undefined while counting. */
  matched?: number;
  /** The last seq the job looks at. */
  end?: number;
  /** The last seq it has looked at. */
  cursor: number;
  moved: number;
  /** Matching messages left in place: nowhere to go (no x-death, target gone, unroutable). */
  skipped: number;
  createdAt: number;
  updatedAt: number;
  error?: string;
}

export interface RedriveJobHost {
  store: Store;
  clock: Clock;
  logger: Logger;
  vhost(name: string): VHost | undefined;
  /** The job ended (completed, stopped or failed); its final record is saved in the same batch. */
  ended(record: RedriveJobRecord): void;
}

const PAGE = 1000;
const MAX_SLICE = 256;

export class RedriveJob {
  private stopAsked = false;
  private halted = false;
  private wake: (() => void) | undefined;
  /** Settles when the job has stopped working (finished, stopped, failed or halted). */
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly record: RedriveJobRecord,
    private readonly host: RedriveJobHost,
  ) {}

  get running(): boolean {
    return this.record.state === 'running';
  }

  /** Starts, or resumes from the stored progress. */
  start(): void {
    this.done = this.run();
  }

  /** An operator's stop: the job ends as `stopped` after the slice in progress. */
  stop(): void {
    this.stopAsked = true;
    this.wake?.();
  }

  /** The broker is stopping: the job stops working but stays `running`, to resume at the next boot. */
  halt(): void {
    this.halted = true;
    this.wake?.();
  }

  save(): void {
    this.record.updatedAt = this.host.clock.now();
    this.host.store.putRecord('redrive', this.record.id, { ...this.record }, true);
  }

  private async run(): Promise<void> {
    try {
      const matches = compileFilter(this.record.filter);
      if (this.record.end === undefined) await this.count(matches);
      if (!this.halted) await this.move(matches);
    } catch (error) {
      if (!this.halted) this.finish('failed', error instanceof Error ? error.message : String(error));
    }
  }

  private async count(matches: MessagePredicate): Promise<void> {
    const limit = this.record.count ?? Number.POSITIVE_INFINITY;
    let cursor = 0;
    let matched = 0;
    scan: for (;;) {
      const page = await this.queue().readyAfter(cursor, PAGE);
      if (page.length === 0 || this.halted || this.stopAsked) break;
      for (const entry of page) {
        cursor = entry.seq;
        if (matches(entry.message) && ++matched >= limit) break scan;
      }
      await this.pause(0);
    }
    if (this.halted || this.stopAsked) return;
    this.record.matched = matched;
    this.record.end = cursor;
    this.save();
  }

  private async move(matches: MessagePredicate): Promise<void> {
    const record = this.record;
    const target: RedriveTarget = record.to;
    const started = this.host.clock.now();
    const slice = record.rate === undefined ? MAX_SLICE : Math.max(1, Math.min(MAX_SLICE, Math.ceil(record.rate / 10)));
    let movedHere = 0;
    for (;;) {
      if (this.halted) return;
      if (this.stopAsked) return this.finish('stopped');
      const left = (record.matched ?? 0) - record.moved - record.skipped;
      const end = record.end ?? 0;
      if (left <= 0 || record.cursor >= end) return this.finish('completed');
      const page = await this.queue().readyAfter(record.cursor, PAGE);
      if (this.halted) return;
      const candidates: QueueEntry[] = [];
      let cursor = page.length === 0 ? end : record.cursor;
      for (const entry of page) {
        if (entry.seq > end) {
          cursor = end;
          break;
        }
        cursor = entry.seq;
        if (matches(entry.message) && candidates.push(entry) >= Math.min(slice, left)) break;
      }
      // From here to save() nothing waits: the moves and the progress share one store batch.
      const { moved, skipped } = moveEntries(this.queue(), this.vhost().paths, candidates, target);
      record.cursor = cursor;
      record.moved += moved;
      record.skipped += skipped;
      this.save();
      await this.written();
      movedHere += moved;
      const due = record.rate === undefined ? 0 : started + (movedHere / record.rate) * 1000 - this.host.clock.now();
      await this.pause(Math.max(0, due));
    }
  }

  private finish(state: RedriveState, error?: string): void {
    this.record.state = state;
    if (error !== undefined) this.record.error = error;
    this.save();
    this.host.ended(this.record);
    const { id, vhost, queue, matched, moved, skipped } = this.record;
    this.host.logger.info({ id, vhost, queue, state, matched, moved, skipped, error }, 'redrive job ended');
  }

  private vhost(): VHost {
    const vhost = this.host.vhost(this.record.vhost);
    if (vhost === undefined) throw new Error(`vhost '${this.record.vhost}' was deleted`);
    return vhost;
  }

  private queue(): Queue {
    const queue = this.vhost().queue(this.record.queue);
    if (queue === undefined || queue.record.id !== this.record.queueId) throw new Error(`queue '${this.record.queue}' was deleted`);
    return queue;
  }

  private written(): Promise<void> {
    const store = this.host.store;
    return new Promise((resolve, reject) => store.commit().onSettled((error) => (error ? reject(error) : resolve())));
  }

  /** Waits `ms` (pacing, or a turn of the event loop between slices); stop() and halt() cut it short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.host.clock.setTimer(ms, () => {
        this.wake = undefined;
        resolve();
      });
      this.wake = () => {
        cancel();
        this.wake = undefined;
        resolve();
      };
    });
  }
}
