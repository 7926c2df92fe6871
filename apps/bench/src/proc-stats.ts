/**
 * Resident memory and CPU time of a process by PID, and the members of a process group, read from
 * Linux's /proc (proc(5)). Elsewhere they read as undefined and the report shows a dash: the bench
 * still runs, it just cannot say.
 */
import { readdir, readFile } from 'node:fs/promises';

/**
 * utime and stime are in clock ticks. USER_HZ is 100 on every Linux architecture Node runs on
 * (the kernel fixes it for the userland ABI), so no `getconf CLK_TCK` child process is needed.
 */
const TICKS_PER_SECOND = 100;

/** VmRSS in bytes, or undefined once the process is gone. */
export async function readRssBytes(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kb = status?.match(/^VmRSS:\s+(\d+)\s+kB$/m)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** User + system CPU seconds used so far (all threads), or undefined once the process is gone. */
export async function readCpuSeconds(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
  // What follows starts at field 3 (state), so field n is at index n - 3: utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : undefined;
}

/**
 * CPU seconds the whole machine has spent busy so far, all cores together, from the first line
 * of /proc/stat. Benchmarks share the machine: what the machine used beyond the broker and the
 * workers tells whether something else was competing for the cores during the window.
 */
export async function readMachineBusySeconds(): Promise<number | undefined> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const line = stat?.split('\n', 1)[0];
  if (line === undefined || !line.startsWith('cpu ')) return undefined;
  // user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
  const ticks = line.split(/\s+/).slice(1, 9).map(Number);
  const busy = ticks.reduce((sum, value, i) => (i === 3 || i === 4 ? sum : sum + value), 0);
  return Number.isFinite(busy) ? busy / TICKS_PER_SECOND : undefined;
}

/**
 * PIDs of the live processes in process group `pgid` (field 5 of /proc/<pid>/stat); zombies are
 * left out, as they hold no memory and wait only for a parent to reap them. Empty where /proc is
 * unavailable.
 */
export async function readGroupMembers(pgid: number): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const pids = entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
  const inGroup = await Promise.all(
    pids.map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
      if (stat === undefined) return false;
      // Fields after the command name: state (3), ppid (4), pgrp (5).
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
      return state !== 'Z' && Number(pgrp) === pgid;
    }),
  );
  return pids.filter((_, i) => inGroup[i]);
}
