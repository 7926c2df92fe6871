/**
 * Messages waiting for a time: retry back-offs and delayed publishes. Every record is written
 * to the store when scheduled (durably when its message must survive a restart) and deleted in
 * the same store batch as the enqueue it turns into when due, so a crash leaves each message in
 * exactly one place. One timer, armed for the earliest due record, fires them in due order.
 */
import type { Clock, Logger, ScheduledRecord, Store } from './ports.js';
import { MinHeap } from './min-heap.js';

const LATENESS_SAMPLES = 10_000;

export class Scheduler {
  private readonly heap = new MinHeap<ScheduledRecord>((a, b) => a.due - b.due || (a.id < b.id ? -1 : 1));
  private cancelTimer: (() => void) | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  /** How late the last fires were, ms: a ring of the most recent LATENESS_SAMPLES. */
  private readonly lateness: number[] = [];
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
    this.heap.push(record);
    this.arm();
  }

  /** At boot: records found in the store. */
  restore(records: ScheduledRecord[]): void {
    for (const record of records) this.heap.push(record);
    this.arm();
  }

  /** Pending count, fires so far, and how late the recent fires were (ms). */
  stats(): { pending: number; fired: number; lateness: { p50: number; p99: number; max: number } } {
    const sorted = [...this.lateness].sort((x, y) => x - y);
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
    for (let next = this.heap.peek(); next !== undefined && next.due <= now; next = this.heap.peek()) {
      this.heap.pop();
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
