/**
 * The Warren broker as a child process, as it runs in a deployment: started by the shared
 * launcher (@warren/server/launch: the built bin on an ephemeral port with a fresh data
 * directory, ready once it logs its URL), sampled for RSS and CPU by its PID, and stopped by its
 * PID (SIGTERM, then SIGKILL) with its data directory removed.
 */
import { launchBroker, type BrokerProcess } from '@warren/server/launch';
import type { RunningBroker } from '../broker.js';
import { readCpuSeconds, readRssBytes } from '../proc-stats.js';
import { ResourceSampler, type Usage } from '../resource-sampler.js';

/** The broker's own grace period is 10 s; a benchmark run has nothing worth waiting that long for. */
const STOP_GRACE_MS = 3_000;
const KEPT_WARNINGS = 5;

/** Extra node flags for the broker only, e.g. `--cpu-prof --cpu-prof-dir=prof` to profile its hot path. */
function brokerNodeArgs(): string[] {
  return (process.env.WARREN_BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
}

export class WarrenProcess implements RunningBroker {
  warningCount = 0;
  readonly firstWarnings: string[] = [];
  private readonly sampler: ResourceSampler;

  private constructor(
    private readonly launched: BrokerProcess,
    private readonly stopGraceMs: number,
  ) {
    this.sampler = new ResourceSampler(() => readUsage(launched.pid));
  }

  /**
   * `env`: a cluster node's WARREN_NODE_ID, WARREN_PEERS and the like (warren-cluster.ts), whose
   * `stopGraceMs` is longer: a cluster node takes up to 3 s to hand its consumers' downs over
   * before it exits, and a node killed before it exits writes no `--cpu-prof` profile.
   */
  static async start(options: { name?: string; env?: Record<string, string>; stopGraceMs?: number } = {}): Promise<WarrenProcess> {
    let broker: WarrenProcess | undefined;
    const launched = await launchBroker({
      name: options.name ?? 'bench',
      ...(options.env === undefined ? {} : { env: options.env }),
      nodeArgs: brokerNodeArgs(),
      stderr: 'pipe',
      onLine: (line, entry) => {
        const level = entry?.level;
        if (broker === undefined || typeof level !== 'number' || level < 40) return;
        if (broker.warningCount++ < KEPT_WARNINGS) broker.firstWarnings.push(line);
      },
    });
    broker = new WarrenProcess(launched, options.stopGraceMs ?? STOP_GRACE_MS);
    return broker;
  }

  get pid(): number {
    return this.launched.pid;
  }

  get url(): string {
    return this.launched.url;
  }

  get urls(): readonly string[] {
    return [this.launched.url];
  }

  get httpUrl(): string {
    return this.launched.httpUrl;
  }

  get running(): boolean {
    return this.launched.running;
  }

  get peakRssBytes(): number {
    return this.sampler.peakRssBytes;
  }

  usage(): Promise<Usage | undefined> {
    return this.sampler.usage();
  }

  async stop(): Promise<void> {
    this.sampler.stop();
    await this.launched.stop(this.stopGraceMs);
  }

  killNow(): void {
    this.sampler.stop();
    this.launched.killNow();
  }
}

async function readUsage(pid: number): Promise<Usage | undefined> {
  const [rssBytes, cpuSeconds] = await Promise.all([readRssBytes(pid), readCpuSeconds(pid)]);
  return rssBytes === undefined || cpuSeconds === undefined ? undefined : { rssBytes, cpuSeconds };
}
