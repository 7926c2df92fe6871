/**
 * Credit flow from a queue back to the connections publishing into it (docs/performance.md,
 * "Flow control"). A queue whose consumers drain it holds its publishers while its ready backlog
 * is above a high mark, and lets them go once its consumers have taken it down to the low mark:
 * publishing then runs in step with delivery, and the queue stays short instead of growing for
 * as long as the publisher runs. Holding means the publisher's connection stops reading its
 * socket, as RabbitMQ's credit flow does; the broker's other connections are not touched.
 *
 * A queue only holds publishers while someone drains it. With no consumer it takes publishes up
 * to its limits and the alarms. A consumer too slow to bring the backlog down to the low mark
 * within MAX_HOLD_MS is taken for a slow one: the queue lets its publishers go and holds nobody
 * again until its backlog is back under the low mark, so a slow consumer costs its publishers one
 * short wait, never a standstill, and a connection that waits on a queue it also consumes from
 * (or two connections waiting on each other's queues) is free again after at most that long.
 */
import type { Clock } from '../ports.js';

export interface FlowMarks {
  /** Ready messages above which a drained queue holds its publishers. */
  highMessages: number;
  /** Ready messages at or below which it lets them go. */
  lowMessages: number;
  /** Ready body bytes above which it holds them (large messages reach the byte mark first). */
  highBytes: number;
  lowBytes: number;
  /** Longest a queue holds publishers before it takes its consumers for slow ones. */
  maxHoldMs: number;
}

/**
 * Sized for latency. A message's end-to-end time is about what is ahead of it over the delivery
 * rate: the backlog, the publisher's window still in its socket (1,000 in the bench) and the
 * consumer's prefetch; at 50,000 msgs/s, 500 + 1,000 + 200 messages are 34 ms, RabbitMQ's p99.
 * The 250 between the marks are several client batches, so the consumer does not run dry
 * between a release and the publisher's next batch (it is already in the socket). The byte marks bound large
 * messages (256 of 64 KiB) below the RAM a queue keeps before paging to disk (32 MiB by default),
 * so a queue in step with its consumer never pages.
 */
export const DEFAULT_FLOW_MARKS: FlowMarks = {
  highMessages: 500,
  lowMessages: 250,
  highBytes: 16 * 1024 * 1024,
  lowBytes: 8 * 1024 * 1024,
  maxHoldMs: 200,
};

export class QueueFlow {
  /** Publishers into the queue should wait (see wait()). */
  holding = false;
  /** Its consumers did not keep up within MAX_HOLD_MS: nobody is held until the backlog is low again. */
  private slow = false;
  private waiting: Array<() => void> = [];
  private cancelTimer: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly marks: FlowMarks,
  ) {}

  /** After an enqueue: starts holding when the backlog passed the high mark while consumers drain it. */
  enqueued(ready: number, bytes: number, consumers: number): void {
    if (this.holding) return;
    if (ready <= this.marks.highMessages && bytes <= this.marks.highBytes) {
      if (this.slow && ready <= this.marks.lowMessages && bytes <= this.marks.lowBytes) this.slow = false;
      return;
    }
    if (this.slow || consumers === 0) return;
    this.holding = true;
    this.cancelTimer = this.clock.setTimer(this.marks.maxHoldMs, this.tooSlow);
  }

  /** After the backlog shrank or lost its consumers: lets publishers go once it is low (or undrained). */
  drained(ready: number, bytes: number, consumers: number): void {
    const low = ready <= this.marks.lowMessages && bytes <= this.marks.lowBytes;
    if (low) this.slow = false;
    if (this.holding && (low || consumers === 0)) this.release();
  }

  /** `resume` runs once, when the queue lets its publishers go; at once if it holds nobody. */
  wait(resume: () => void): void {
    if (!this.holding) resume();
    else this.waiting.push(resume);
  }

  /** Lets every waiting publisher go (the queue is deleted, or drained). */
  release(): void {
    this.holding = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resume of waiting) resume();
  }

  private readonly tooSlow = (): void => {
    this.cancelTimer = undefined;
    this.slow = true;
    this.release();
  };
}
