/**
 * The memory and disk alarms of one node (RabbitMQ's vm_memory_high_watermark and
 * disk_free_limit). Memory is measured every `memoryCheckInterval` ms and again after every
 * READ_CHECK_BYTES read from clients, so a fast publisher cannot run far past the watermark
 * between two ticks; free disk likewise, four times as often while its alarm is up so relief is
 * seen soon. What an alarm does to connections is publisher-block.ts's job; this file only
 * measures, decides, logs, and tells its listeners which alarms are up.
 */
import type { BlockedReason } from '@warren/protocol';
import type { Logger } from '@warren/core';

export type AlarmResource = BlockedReason;

export interface AlarmGauges {
  memoryUsed(): number;
  collectGarbage(): void;
  diskFree(): Promise<number>;
}

export interface AlarmLimits {
  memoryLimit: number;
  /** 0: no disk alarm. */
  diskFreeLimit: number;
  memoryCheckInterval: number;
  diskCheckInterval: number;
}

/** RabbitMQ's /api/nodes field names. */
export interface AlarmStatus {
  mem_alarm: boolean;
  disk_free_alarm: boolean;
  mem_used: number;
  mem_limit: number;
  disk_free: number;
  disk_free_limit: number;
}

/**
 * Small against any watermark, large enough that measuring costs nothing next to reading it:
 * process.memoryUsage() took over a millisecond on a busy broker, which at 4 MiB was 22 µs of
 * every 64 KiB message (measured with --cpu-prof).
 */
const READ_CHECK_BYTES = 16 * 1024 * 1024;

/** Above the watermark, garbage is collected at most this often (ms)... */
const COLLECT_GAP = 500;
/** ...and spending at most this share of the time in it: collecting a large heap pauses the broker. */
const COLLECT_SHARE = 0.05;

export class ResourceAlarms {
  private readonly raised = new Set<AlarmResource>();
  private readonly listeners: Array<(active: readonly AlarmResource[]) => void> = [];
  private memUsed = 0;
  private diskFree = 0;
  private readSinceCheck = 0;
  private diskCheck: Promise<void> | undefined;
  private memoryTimer: NodeJS.Timeout | undefined;
  private diskTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastCollect = Number.NEGATIVE_INFINITY;
  private collectGap = COLLECT_GAP;

  constructor(
    private readonly limits: AlarmLimits,
    private readonly gauges: AlarmGauges,
    private readonly logger: Logger,
  ) {}

  /** Measures once, then keeps measuring until stop(). */
  async start(): Promise<void> {
    this.checkMemory();
    await this.checkDisk();
    this.memoryTimer = setInterval(() => this.checkMemory(), this.limits.memoryCheckInterval).unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.memoryTimer);
    clearTimeout(this.diskTimer);
  }

  /** The alarms up now, in the order they were raised. */
  get active(): readonly AlarmResource[] {
    return [...this.raised];
  }

  onChange(listener: (active: readonly AlarmResource[]) => void): void {
    this.listeners.push(listener);
  }

  status(): AlarmStatus {
    return {
      mem_alarm: this.raised.has('memory'),
      disk_free_alarm: this.raised.has('disk'),
      mem_used: this.memUsed,
      mem_limit: this.limits.memoryLimit,
      disk_free: this.diskFree,
      disk_free_limit: this.limits.diskFreeLimit,
    };
  }

  /** Counts bytes read from clients; every READ_CHECK_BYTES, memory and disk are measured at once. */
  noteRead(bytes: number): void {
    this.readSinceCheck += bytes;
    if (this.readSinceCheck < READ_CHECK_BYTES) return;
    this.readSinceCheck = 0;
    this.checkMemory();
    void this.checkDisk();
  }

  /**
   * Above the watermark the figure may be garbage. When a collection is due, garbage is collected
   * and memory measured again before deciding, so garbage alone does not raise the alarm (a
   * publisher blocked and released at once only to be blocked again). When it is not due, the
   * alarm goes up on the figure as it is (safe); the next due collection clears it if what is
   * really held is below the watermark.
   */
  checkMemory(): void {
    this.memUsed = this.gauges.memoryUsed();
    if (this.memUsed >= this.limits.memoryLimit && Date.now() - this.lastCollect >= this.collectGap) {
      const started = Date.now();
      this.gauges.collectGarbage();
      this.lastCollect = Date.now();
      this.collectGap = Math.max(COLLECT_GAP, (this.lastCollect - started) / COLLECT_SHARE);
      this.memUsed = this.gauges.memoryUsed();
    }
    this.set('memory', this.memUsed >= this.limits.memoryLimit, { used: this.memUsed, limit: this.limits.memoryLimit });
  }

  /** One measurement at a time; the next is scheduled when it returns. */
  checkDisk(): Promise<void> {
    if (this.limits.diskFreeLimit === 0) return Promise.resolve();
    this.diskCheck ??= this.measureDisk().finally(() => {
      this.diskCheck = undefined;
      this.scheduleDiskCheck();
    });
    return this.diskCheck;
  }

  private async measureDisk(): Promise<void> {
    try {
      this.diskFree = await this.gauges.diskFree();
    } catch (err) {
      // A data directory that cannot be measured keeps the last state rather than guessing.
      this.logger.warn({ err }, 'cannot measure free disk space');
      return;
    }
    this.set('disk', this.diskFree < this.limits.diskFreeLimit, { free: this.diskFree, limit: this.limits.diskFreeLimit });
  }

  private scheduleDiskCheck(): void {
    if (this.stopped) return;
    clearTimeout(this.diskTimer);
    const interval = this.raised.has('disk') ? this.limits.diskCheckInterval / 4 : this.limits.diskCheckInterval;
    this.diskTimer = setTimeout(() => void this.checkDisk(), interval).unref();
  }

  private set(resource: AlarmResource, up: boolean, figures: Record<string, number>): void {
    if (up === this.raised.has(resource)) return;
    if (up) {
      this.raised.add(resource);
      this.logger.warn({ resource, ...figures }, 'resource alarm raised: publishing connections are blocked');
    } else {
      this.raised.delete(resource);
      this.logger.info({ resource, ...figures }, 'resource alarm cleared');
    }
    const active = this.active;
    for (const listener of this.listeners) listener(active);
  }
}
