/**
 * A broker's resident memory and CPU time, read on demand and every 200 ms in the background
 * so the peak RSS between reads is not missed. What to read (one PID, or a process group) is
 * the broker's business: it passes the reading function in.
 */

export interface Usage {
  rssBytes: number;
  cpuSeconds: number;
}

const SAMPLE_MS = 200;

export class ResourceSampler {
  peakRssBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly read: () => Promise<Usage | undefined>) {
    this.timer = setInterval(() => void this.usage(), SAMPLE_MS);
    void this.usage();
  }

  async usage(): Promise<Usage | undefined> {
    const usage = await this.read().catch(() => undefined);
    if (usage !== undefined && usage.rssBytes > this.peakRssBytes) this.peakRssBytes = usage.rssBytes;
    return usage;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * A cluster's usage: every node's summed. Undefined as soon as one node cannot be read, so a
 * window is never measured over fewer nodes at one end than at the other.
 */
export function sumUsage(readings: ReadonlyArray<Usage | undefined>): Usage | undefined {
  let rssBytes = 0;
  let cpuSeconds = 0;
  for (const reading of readings) {
    if (reading === undefined) return undefined;
    rssBytes += reading.rssBytes;
    cpuSeconds += reading.cpuSeconds;
  }
  return readings.length === 0 ? undefined : { rssBytes, cpuSeconds };
}

/** Each node's CPU over a window, as % of one core; undefined unless every node was read at both ends. */
export function cpuPercentPerNode(before: ReadonlyArray<Usage | undefined>, after: ReadonlyArray<Usage | undefined>, seconds: number): number[] | undefined {
  if (before.length !== after.length || before.length === 0 || seconds <= 0) return undefined;
  const percents: number[] = [];
  for (const [i, start] of before.entries()) {
    const end = after[i];
    if (start === undefined || end === undefined) return undefined;
    percents.push((100 * (end.cpuSeconds - start.cpuSeconds)) / seconds);
  }
  return percents;
}
