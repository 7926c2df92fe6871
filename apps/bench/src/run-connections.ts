/**
 * The idle-connections scenario on a started broker: the broker's RSS once it has settled, then
 * a worker that opens the connections and holds them, the broker's RSS again after a hold
 * (so what the connections cost has been allocated and a garbage collector has had a chance to
 * run), and the difference divided by the connections opened. The broker's CPU is taken over
 * the hold: what idle connections cost it (heartbeats, timers).
 */
import type { Broker, RunningBroker } from './broker.js';
import type { ConnectionsResult } from './ipc.js';
import { readMachineBusySeconds } from './proc-stats.js';
import { noteWarnings, type RunResult, type RunSettings } from './run-result.js';
import type { ConnectionsScenario } from './scenario.js';
import { track, untrack } from './started-processes.js';
import { READY_TIMEOUT_MS, WorkerProcess } from './worker-process.js';

const SETTLE_MS = 1_000;
/** The hold is the measured duration, capped: idle connections change little after a few seconds. */
const MAX_HOLD_MS = 3_000;
const OPEN_MS_PER_CONNECTION = 30;

export async function runConnections(broker: Broker, running: RunningBroker, scenario: ConnectionsScenario, settings: RunSettings, result: RunResult): Promise<void> {
  const count = settings.quick ? scenario.connections.quick : scenario.connections.full;
  await sleep(SETTLE_MS);
  const idle = await running.usage();
  const worker = track(new WorkerProcess<ConnectionsResult>('connections', broker.workerScript('connections'), { url: running.url, scenario: scenario.name, prefill: 0, connections: count }));
  try {
    await worker.waitReady(READY_TIMEOUT_MS + count * OPEN_MS_PER_CONNECTION);
    worker.command({ type: 'measure' });
    const [before, machineBefore] = await Promise.all([running.usage(), readMachineBusySeconds()]);
    const startedAt = performance.now();
    await sleep(Math.min(settings.timing.durationMs, MAX_HOLD_MS));
    const [after, machineAfter] = await Promise.all([running.usage(), readMachineBusySeconds()]);
    const seconds = (performance.now() - startedAt) / 1000;
    if (!running.running) throw new Error('the broker exited while holding the connections');
    noteWarnings(result, running);
    const held = await worker.stop();
    result.connections = held.opened;
    if (idle !== undefined && after !== undefined && held.opened > 0) result.kbPerConnection = (after.rssBytes - idle.rssBytes) / 1024 / held.opened;
    if (before !== undefined && after !== undefined) result.cpuPercent = (100 * (after.cpuSeconds - before.cpuSeconds)) / seconds;
    if (machineBefore !== undefined && machineAfter !== undefined && result.cpuPercent !== undefined) {
      result.otherCpuPercent = Math.max(0, (100 * (machineAfter - machineBefore)) / seconds - result.cpuPercent - held.cpuPercent);
    }
  } finally {
    await worker.dispose();
    untrack(worker);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
