/**
 * The plain `ws` relay probe as a broker under test (relay-server.ts and the relay-* workers):
 * the same producer pacing, stamping and counting as Warren's and RabbitMQ's runs, so the
 * ratio Warren ÷ relay says how much of a bare WebSocket hop Warren keeps at that body size.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Broker, RunningBroker, WorkerRole } from '../broker.js';
import { readCpuSeconds, readRssBytes } from '../proc-stats.js';
import { ResourceSampler, type Usage } from '../resource-sampler.js';

const SERVER = fileURLToPath(new URL('./relay-server.js', import.meta.url));
const READY_TIMEOUT_MS = 10_000;

class RelayProcess implements RunningBroker {
  readonly warningCount = 0;
  readonly firstWarnings: readonly string[] = [];
  private readonly sampler: ResourceSampler;
  private readonly exited: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    const pid = child.pid!;
    this.sampler = new ResourceSampler(async () => {
      const [rssBytes, cpuSeconds] = await Promise.all([readRssBytes(pid), readCpuSeconds(pid)]);
      return rssBytes === undefined || cpuSeconds === undefined ? undefined : { rssBytes, cpuSeconds };
    });
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  static async start(): Promise<RelayProcess> {
    const child = spawn(process.execPath, [SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the ws relay was not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      child.once('exit', (code) => reject(new Error(`the ws relay exited (${code}) before it was ready`)));
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      });
    });
    return new RelayProcess(child, url);
  }

  get urls(): readonly string[] {
    return [this.url];
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
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  killNow(): void {
    this.sampler.stop();
    if (this.running) this.child.kill('SIGKILL');
  }
}

const SCRIPTS: Partial<Record<WorkerRole, string>> = { producer: 'relay-producer.js', consumer: 'relay-consumer.js' };

export const wsRelay: Broker = {
  name: 'ws-relay',
  label: 'ws relay (probe)',
  start(nodes) {
    if (nodes > 1) throw new Error('the ws relay probe is a single process');
    return RelayProcess.start();
  },
  declare: () => Promise.resolve(),
  workerScript(role) {
    const script = SCRIPTS[role];
    if (script === undefined) throw new Error(`the ws relay probe has no ${role} worker`);
    return fileURLToPath(new URL(`./${script}`, import.meta.url));
  },
};
