/**
 * One scenario, start to finish: a fresh broker, the topology declared over a short-lived setup
 * connection, the consumer worker, then the producer worker; a warm-up, then the measured
 * window, during which the broker's CPU time is taken; then results collected and every process
 * this run started stopped by its PID. Presenting the numbers is report.ts's job.
 */
import WebSocket from 'ws';
import { connect } from '@warren/client';
import { BrokerProcess } from './broker-process.js';
import { readMachineBusySeconds } from './proc-stats.js';
import type { ConsumerResult, ProducerResult, WorkerConfig } from './ipc.js';
import type { LatencySummary } from './latency.js';
import type { Baseline, Scenario } from './scenarios.js';
import { WorkerProcess } from './worker-process.js';

export interface Timing {
  warmupMs: number;
  durationMs: number;
}

export interface ScenarioResult {
  scenario: string;
  unit: Scenario['unit'];
  /** Consumed msgs/s (deliveries/s across all consumers for fanout); absent when the run failed. */
  rate?: number;
  latencyMs?: LatencySummary;
  /** Publishes confirmed per second during the window: above `rate` means the queue was backing up. */
  confirmedRate?: number;
  failedPublishes?: number;
  broker: { peakRssMb?: number; cpuPercent?: number; warnings: number; firstWarnings: string[] };
  producerCpuPercent?: number;
  consumerCpuPercent?: number;
  /**
   * CPU the rest of the machine used during the window (% of one core): everything busy minus
   * the broker and the workers. Well above zero means other work competed for the cores.
   */
  otherCpuPercent?: number;
  rabbitmq: Baseline;
  error?: string;
}

/** Everything started and not yet stopped, so an interrupted orchestrator can still kill it. */
const live = new Set<{ killNow(): void }>();

/** Synchronous, for process 'exit' and signal handlers. */
export function killStarted(): void {
  for (const process of live) process.killNow();
  live.clear();
}

export async function runScenario(scenario: Scenario, timing: Timing): Promise<ScenarioResult> {
  const result: ScenarioResult = {
    scenario: scenario.name,
    unit: scenario.unit,
    broker: { warnings: 0, firstWarnings: [] },
    rabbitmq: scenario.rabbitmq,
  };
  const broker = await BrokerProcess.start();
  live.add(broker);
  const workers: Array<WorkerProcess<ProducerResult | ConsumerResult>> = [];
  try {
    const setup = await connect(broker.url, { WebSocket, name: 'bench-setup' });
    await scenario.declare(setup);
    await setup.close();

    const config: WorkerConfig = { url: broker.url, scenario: scenario.name };
    const consumer = start(new WorkerProcess<ConsumerResult>('consumer', config), workers);
    await consumer.waitReady();
    const producer = start(new WorkerProcess<ProducerResult>('producer', config), workers);
    await producer.waitReady();

    await sleep(timing.warmupMs);
    consumer.command({ type: 'measure' });
    producer.command({ type: 'measure' });
    const [cpuBefore, machineBefore] = await Promise.all([broker.cpuSeconds(), readMachineBusySeconds()]);
    const startedAt = performance.now();
    await sleep(timing.durationMs);
    const [cpuAfter, machineAfter] = await Promise.all([broker.cpuSeconds(), readMachineBusySeconds()]);
    const seconds = (performance.now() - startedAt) / 1000;
    if (!broker.running) throw new Error('the broker exited during the measured window');

    const [consumed, produced] = await Promise.all([consumer.stop(), producer.stop()]);
    result.rate = consumed.seconds > 0 ? consumed.delivered / consumed.seconds : 0;
    result.latencyMs = consumed.latency;
    result.consumerCpuPercent = consumed.cpuPercent;
    result.confirmedRate = produced.seconds > 0 ? produced.confirmed / produced.seconds : 0;
    result.failedPublishes = produced.failed;
    result.producerCpuPercent = produced.cpuPercent;
    if (cpuBefore !== undefined && cpuAfter !== undefined) result.broker.cpuPercent = (100 * (cpuAfter - cpuBefore)) / seconds;
    if (machineBefore !== undefined && machineAfter !== undefined && result.broker.cpuPercent !== undefined) {
      const machine = (100 * (machineAfter - machineBefore)) / seconds;
      result.otherCpuPercent = Math.max(0, machine - result.broker.cpuPercent - consumed.cpuPercent - produced.cpuPercent);
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    await Promise.all(workers.map((worker) => worker.dispose().then(() => live.delete(worker))));
    await broker.stop();
    live.delete(broker);
    if (broker.peakRssBytes > 0) result.broker.peakRssMb = broker.peakRssBytes / (1024 * 1024);
    result.broker.warnings = broker.warningCount;
    result.broker.firstWarnings = broker.firstWarnings;
  }
  return result;
}

function start<W extends WorkerProcess<ProducerResult | ConsumerResult>>(worker: W, workers: Array<WorkerProcess<ProducerResult | ConsumerResult>>): W {
  workers.push(worker);
  live.add(worker);
  return worker;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
