/**
 * One run of the fault suite: start the cluster (behind the nemesis's proxies), declare the
 * replicated queues, start the clients, let the nemesis work for its time, heal everything,
 * let every publish settle, drain every queue, stop, and judge the history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@warren/client';
import { check, type Verdict } from './check.js';
import { queueView, waitHealthy } from './cluster-view.js';
import { History } from './history.js';
import { MachineLoad } from './machine.js';
import { healAll, Nemesis } from './nemesis.js';
import { Nodes } from './nodes.js';
import type { RunInfo } from './summary.js';
import { Workload } from './workload.js';

export interface RunOptions {
  readonly minutes: number;
  readonly seed: number;
  readonly nodes: number;
  readonly queues: number;
  readonly rate: number;
  /** Keep the node logs and data even when the run is valid. */
  readonly keep: boolean;
}

const STARTUP_MS = 60_000;
const RECOVERY_MS = 60_000;
const SETTLE_MS = 30_000;
const DRAIN_MS = 60_000;

/** Resolves once every confirmed message was delivered and every queue is empty on every node. */
async function drain(nodes: Nodes, history: History, queues: readonly string[]): Promise<boolean> {
  const deadline = Date.now() + DRAIN_MS;
  while (Date.now() < deadline) {
    const delivered = new Set(history.deliveries.map((d) => d.id));
    const waiting = [...history.publishes.values()].some((p) => p.outcome === 'confirmed' && !delivered.has(p.id));
    if (!waiting) {
      const views = await Promise.all(queues.flatMap((q) => nodes.ids.map((id) => queueView(nodes, id, q))));
      if (views.every((v) => v !== undefined && v.messages === 0 && v.messages_unacknowledged === 0)) return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

export async function runFaults(options: RunOptions, log: (line: string) => void): Promise<{ info: RunInfo; verdict: Verdict }> {
  const dir = mkdtempSync(join(tmpdir(), 'warren-faults-'));
  const queues = Array.from({ length: options.queues }, (_, i) => `faults.q${i + 1}`);
  log(`starting ${options.nodes} nodes in ${dir}`);
  const nodes = await Nodes.start(options.nodes, dir);
  const killNow = (): void => nodes.killNow();
  process.once('exit', killNow);
  let verdict: Verdict | undefined;
  let machine: MachineLoad | undefined;
  try {
    const urls = nodes.ids.map((id) => nodes.url(id));
    const setup = await connect(urls, { name: 'faults-setup' });
    for (const queue of queues) await setup.declareQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await setup.close();
    const ready = await waitHealthy(nodes, queues, STARTUP_MS);
    if (!ready.ok) throw new Error(`the cluster did not form: ${ready.why}`);

    const history = new History();
    machine = new MachineLoad(() => history.now());
    const workload = await Workload.start({ urls, queues, rate: options.rate, prefetch: 50 }, history);
    log(`clients running: ${2 * urls.length * queues.length} producers (${options.rate} publishes/s in all), ${2 * urls.length} consumers; nemesis seed ${options.seed}`);
    // A few quiet seconds first: the baseline the faults are compared with.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const nemesis = new Nemesis(nodes, history, { seed: options.seed, queues, hold: [3_000, 8_000], quiet: [2_000, 4_000], recoveryMs: RECOVERY_MS }, log);
    await nemesis.run(history.now() + options.minutes * 60_000);

    log('healing everything');
    await healAll(nodes);
    const last = nemesis.faults.at(-1);
    const healthy = await waitHealthy(nodes, queues, RECOVERY_MS);
    if (last !== undefined && last.recovered === undefined && healthy.ok) last.recovered = history.now();
    if (last !== undefined) last.end = Math.max(last.end, history.now());
    await workload.stopPublishing(SETTLE_MS);
    log(`publishing stopped (${history.open} publishes still open); draining`);
    const drained = await drain(nodes, history, queues);
    await workload.close();
    log(`drained: ${drained}; ${workload.consumerRestarts} consumer restarts, ${workload.skipped} publish turns skipped`);
    verdict = check(history, queues, nemesis.faults, drained, (from, to) => machine!.busy(from, to));
    const info: RunInfo = {
      seed: options.seed,
      minutes: options.minutes,
      nodes: options.nodes,
      queues,
      rate: options.rate,
      logDir: nodes.logDir,
      machine: { cores: machine.cores, cpuBusy: machine.busy(0, history.now()) },
    };
    return { info, verdict };
  } finally {
    machine?.stop();
    await nodes.stopAll();
    process.off('exit', killNow);
    if (verdict?.valid === true && !options.keep) rmSync(dir, { recursive: true, force: true });
  }
}
