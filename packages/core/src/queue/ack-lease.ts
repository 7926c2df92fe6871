/**
 * Ack leases of one queue's deliveries (docs/protocol.md, "Ack leases"): a delivery not settled
 * before its lease ends is handed to `expire`, which takes that one message back. One clock
 * timer per queue, armed for the earliest lease, and a min-heap of due times, never a timer per
 * delivery. Settling or extending does not search the heap: a heap item whose lease was released
 * or moved is skipped when it comes up, and the heap is rebuilt when such items pile up.
 */
import type { QueueEntry } from '../message.js';
import { MinHeap } from '../min-heap.js';
import type { Clock } from '../ports.js';
import type { Consumer } from './consumer.js';

export interface Lease {
  readonly entry: QueueEntry;
  readonly consumer: Consumer;
  /** The lease length last granted, ms. */
  ms: number;
  due: number;
  /** When it last went into the heap: leases due at the same time expire in this order. */
  pushed: number;
}

/** Stale heap items tolerated before a rebuild, beyond one per live lease. */
const STALE_SLACK = 1024;

export class AckLeases {
  private heap = new MinHeap<Lease>();
  private readonly live = new Map<QueueEntry, Lease>();
  private cancelTimer: (() => void) | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private pushes = 0;

  constructor(
    private readonly clock: Clock,
    private readonly expire: (lease: Lease) => void,
  ) {}

  get size(): number {
    return this.live.size;
  }

  grant(entry: QueueEntry, consumer: Consumer, ms: number): void {
    const lease: Lease = { entry, consumer, ms, due: this.clock.now() + ms, pushed: 0 };
    this.live.set(entry, lease);
    this.push(lease);
  }

  /** Moves the lease's end to `ms` from now; false when the delivery holds no lease. */
  extend(entry: QueueEntry, ms: number): boolean {
    const lease = this.live.get(entry);
    if (lease === undefined) return false;
    lease.ms = ms;
    lease.due = this.clock.now() + ms;
    this.push(lease);
    return true;
  }

  /** The delivery was settled (or went back some other way): its lease ends without effect. */
  release(entry: QueueEntry): void {
    if (this.live.size > 0) this.live.delete(entry);
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    this.live.clear();
    this.heap = new MinHeap<Lease>();
  }

  /** The live leases in the order they expire, and when the timer is armed for (a snapshot, queue-image.ts). */
  image(): { leases: Lease[]; timerDue: number } {
    const leases = [...this.live.values()].sort((a, b) => a.due - b.due || a.pushed - b.pushed);
    return { leases, timerDue: this.timerDue };
  }

  /** Holds exactly `leases` (in image order), its timer armed for `timerDue` as the snapshotted one was. */
  restore(leases: readonly Lease[], timerDue: number): void {
    this.stop();
    for (const lease of leases) {
      this.live.set(lease.entry, lease);
      lease.pushed = ++this.pushes;
      this.heap.push(lease, lease.due);
    }
    if (timerDue === Number.POSITIVE_INFINITY) return;
    this.timerDue = timerDue;
    this.cancelTimer = this.clock.setTimer(timerDue - this.clock.now(), this.onTimer);
  }

  private push(lease: Lease): void {
    lease.pushed = ++this.pushes;
    if (this.heap.size > 2 * this.live.size + STALE_SLACK) this.rebuild();
    this.heap.push(lease, lease.due);
    this.arm();
  }

  private rebuild(): void {
    this.heap = new MinHeap<Lease>();
    this.heap.pushAll([...this.live.values()].sort((a, b) => a.pushed - b.pushed), (lease) => lease.due);
  }

  private arm(): void {
    const due = this.heap.peekKey();
    if (due >= this.timerDue) return;
    this.cancelTimer?.();
    this.timerDue = due;
    this.cancelTimer = this.clock.setTimer(Math.max(0, due - this.clock.now()), this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.cancelTimer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    for (let due = this.heap.peekKey(); due <= now; due = this.heap.peekKey()) {
      const lease = this.heap.pop() as Lease;
      if (this.live.get(lease.entry) !== lease || lease.due !== due) continue;
      this.live.delete(lease.entry);
      this.expire(lease);
    }
    this.arm();
  };
}
