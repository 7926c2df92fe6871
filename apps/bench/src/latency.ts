/**
 * End-to-end latency statistics with bounded memory: a fixed-size uniform sample of every
 * latency seen (reservoir sampling, Vitter's algorithm R) and nearest-rank percentiles over it.
 * A 10 s run at 200k msgs/s sees 2M latencies; keeping all of them would cost more memory and
 * sorting time in the consumer than the broker does work, so we keep a uniform 200k subset.
 * Where the latencies come from (the body timestamp) is stamp.ts's job.
 */

/** 200k samples put the p99 within a fraction of a percentile rank of the true one, and leave 200 above the p99.9. */
export const DEFAULT_CAPACITY = 200_000;

export interface LatencySummary {
  /** Latencies seen, sampled or not. */
  count: number;
  /** Latencies kept in the reservoir (min(count, capacity)). */
  samples: number;
  p50: number;
  p99: number;
  /** p99.9: with the full 200k-sample reservoir, the 200th-largest sample. */
  p999: number;
  max: number;
}

export class Reservoir {
  private readonly kept: Float64Array;
  private seen = 0;
  private maximum = Number.NEGATIVE_INFINITY;

  constructor(
    capacity = DEFAULT_CAPACITY,
    /** Injected so tests can be deterministic; returns a float in [0, 1). */
    private readonly random: () => number = Math.random,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.kept = new Float64Array(capacity);
  }

  get count(): number {
    return this.seen;
  }

  add(value: number): void {
    this.seen++;
    if (value > this.maximum) this.maximum = value;
    if (this.seen <= this.kept.length) {
      this.kept[this.seen - 1] = value;
      return;
    }
    // Keep the new value with probability capacity/seen, in place of a uniformly chosen one.
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.kept.length) this.kept[slot] = value;
  }

  /** Percentiles of the values kept so far; NaN everywhere when nothing was added. */
  summary(): LatencySummary {
    const sorted = this.kept.slice(0, Math.min(this.seen, this.kept.length)).sort();
    return {
      count: this.seen,
      samples: sorted.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: this.seen === 0 ? Number.NaN : this.maximum,
    };
  }
}

/** Nearest-rank percentile of an ascending array: the smallest value with at least p% of values ≤ it. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  // The epsilon absorbs binary rounding: 99.9 / 100 × 1000 is 999.0000000000001, whose ceiling would skip a rank.
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100 - 1e-9));
  return sorted[rank - 1] ?? Number.NaN;
}
