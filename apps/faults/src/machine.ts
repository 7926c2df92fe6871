/**
 * How busy the machine was while the faults ran, sampled from /proc/stat once a second: a stall
 * on a machine whose cores were all busy (with other work too) may be the machine's, not the
 * broker's, and the report says which faults ran on a saturated machine.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

interface Sample {
  readonly at: number;
  /** Share of all cores busy since the previous sample, 0..1. */
  readonly busy: number;
}

function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export class MachineLoad {
  readonly cores = cpus().length;
  readonly #samples: Sample[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(now: () => number) {
    let last = cpuTimes();
    this.#timer = setInterval(() => {
      const current = cpuTimes();
      if (current !== undefined && last !== undefined && current.total > last.total) {
        this.#samples.push({ at: now(), busy: (current.busy - last.busy) / (current.total - last.total) });
      }
      last = current;
    }, 1_000);
    this.#timer.unref();
  }

  /** The mean share of the cores busy in [from, to], or undefined without samples (not Linux). */
  busy(from: number, to: number): number | undefined {
    const inside = this.#samples.filter((s) => s.at >= from && s.at <= to + 1_000);
    return inside.length === 0 ? undefined : inside.reduce((sum, s) => sum + s.busy, 0) / inside.length;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
