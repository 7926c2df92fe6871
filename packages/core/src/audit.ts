/**
 * The audit log: who did what to which object, with the parameters given and the counts that
 * resulted (messages purged, moved, …), for the operator actions that lose or move data or
 * change behaviour: purge, delete, redrive, policy changes, definitions imports. Entries live in
 * the store (record space 'audit') under ids that grow with time, so a page of the newest is
 * one ranged read and the oldest are trimmed by one range delete, by count and by age. Who the
 * user is, and recording each action, is the server's job.
 */
import type { AuditEntryView, AuditObject } from '@warren/protocol';
import type { Clock, Logger, Store } from './ports.js';
import type { RedriveJobRecord } from './redrive-job.js';

export interface AuditRetention {
  /** Entries kept at most. */
  count?: number;
  /** Entries older than this many days are trimmed. */
  days?: number;
}

const DEFAULT_AUDIT_RETENTION: AuditRetention = { count: 10_000 };

export interface AuditRecord {
  user: string;
  /** The server authenticated `user`; absent or false when the name is only claimed. */
  verified?: boolean;
  action: string;
  object: AuditObject;
  parameters?: Record<string, unknown>;
  counts?: Record<string, number>;
}

export interface AuditPage {
  items: AuditEntryView[];
  /** Entries kept in all. */
  total: number;
}

const DAY = 24 * 60 * 60 * 1000;
const TRIM_PAGE = 256;

const idOf = (seq: number): string => seq.toString(16).padStart(16, '0');
const seqOf = (id: string): number => parseInt(id, 16);

export class AuditLog {
  /** Seqs of the oldest and newest entries kept; first > last when there is none. */
  private first = 1;
  private last = 0;
  private trimming: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly retention: AuditRetention = DEFAULT_AUDIT_RETENTION,
  ) {}

  /** At boot: finds the stored range and trims what retention no longer keeps. */
  async restore(): Promise<void> {
    const [oldest] = await this.store.readRecords('audit', { limit: 1 });
    const [newest] = await this.store.readRecords('audit', { limit: 1, reverse: true });
    if (oldest !== undefined && newest !== undefined) {
      this.first = seqOf(oldest.id);
      this.last = seqOf(newest.id);
    }
    this.trimByCount();
    await this.trimByAge();
  }

  /** Appends an entry; it is written with the writes of the action it records. */
  record(record: AuditRecord): void {
    const entry: AuditEntryView = {
      time: new Date(this.clock.now()).toISOString(),
      user: record.user,
      user_verified: record.verified ?? false,
      action: record.action,
      object: record.object,
      parameters: record.parameters ?? {},
      counts: record.counts ?? {},
    };
    this.last++;
    this.store.putRecord('audit', idOf(this.last), entry, true);
    this.trimByCount();
    if (this.retention.days !== undefined) this.trimming = this.trimming.then(() => this.trimByAge());
  }

  /** A redrive job ended: recorded as its starter's, with what it did. */
  recordRedriveEnd(job: RedriveJobRecord): void {
    this.record({
      user: job.user,
      action: 'redrive.end',
      object: { type: 'queue', vhost: job.vhost, name: job.queue },
      parameters: { job: job.id, state: job.state, ...(job.error === undefined ? {} : { error: job.error }) },
      counts: { matched: job.matched ?? 0, moved: job.moved, skipped: job.skipped },
    });
  }

  /** Page `page` (from 1) of `pageSize` entries, newest first. */
  async page(page: number, pageSize: number): Promise<AuditPage> {
    const total = Math.max(0, this.last - this.first + 1);
    const from = this.last - (page - 1) * pageSize;
    if (from < this.first) return { items: [], total };
    const records = await this.store.readRecords('audit', { from: idOf(from), limit: pageSize, reverse: true });
    const cutoff = this.cutoff();
    const items = records.map((r) => r.value as AuditEntryView).filter((entry) => Date.parse(entry.time) >= cutoff);
    return { items, total };
  }

  private cutoff(): number {
    return this.retention.days === undefined ? Number.NEGATIVE_INFINITY : this.clock.now() - this.retention.days * DAY;
  }

  private trimByCount(): void {
    const keep = this.retention.count;
    if (keep === undefined || this.last - this.first + 1 <= keep) return;
    this.first = this.last - keep + 1;
    this.store.trimRecords('audit', idOf(this.first));
  }

  /** Entries are in time order, so the old ones are a prefix: read from the oldest until one is young enough. */
  private async trimByAge(): Promise<void> {
    const cutoff = this.cutoff();
    if (cutoff === Number.NEGATIVE_INFINITY) return;
    try {
      while (this.first <= this.last) {
        const oldest = await this.store.readRecords('audit', { from: idOf(this.first), limit: TRIM_PAGE });
        const young = oldest.find((r) => Date.parse((r.value as AuditEntryView).time) >= cutoff);
        const keepFrom = young !== undefined ? seqOf(young.id) : oldest.length === 0 ? this.last + 1 : seqOf((oldest[oldest.length - 1] as { id: string }).id) + 1;
        if (keepFrom > this.first) {
          this.first = keepFrom;
          this.store.trimRecords('audit', idOf(keepFrom));
        }
        if (young !== undefined || oldest.length < TRIM_PAGE) return;
      }
    } catch (error) {
      this.logger.error({ err: error }, 'trimming the audit log failed');
    }
  }
}
