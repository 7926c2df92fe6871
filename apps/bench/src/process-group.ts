/**
 * A child process started as the leader of a process group of its own (detached), so that
 * everything it starts can be measured together and stopped together by the group's ID, never
 * by a process name: resident memory and CPU are summed over the group's members, and stopping
 * sends SIGTERM to the group, then SIGKILL once the grace period is over.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readCpuSeconds, readGroupMembers, readRssBytes } from './proc-stats.js';
import type { Usage } from './resource-sampler.js';
import { track, untrack } from './started-processes.js';

/** Members come and go rarely (a node's helper processes); finding them means reading all of /proc. */
const MEMBERS_REFRESH_MS = 2_000;
const POLL_MS = 100;

export class ProcessGroup {
  private members: number[] = [];
  private membersAt = Number.NEGATIVE_INFINITY;

  private constructor(
    readonly child: ChildProcess,
    readonly pgid: number,
  ) {}

  /** Throws when the command cannot be spawned (ENOENT and the like). */
  static async spawn(command: string, args: readonly string[], options: Omit<SpawnOptions, 'detached'>): Promise<ProcessGroup> {
    const child = spawn(command, args, { ...options, detached: true });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
    // Tracked from birth: a RabbitMQ cluster takes a while to form, and an orchestrator
    // interrupted meanwhile must still kill what it started.
    return track(new ProcessGroup(child, child.pid));
  }

  /** The leader is still running (the group may outlive it, which stop() handles). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resident memory and CPU time summed over the group's members; undefined once none is left. */
  async usage(): Promise<Usage | undefined> {
    if (performance.now() - this.membersAt > MEMBERS_REFRESH_MS) {
      this.members = await readGroupMembers(this.pgid);
      this.membersAt = performance.now();
    }
    const readings = await Promise.all(this.members.map((pid) => Promise.all([readRssBytes(pid), readCpuSeconds(pid)])));
    let rssBytes = 0;
    let cpuSeconds = 0;
    let alive = 0;
    for (const [rss, cpu] of readings) {
      if (rss === undefined || cpu === undefined) continue;
      rssBytes += rss;
      cpuSeconds += cpu;
      alive++;
    }
    return alive === 0 ? undefined : { rssBytes, cpuSeconds };
  }

  /** SIGTERM to the group, SIGKILL after graceMs; resolves when no member is left. */
  async stop(graceMs: number): Promise<void> {
    this.signal('SIGTERM');
    const deadline = performance.now() + graceMs;
    while ((await readGroupMembers(this.pgid)).length > 0) {
      if (performance.now() > deadline) {
        this.signal('SIGKILL');
        await sleep(POLL_MS);
        break;
      }
      await sleep(POLL_MS);
    }
    untrack(this);
  }

  /** Synchronous, for the orchestrator's own exit. */
  killNow(): void {
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pgid, signal);
    } catch (error) {
      // ESRCH: the group is already gone.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
