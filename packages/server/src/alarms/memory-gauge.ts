/**
 * What the memory alarm measures and where its limit lies (docs/operations.md, "Resource alarms").
 *
 * RSS alone cannot be the figure: glibc keeps the pages of freed message bodies mapped, so RSS
 * stays at its peak after the queues drain, and an alarm on RSS would never clear. The figure is
 * the RSS capped by what the process holds: V8's heap, the ArrayBuffers outside it (Buffers,
 * message bodies) and the native rest measured at start (code, LevelDB, libuv). While memory
 * grows the two agree; once messages are freed and collected, the held figure falls and RSS may
 * not. `arrayBuffers` rather than `external`: V8 updates it as soon as freed buffers are swept,
 * `external` only at the next collection.
 */
import { totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { MemoryHighWatermark } from '../config.js';

/** The RAM this process may use: the machine's, or its cgroup's limit when that is lower. */
export function availableRam(): number {
  const constrained = process.constrainedMemory();
  const total = totalmem();
  return constrained > 0 && constrained < total ? constrained : total;
}

/** The watermark in bytes: a fraction of `ram`, or the absolute `{ bytes }`. */
export function memoryLimit(watermark: MemoryHighWatermark, ram: number): number {
  return typeof watermark === 'number' ? Math.floor(watermark * ram) : watermark.bytes;
}

export class MemoryGauge {
  private readonly nativeRest: number;
  private collector: (() => void) | undefined;

  constructor() {
    const m = process.memoryUsage();
    this.nativeRest = Math.max(0, m.rss - m.heapTotal - m.arrayBuffers);
  }

  /** Bytes in use as the alarm counts them. */
  used(): number {
    const m = process.memoryUsage();
    return Math.min(m.rss, m.heapTotal + m.arrayBuffers + this.nativeRest);
  }

  /**
   * A full garbage collection. Once publishers are blocked and consumers have drained, nothing
   * allocates, so V8 would not collect the drained bodies and the alarm would stay up for good.
   * The flag only makes `gc` available to new contexts; the broker's own global stays untouched.
   */
  collect(): void {
    if (this.collector === undefined) {
      setFlagsFromString('--expose-gc');
      this.collector = runInNewContext('gc') as () => void;
    }
    this.collector();
  }
}
