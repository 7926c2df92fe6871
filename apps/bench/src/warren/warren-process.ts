/**
 * The Warren broker as a child process, as it runs in a deployment: spawned from the built
 * packages/server on an ephemeral port with a fresh data directory, ready once it logs
 * 'warren is ready' with its URL, sampled for RSS and CPU by its PID, and stopped by its PID
 * (SIGTERM, then SIGKILL) with its data directory removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RunningBroker } from '../broker.js';
import { readCpuSeconds, readRssBytes } from '../proc-stats.js';
import { ResourceSampler, type Usage } from '../resource-sampler.js';

const WARREN_BIN = fileURLToPath(new URL('../../../../packages/server/dist/bin/warren.js', import.meta.url));
const READY_TIMEOUT_MS = 15_000;
/** The broker's own grace period is 10 s; a benchmark run has nothing worth waiting that long for. */
const STOP_GRACE_MS = 3_000;
/** Output lines kept to explain a broker that fails to start or dies. */
const TAIL_LINES = 20;
const KEPT_WARNINGS = 5;

/** Extra node flags for the broker only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile its hot path. */
function brokerNodeArgs(): string[] {
  return (process.env.WARREN_BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
}

export class WarrenProcess implements RunningBroker {
  warningCount = 0;
  readonly firstWarnings: string[] = [];
  private readonly sampler: ResourceSampler;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly url: string,
    private readonly dataDir: string,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    this.sampler = new ResourceSampler(() => readUsage(pid));
  }

  static async start(): Promise<WarrenProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), 'warren-bench-'));
    const child = spawn(process.execPath, [...brokerNodeArgs(), WARREN_BIN], {
      env: { ...process.env, WARREN_HOST: '127.0.0.1', WARREN_PORT: '0', WARREN_DATA_DIR: dataDir, WARREN_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid === undefined) {
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(`could not spawn the broker (${WARREN_BIN})`);
    }
    const tail: string[] = [];
    const keep = (line: string): void => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    createInterface({ input: child.stderr! }).on('line', keep);
    const lines = createInterface({ input: child.stdout! });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`broker not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
        child.once('exit', (code, signal) => reject(new Error(`broker exited before ready (code ${code}, signal ${signal})`)));
        lines.on('line', (line) => {
          keep(line);
          const entry = parseLogLine(line);
          if (entry?.msg === 'warren is ready' && typeof entry.url === 'string') {
            clearTimeout(timer);
            resolve(entry.url);
          }
        });
      });
      const broker = new WarrenProcess(child, pid, url, dataDir);
      // Keep draining stdout after ready: a full pipe would block the broker's logger.
      lines.on('line', (line) => {
        const level = parseLogLine(line)?.level;
        if (typeof level !== 'number' || level < 40) return;
        if (broker.warningCount++ < KEPT_WARNINGS) broker.firstWarnings.push(line);
      });
      return broker;
    } catch (error) {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(`${(error as Error).message}\n--- broker output (last lines) ---\n${tail.join('\n')}`);
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get peakRssBytes(): number {
    return this.sampler.peakRssBytes;
  }

  usage(): Promise<Usage | undefined> {
    return this.sampler.usage();
  }

  async stop(): Promise<void> {
    this.sampler.stop();
    if (this.running) {
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(killer);
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }

  killNow(): void {
    this.sampler.stop();
    if (this.running) this.child.kill('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function readUsage(pid: number): Promise<Usage | undefined> {
  const [rssBytes, cpuSeconds] = await Promise.all([readRssBytes(pid), readCpuSeconds(pid)]);
  return rssBytes === undefined || cpuSeconds === undefined ? undefined : { rssBytes, cpuSeconds };
}

function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
