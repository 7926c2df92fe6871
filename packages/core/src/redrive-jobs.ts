/**
 * The broker's redrive jobs: starting one (at most one running per queue, since a job removes
 * paged-out messages by position), finding, listing and stopping them, and at boot resuming the
 * ones a crash or a stop interrupted. Finished jobs are kept for the management API, the
 * newest KEPT_FINISHED of them; older records are deleted from the store.
 */
import { WarrenError, type RedriveFilter } from '@warren/protocol';
import { compileFilter } from './message-filter.js';
import type { Queue } from './queue/queue.js';
import { RedriveJob, type RedriveJobHost, type RedriveJobRecord } from './redrive-job.js';
import type { RedriveTarget } from './redrive.js';
import type { VHost } from './vhost.js';

export interface RedriveSpec {
  filter?: RedriveFilter;
  to?: RedriveTarget;
  count?: number;
  rate?: number;
  /** Who started it (audit log). */
  user: string;
}

const KEPT_FINISHED = 100;

export class RedriveJobs {
  private readonly jobs = new Map<string, RedriveJob>();

  constructor(private readonly host: RedriveJobHost & { newId(): string }) {}

  /** At boot, once the queues are back: loads the stored jobs and resumes those still running. */
  async restore(): Promise<void> {
    const records = await this.host.store.readRecords('redrive', { limit: Number.MAX_SAFE_INTEGER });
    for (const { value } of records) {
      const job = new RedriveJob(value as RedriveJobRecord, this.host);
      this.jobs.set(job.record.id, job);
      if (job.running) {
        this.host.logger.info({ id: job.record.id, queue: job.record.queue, moved: job.record.moved }, 'resuming redrive job');
        job.start();
      }
    }
  }

  /**
   * Starts a job on a queue. Throws WarrenError `invalid_argument` for a malformed filter and
   * `in_use` when a job already runs on the queue; nothing is stored then.
   */
  start(vhost: VHost, queue: Queue, spec: RedriveSpec): RedriveJob {
    compileFilter(spec.filter);
    const running = this.runningOn(queue);
    if (running !== undefined) {
      throw new WarrenError('in_use', `queue '${queue.name}' has a running redrive job '${running.record.id}'; stop it or wait for it`);
    }
    const now = this.host.clock.now();
    const record: RedriveJobRecord = {
      id: this.host.newId(),
      vhost: vhost.name,
      queue: queue.name,
      queueId: queue.record.id,
      user: spec.user,
      state: 'running',
      cursor: 0,
      moved: 0,
      skipped: 0,
      createdAt: now,
      updatedAt: now,
    };
    if (spec.filter !== undefined) record.filter = spec.filter;
    if (spec.to !== undefined) record.to = spec.to;
    if (spec.count !== undefined) record.count = spec.count;
    if (spec.rate !== undefined) record.rate = spec.rate;
    const job = new RedriveJob(record, this.host);
    job.save();
    this.jobs.set(record.id, job);
    this.forgetOldest();
    job.start();
    return job;
  }

  get(id: string): RedriveJob | undefined {
    return this.jobs.get(id);
  }

  /** Newest first. */
  list(): RedriveJob[] {
    return [...this.jobs.values()].sort((a, b) => b.record.createdAt - a.record.createdAt);
  }

  /** The running job on this queue, if any. */
  runningOn(queue: Queue): RedriveJob | undefined {
    for (const job of this.jobs.values()) if (job.running && job.record.queueId === queue.record.id) return job;
    return undefined;
  }

  /** The broker is stopping: running jobs stop working and stay `running` in the store. */
  async halt(): Promise<void> {
    const running = [...this.jobs.values()].filter((job) => job.running);
    for (const job of running) job.halt();
    await Promise.all(running.map((job) => job.done));
  }

  private forgetOldest(): void {
    const finished = this.list().filter((job) => !job.running);
    for (const job of finished.slice(KEPT_FINISHED)) {
      this.jobs.delete(job.record.id);
      this.host.store.deleteRecord('redrive', job.record.id);
    }
  }
}
