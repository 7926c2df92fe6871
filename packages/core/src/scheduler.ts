/**
 * Messages waiting for a time: retry back-offs and delayed publishes. Every record is written
 * to the store when scheduled (durably when its message must survive a restart) and deleted in
 * the same store batch as the enqueue it turns into when due, so a crash leaves each message in
 * exactly one place. One timer, armed for the earliest due record, fires them in due order.
 */
import type { Clock, Logger, ScheduledRecord, Store } from './ports.js';
import { MinHeap } from './min-heap.js';

export class Scheduler {
  private readonly heap = new MinHeap<ScheduledRecord>((a, b) => a.due - b.due || (a.id < b.id ? -1 : 1));
  private cancelTimer: (() => void) | undefined;
  private timerDue = Number.POSITIVE_INFINITY;

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
