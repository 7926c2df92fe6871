/**
 * Messages waiting for a time: retry back-offs and delayed publishes. Every record is written
 * to the store when scheduled (durably when its message must survive a restart) and deleted in
 * the same store batch as the enqueue it turns into when due, so a crash leaves each message in
 * exactly one place. One timer, armed for the earliest due record, fires them in due order.
 * Records are indexed by id, so a cancel or a reschedule (written to the store like the
 * schedule itself) costs O(log n); which vhost may touch which record is scheduled-view.ts's job.
 */
import type { Commit } from './commit.js';
import type { Clock, Logger, ScheduledRecord, Store } from './ports.js';
import { MinHeap, type Handle } from './min-heap.js';

/** Enough to cover a restart's worth of fires (the 100,000 of docs/scheduled.md) in the stats. */
const LATENESS_SAMPLES = 100_000;
/**
 * How long one timer turn may fire for, ms: a burst of due records (a restart after downtime)
 * yields to I/O between slices instead of holding the event loop for the whole burst, yet a
 * slice is long enough that firing keeps ahead of the deliveries and acks it sets off.
 */
const FIRE_SLICE_MS = 100;
/** Fires between two looks at the clock. */
const FIRES_PER_CLOCK_READ = 64;
/**
 * The id index keeps fired records' ids (deleting each as it fired cost more than the heap in a
 * burst); it is dropped when nothing waits, and rebuilt from the heap when it holds this many
 * times the waiting records, so a rebuild stays small next to the fires that made it due.
 */
const STALE_IDS_FACTOR = 8;
const STALE_IDS_SLACK = 4_096;
/** How long after a replicated queue failed to commit a due message it is fired again, ms. */
const REFIRE_MS = 1_000;

export class Scheduler {
  private readonly heap = new MinHeap<ScheduledRecord>();
  /** Waiting records' heap handles by id, plus fired ones not yet swept (see handleOf). */
  private byId = new Map<string, Handle>();
  private cancelTimer: (() => void) | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  /** How late the last fires were, ms: a ring of the most recent LATENESS_SAMPLES. */
  private readonly lateness = new Float64Array(LATENESS_SAMPLES);
  private fired = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /**
     * Turns a due record into an enqueue; runs synchronously so its writes share a batch with the
     * delete. Answers the commit of replicated queues that took it, if any: the record is kept
     * until that settles, and fired again if it fails (at-least-once).
     */
    private readonly fire: (record: ScheduledRecord) => Commit | undefined,
  ) {}

  get size(): number {
    return this.heap.size;
  }

  schedule(record: ScheduledRecord): void {
    this.store.putScheduled(record);
    this.byId.set(record.id, this.heap.push(record, record.due));
    this.arm();
  }

  /** At boot: records found in the store, heaped in one O(n) pass. */
  restore(records: ScheduledRecord[]): void {
    const handles = this.heap.pushAll(records, (record) => record.due);
    records.forEach((record, i) => this.byId.set(record.id, handles[i] as Handle));
    this.arm();
  }

  get(id: string): ScheduledRecord | undefined {
    const handle = this.handleOf(id);
    return handle === undefined ? undefined : this.heap.get(handle);
  }

  /** Every waiting record, in no particular order. */
  *records(): Generator<ScheduledRecord> {
    for (const [, record] of this.heap.entries()) yield record;
  }

  /** Waiting records earliest due first (ties in the order they were scheduled), lazily; take what you need before anything changes. */
  inDueOrder(): Iterable<ScheduledRecord> {
    return this.heap.ordered();
  }

  /** Drops a waiting message: its record is deleted from the store (synced when durable). */
  cancel(id: string): ScheduledRecord | undefined {
    const handle = this.handleOf(id);
    if (handle === undefined) return undefined;
    const record = this.heap.get(handle) as ScheduledRecord;
    this.byId.delete(id);
    this.heap.remove(handle);
    this.store.deleteScheduled(id, record.durable);
    return record;
  }

  /** Moves a waiting message to a new due time; a time already past means now. */
  reschedule(id: string, due: number): ScheduledRecord | undefined {
    const handle = this.handleOf(id);
    if (handle === undefined) return undefined;
    const moved: ScheduledRecord = { ...(this.heap.get(handle) as ScheduledRecord), due: Math.max(due, this.clock.now()) };
    this.store.putScheduled(moved);
    this.heap.update(handle, moved, moved.due);
    this.arm();
    return moved;
  }

  /** Pending count, fires so far, and how late the recent fires were (ms). */
  stats(): { pending: number; fired: number; lateness: { p50: number; p99: number; max: number } } {
    const sorted = this.lateness.slice(0, Math.min(this.fired, LATENESS_SAMPLES)).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { pending: this.heap.size, fired: this.fired, lateness: { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 } };
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }

  /** A fired record stays stored until the replicated queues that took it committed it; failing that, it is fired again. */
  private keepUntil(record: ScheduledRecord, commit: Commit): void {
    commit.onSettled((error) => {
      if (error === undefined) {
        this.store.deleteScheduled(record.id);
        return;
      }
      this.logger.warn({ err: error, scheduled: record.id }, 'a replicated queue did not commit a scheduled message; it is fired again');
      const again = { ...record, due: this.clock.now() + REFIRE_MS };
      this.byId.set(again.id, this.heap.push(again, again.due));
      this.arm();
    });
  }

  /** The id's handle while its record waits; a fired record's handle may name another by now. */
  private handleOf(id: string): Handle | undefined {
    const handle = this.byId.get(id);
    return handle !== undefined && this.heap.get(handle)?.id === id ? handle : undefined;
  }

  private sweepIds(): void {
    this.byId = new Map();
    for (const [handle, record] of this.heap.entries()) this.byId.set(record.id, handle);
  }

  private arm(): void {
    const due = this.heap.peekKey();
    if (due >= this.timerDue) return;
    this.cancelTimer?.();
    this.timerDue = due;
    this.cancelTimer = this.clock.setTimer(due - this.clock.now(), this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.cancelTimer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    let now = this.clock.now();
    const sliceEnd = now + FIRE_SLICE_MS;
    let sinceClockRead = 0;
    while (this.heap.peekKey() <= now) {
      if (++sinceClockRead === FIRES_PER_CLOCK_READ) {
        sinceClockRead = 0;
        now = this.clock.now();
        if (now >= sliceEnd) {
          this.timerDue = now;
          this.cancelTimer = this.clock.setTimer(0, this.onTimer);
          return;
        }
      }
      const record = this.heap.pop() as ScheduledRecord;
      this.lateness[this.fired++ % LATENESS_SAMPLES] = now - record.due;
      let elsewhere: Commit | undefined;
      try {
        elsewhere = this.fire(record);
      } catch (error) {
        this.logger.error({ err: error, scheduled: record.id }, 'a scheduled message could not be delivered; dropping it');
      }
      if (elsewhere === undefined) this.store.deleteScheduled(record.id);
      else this.keepUntil(record, elsewhere);
    }
    if (this.byId.size > STALE_IDS_FACTOR * this.heap.size + STALE_IDS_SLACK) this.sweepIds();
    this.arm();
  };
}
