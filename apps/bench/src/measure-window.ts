/**
 * A worker's measured window: wall time by performance.now() and CPU time by
 * process.cpuUsage(), between the orchestrator's `measure` and `stop` commands.
 */
import type { WindowStats } from './ipc.js';

export class MeasureWindow {
  private startedAt = 0;
  private cpuAtStart: NodeJS.CpuUsage = { user: 0, system: 0 };
  private stats: WindowStats | undefined;
  /** True between start() and stop(): what the hot path checks before counting. */
  open = false;

  start(): void {
    this.cpuAtStart = process.cpuUsage();
    this.startedAt = performance.now();
    this.open = true;
  }

  stop(): WindowStats {
    if (this.stats !== undefined) return this.stats;
    this.open = false;
    const seconds = this.startedAt === 0 ? 0 : (performance.now() - this.startedAt) / 1000;
    const cpu = process.cpuUsage(this.cpuAtStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    this.stats = { seconds, cpuPercent: seconds > 0 ? (100 * cpuSeconds) / seconds : 0 };
    return this.stats;
  }
}
