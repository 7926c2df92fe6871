#!/usr/bin/env node
/**
 * Commits per second and commit latency (p50, p99) of a 3-member Raft group in one process:
 * real RaftNode shells, real LevelDB in temp directories, TCP over loopback. `concurrency`
 * proposals are kept outstanding on the leader; a commit is timed from propose() to its apply
 * on the leader, which is after a majority synced it. Batching on: up to 256 entries per append
 * and 256 appends in flight; off: one entry per append, one append in flight.
 *   npm run bench:raft -- [--seconds 5] [--concurrency 64]
 */
import { parseArgs } from 'node:util';
import { replicatedQueueMachine } from '../queue/replicated-queue.js';
import { LocalGroup } from './local-group.js';

/** Results go to stdout, one line each: this is a command, not library code. */
const print = (text: string): void => void process.stdout.write(`${text}\n`);

interface Result {
  batching: 'on' | 'off';
  commitsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  fsyncsPerCommit: number;
  /** Proposals refused because leadership moved during the run (0 on a quiet machine). */
  refused: number;
}

/** Core's queue machine for a durable queue, replicated: each commit is an enqueue it applies. */
const BENCH_QUEUE = { id: 'bench', vhost: '/', name: 'bench', durable: true, exclusive: false, autoDelete: false, arguments: {} };

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function measure(batching: boolean, seconds: number, concurrency: number): Promise<Result> {
  const flow = batching ? { maxEntriesPerAppend: 256, maxInflight: 256 } : { maxEntriesPerAppend: 1, maxInflight: 1 };
  // 50 ms ticks: elections after 0.5-1 s, as a deployment would run (etcd: 100 ms, 1 s).
  const group = await LocalGroup.start(replicatedQueueMachine(BENCH_QUEUE), { ...flow, tickMs: 50 });
  try {
    while (group.leader() === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    let next = 0;
    let leaderChanges = 0;
    let measuring = false;
    let stop = false;
    const latencies: number[] = [];
    const loop = async (): Promise<void> => {
      while (!stop) {
        const leader = group.leader();
        if (leader === undefined) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          continue;
        }
        const began = performance.now();
        try {
          await leader.node.propose({ t: 'enqueue', id: `m${next++}`, client: 'bench', now: Date.now(), body: new Uint8Array(0) });
          if (measuring) latencies.push(performance.now() - began);
        } catch {
          leaderChanges++;
        }
      }
    };
    const loops = Array.from({ length: concurrency }, loop);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const syncsBefore = group.members.reduce((n, m) => n + m.keys.stats.syncs, 0);
    measuring = true;
    const began = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    measuring = false;
    const elapsed = (performance.now() - began) / 1000;
    const syncs = group.members.reduce((n, m) => n + m.keys.stats.syncs, 0) - syncsBefore;
    stop = true;
    await Promise.all(loops);
    latencies.sort((a, b) => a - b);
    return {
      batching: batching ? 'on' : 'off',
      commitsPerSecond: Math.round(latencies.length / elapsed),
      p50Ms: Number(percentile(latencies, 0.5).toFixed(2)),
      p99Ms: Number(percentile(latencies, 0.99).toFixed(2)),
      fsyncsPerCommit: Number((syncs / Math.max(1, latencies.length)).toFixed(3)),
      refused: leaderChanges,
    };
  } finally {
    await group.close();
  }
}

const { values } = parseArgs({ options: { seconds: { type: 'string' }, concurrency: { type: 'string' } } });
const seconds = Number(values.seconds ?? 5);
const concurrency = Number(values.concurrency ?? 64);
if (!(seconds > 0) || !Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write('bench:raft: --seconds must be > 0 and --concurrency a whole number >= 1\n');
  process.exit(2);
}
const results = [await measure(true, seconds, concurrency), await measure(false, seconds, concurrency)];
print(`3-member Raft group, one process, loopback TCP, LevelDB (fsync), ${concurrency} proposals outstanding, ${seconds} s each`);
console.table(results);
print(JSON.stringify(results));
