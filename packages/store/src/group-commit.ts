/**
 * Group commit: the store's one write queue, in ticket-numbered steps run strictly one after
 * another, so writes land in the order they were queued. A step is either one LevelDB batch,
 * synced (one fsync) when any write in it asked for sync, or a list of range deletes, which a
 * batch cannot hold (db.clear; unsynced, so the next synced batch makes them durable, LevelDB's
 * log being sequential). Writes join the last step until it starts: the first write after a
 * quiet spell schedules it for the end of the event-loop turn, and while one step is in flight
 * the next fills up and starts the moment it completes. A failed step calls its waiters back
 * with the error; later steps still run. What the keys and values mean is level-store.ts's job.
 */
import type { ChainedBatch, Level } from 'level';

type Db = Level<string, Buffer>;
export type WriteDone = (error?: Error) => void;

interface Range {
  gte: string;
  lt: string;
}

interface BatchStep {
  kind: 'batch';
  ticket: number;
  batch: ChainedBatch<Db, string, Buffer>;
  sync: boolean;
  waiters: WriteDone[];
}

interface ClearStep {
  kind: 'clear';
  ticket: number;
  ranges: Range[];
  waiters: WriteDone[];
}

type Step = BatchStep | ClearStep;

export class GroupCommit {
  /** Steps not done yet, with consecutive tickets from #doneTicket + 1; the first may be running. */
  readonly #steps: Step[] = [];
  /** The last step while it still takes writes (it has not started). */
  #tail: Step | undefined;
  #lastTicket = 0;
  #doneTicket = 0;
  #running = false;
  #batches = 0;
  #syncs = 0;
  #scheduled = false;
  /** So that a waiter that comes late for a failed step still hears of the failure. */
  #lastFailure: { ticket: number; error: Error } | undefined;

  constructor(private readonly db: Db) {}

  put(key: string, value: Buffer, sync: boolean): void {
    const step = this.#batchStep();
    step.batch.put(key, value);
    if (sync) step.sync = true;
  }

  del(key: string, sync = false): void {
    const step = this.#batchStep();
    step.batch.del(key);
    if (sync) step.sync = true;
  }

  /** Steps written so far, and how many of them were synced: group commit made visible. */
  get stats(): { batches: number; syncs: number } {
    return { batches: this.#batches, syncs: this.#syncs };
  }

  /** Deletes every key k with gte <= k < lt. */
  clear(gte: string, lt: string): void {
    const tail = this.#tail;
    const step = tail?.kind === 'clear' ? tail : this.#push({ kind: 'clear', ticket: this.#lastTicket + 1, ranges: [], waiters: [] });
    step.ranges.push({ gte, lt });
  }

  /** The ticket of the step that holds every write queued so far (0 before the first write). */
  ticket(): number {
    return this.#lastTicket;
  }

  whenWritten(ticket: number, done: WriteDone): void {
    if (ticket <= this.#doneTicket) {
      const error = this.#lastFailure?.ticket === ticket ? this.#lastFailure.error : undefined;
      queueMicrotask(() => done(error));
      return;
    }
    const step = this.#steps[ticket - this.#doneTicket - 1];
    if (step === undefined) throw new RangeError(`store ticket ${ticket} was never issued`);
    step.waiters.push(done);
  }

  /** Resolves once every write queued so far is applied; rejects if the last step failed. */
  written(): Promise<void> {
    return new Promise((resolve, reject) => this.whenWritten(this.#lastTicket, (error) => (error ? reject(error) : resolve())));
  }

  #batchStep(): BatchStep {
    const tail = this.#tail;
    if (tail?.kind === 'batch') return tail;
    return this.#push({ kind: 'batch', ticket: this.#lastTicket + 1, batch: this.db.batch(), sync: false, waiters: [] });
  }

  #push<S extends Step>(step: S): S {
    this.#lastTicket = step.ticket;
    this.#steps.push(step);
    this.#tail = step;
    if (!this.#running && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#run);
    }
    return step;
  }

  readonly #run = (): void => {
    this.#scheduled = false;
    const step = this.#steps[0];
    if (step === undefined) return;
    this.#running = true;
    if (this.#tail === step) this.#tail = undefined;
    if (step.kind === 'batch') {
      this.#batches++;
      if (step.sync) this.#syncs++;
    }
    const write = step.kind === 'batch' ? step.batch.write({ sync: step.sync }) : this.#clear(step.ranges);
    write.then(
      () => this.#finish(step, undefined),
      (error: unknown) => this.#finish(step, error instanceof Error ? error : new Error(String(error))),
    );
  };

  async #clear(ranges: Range[]): Promise<void> {
    for (const range of ranges) await this.db.clear(range);
  }

  #finish(step: Step, error: Error | undefined): void {
    this.#steps.shift();
    this.#doneTicket = step.ticket;
    if (error !== undefined) this.#lastFailure = { ticket: step.ticket, error };
    // Still "running" while the waiters run, so writes they queue (acks after a confirm, say)
    // join the next step, which starts right after them.
    for (const done of step.waiters) {
      try {
        done(error);
      } catch (thrown) {
        // A waiter's bug must not stall the queue: rethrow it on its own, as an uncaught error.
        queueMicrotask(() => {
          throw thrown;
        });
      }
    }
    this.#running = false;
    if (this.#steps.length > 0) this.#run();
  }
}
