/**
 * Group commit: the store's one write queue, in steps run strictly one after another, so writes
 * land in the order they were queued. Each step carries the commit handle (core's commit.ts)
 * that every write in it shares, settled when the step is done. A step is either one LevelDB batch,
 * synced (one fsync) when any write in it asked for sync, or a list of range deletes, which a
 * batch cannot hold (db.clear; unsynced, so the next synced batch makes them durable, LevelDB's
 * log being sequential). Writes join the last step until it starts: the first write after a
 * quiet spell schedules it for the end of the event-loop turn, and while one step is in flight
 * the next fills up and starts the moment it completes. A failed step settles its handle with
 * the error; later steps still run. What the keys and values mean is level-store.ts's job.
 */
import { COMMITTED, PendingCommit, type Commit } from '@warren/core';
import type { ChainedBatch, Level } from 'level';

type Db = Level<string, Buffer>;

interface Range {
  gte: string;
  lt: string;
}

interface BatchStep {
  kind: 'batch';
  batch: ChainedBatch<Db, string, Buffer>;
  sync: boolean;
  commit: PendingCommit;
}

interface ClearStep {
  kind: 'clear';
  ranges: Range[];
  commit: PendingCommit;
}

type Step = BatchStep | ClearStep;

export class GroupCommit {
  /** Steps not done yet, in order; the first may be running. */
  readonly #steps: Step[] = [];
  /** The last step while it still takes writes (it has not started). */
  #tail: Step | undefined;
  /** The handle of the last step done (it keeps its error), while no step is pending. */
  #lastDone: Commit = COMMITTED;
  #running = false;
  #batches = 0;
  #syncs = 0;
  #scheduled = false;

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
    const step = tail?.kind === 'clear' ? tail : this.#push({ kind: 'clear', ranges: [], commit: new PendingCommit() });
    step.ranges.push({ gte, lt });
  }

  /** The handle of the step that holds every write queued so far. */
  commit(): Commit {
    const last = this.#steps[this.#steps.length - 1];
    return last === undefined ? this.#lastDone : last.commit;
  }

  /** Resolves once every write queued so far is applied; rejects if the last step failed. */
  written(): Promise<void> {
    return new Promise((resolve, reject) => this.commit().onSettled((error) => (error ? reject(error) : resolve())));
  }

  #batchStep(): BatchStep {
    const tail = this.#tail;
    if (tail?.kind === 'batch') return tail;
    return this.#push({ kind: 'batch', batch: this.db.batch(), sync: false, commit: new PendingCommit() });
  }

  #push<S extends Step>(step: S): S {
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
    this.#lastDone = step.commit;
    // Still "running" while the waiters run, so writes they queue (acks after a confirm, say)
    // join the next step, which starts right after them. A waiter's bug surfaces on its own.
    step.commit.settle(error);
    this.#running = false;
    if (this.#steps.length > 0) this.#run();
  }
}
