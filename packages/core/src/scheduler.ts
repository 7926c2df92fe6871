/**
 * Messages waiting for a time: retry back-offs and delayed publishes. Every record is written
 * to the store when scheduled (durably when its message must survive a restart) and deleted in
 * the same store batch as the enqueue it turns into when due, so a crash leaves each message in
 * exactly one place. One timer, armed for the earliest due record, fires them in due order.
 * Records are indexed by id, so a cancel or a reschedule (written to the store like the
 * schedule itself) costs O(log n); which vhost may touch which record is scheduled-view.ts's job.
 */
import type { Clock, Logger, ScheduledRecord, Store } from './ports.js';
import { MinHeap } from './min-heap.js';

/** Enough to cover a restart's worth of fires (the 100,000 of docs/scheduled.md) in the stats. */
const LATENESS_SAMPLES = 100_000;
/**
 * Fires per timer turn at most: a burst of due records (a restart after downtime) yields to
 * I/O between slices instead of holding the event loop for the whole burst.
 */
const FIRES_PER_TURN = 1_000;

export class Scheduler {
  private readonly heap = new MinHeap<ScheduledRecord>((a, b) => a.due - b.due || (a.id < b.id ? -1 : 1));
  private readonly byId = new Map<string, ScheduledRecord>();
  private cancelTimer: (() => void) | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  /** How late the last fires were, ms: a ring of the most recent LATENESS_SAMPLES. */
  private readonly lateness = new Float64Array(LATENESS_SAMPLES);
  private fired = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Turns a due record into an enqueue; runs synchronously so its writes share a batch with the delete. */
    private readonly fire: (record: ScheduledRecord) => void,
  ) {}

  get size(): number {
    return this.heap.size;
  }

  schedule(record: ScheduledRecord): void {
    this.store.putScheduled(record);
    this.byId.set(record.id, record);
    this.heap.push(record);
    this.arm();
  }

  /** At boot: records found in the store, heaped in one O(n) pass. */
  restore(records: ScheduledRecord[]): void {
    for (const record of records) this.byId.set(record.id, record);
    this.heap.pushAll(records);
    this.arm();
  }

  get(id: string): ScheduledRecord | undefined {
    return this.byId.get(id);
  }

  /** Every waiting record, in no particular order. */
  records(): IterableIterator<ScheduledRecord> {
    return this.byId.values();
  }

  /** Waiting records earliest due first (ties by id), lazily; take what you need before anything changes. */
  inDueOrder(): Iterable<ScheduledRecord> {
    return this.heap.ordered();
  }

  /** Drops a waiting message: its record is deleted from the store (synced when durable). */
  cancel(id: string): ScheduledRecord | undefined {
    const record = this.byId.get(id);
    if (record === undefined) return undefined;
    this.byId.delete(id);
    this.heap.remove(record);
    this.store.deleteScheduled(id, record.durable);
    return record;
  }

  /** Moves a waiting message to a new due time; a time already past means now. */
  reschedule(id: string, due: number): ScheduledRecord | undefined {
    const record = this.byId.get(id);
    if (record === undefined) return undefined;
    const moved: ScheduledRecord = { ...record, due: Math.max(due, this.clock.now()) };
    this.store.putScheduled(moved);
    this.byId.set(id, moved);
    this.heap.update(record, moved);
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

  private arm(): void {
    const next = this.heap.peek();
    const due = next?.due ?? Number.POSITIVE_INFINITY;
    if (due >= this.timerDue) return;
    this.cancelTimer?.();
    this.timerDue = due;
    this.cancelTimer = this.clock.setTimer(due - this.clock.now(), this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.cancelTimer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let budget = FIRES_PER_TURN;
    for (let next = this.heap.peek(); next !== undefined && next.due <= now; next = this.heap.peek()) {
      if (budget-- === 0) {
        this.timerDue = now;
        this.cancelTimer = this.clock.setTimer(0, this.onTimer);
        return;
      }
      this.heap.pop();
      this.byId.delete(next.id);
      this.lateness[this.fired++ % LATENESS_SAMPLES] = now - next.due;
      try {
        this.fire(next);
      } catch (error) {
        this.logger.error({ err: error, scheduled: next.id }, 'a scheduled message could not be delivered; dropping it');
      }
      this.store.deleteScheduled(next.id);
    }
    this.arm();
  };
}
