/**
 * What the resource alarm tests share: a broker process of its own (so the memory it uses is
 * its own) with its log lines captured, its RSS sampled from /proc, and its alarm status read
 * from GET /api/overview.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBroker, type BrokerProcess } from '@warren/server/launch';

export interface LogEntry {
  msg?: string;
  time: number;
  [field: string]: unknown;
}

export interface AlarmBroker extends BrokerProcess {
  readonly logs: LogEntry[];
  /** The first log line, seen or still to come, that matches. */
  log(match: (entry: LogEntry) => boolean): Promise<LogEntry>;
  overview(): Promise<AlarmOverview>;
}

export interface AlarmOverview {
  mem_alarm: boolean;
  disk_free_alarm: boolean;
  mem_used: number;
  mem_limit: number;
  disk_free: number;
  disk_free_limit: number;
}

/** Runs the built broker with `config` in a JSON config file beside `dataDir` and `env` on top. */
export async function spawnAlarmBroker(dir: string, dataDir: string, config: object, env: Record<string, string> = {}): Promise<AlarmBroker> {
  const file = join(dir, 'warren.json');
  writeFileSync(file, JSON.stringify(config));
  const logs: LogEntry[] = [];
  let waiters: Array<{ match: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }> = [];
  const broker = await launchBroker({
    dataDir,
    env: { WARREN_CONFIG: file, ...env },
    onLine: (_line, parsed) => {
      if (parsed === undefined) return;
      const entry = parsed as LogEntry;
      logs.push(entry);
      waiters = waiters.filter((w) => (w.match(entry) ? (w.resolve(entry), false) : true));
    },
  });
  return Object.assign(broker, {
    logs,
    log: (match: (entry: LogEntry) => boolean) => {
      const seen = logs.find(match);
      return seen !== undefined ? Promise.resolve(seen) : new Promise<LogEntry>((resolve) => waiters.push({ match, resolve }));
    },
    overview: async () => (await (await fetch(`${broker.httpUrl}/api/overview`)).json()) as AlarmOverview,
  });
}

export const alarmLog = (event: 'raised' | 'cleared', resource: 'memory' | 'disk') => (entry: LogEntry) =>
  entry.resource === resource && typeof entry.msg === 'string' && entry.msg.startsWith(`resource alarm ${event}`);

/** Samples a process's resident set size (VmRSS) until stopped; `max` is the largest seen, in bytes. */
export class RssSampler {
  max = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 10);
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.max;
  }

  private sample(): void {
    let status: string;
    try {
      status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    } catch {
      return; // the process has exited
    }
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    if (kb !== undefined) this.max = Math.max(this.max, Number(kb) * 1024);
  }
}
