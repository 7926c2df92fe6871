/**
 * A producer/consumer scenario on a started broker: the topology declared, the consumer worker
 * (if the scenario has consumers) and then the producer worker forked (the producer prefills
 * the queue first where the scenario asks), a warm-up, then the measured window, during which
 * the broker's and the machine's CPU time are taken; then both workers' results collected and
 * the workers stopped. Starting and stopping the broker is run-scenario.ts's job.
 */
import type { Broker, RunningBroker } from './broker.js';
import { placeClients, type ClientUrls } from './client-placement.js';
import type { ConsumerResult, ProducerResult, WorkerConfig } from './ipc.js';
import { readMachineBusySeconds } from './proc-stats.js';
import { cpuPercentPerNode } from './resource-sampler.js';
import { noteWarnings, type RunResult, type RunSettings } from './run-result.js';
import type { FlowScenario } from './scenario.js';
import { track, untrack } from './started-processes.js';
import { READY_TIMEOUT_MS, WorkerProcess } from './worker-process.js';

/** Time allowed per prefilled message before the producer counts as stuck: 2,000 msgs/s at worst. */
const PREFILL_MS_PER_MESSAGE = 0.5;

export async function runFlow(broker: Broker, running: RunningBroker, scenario: FlowScenario, settings: RunSettings, result: RunResult): Promise<void> {
  await broker.declare(running.url, scenario.topology);
  const urls = await clientUrls(broker, running, scenario);
  const prefill = scenario.prefill === undefined ? 0 : settings.quick ? scenario.prefill.quick : scenario.prefill.full;
  const workers: Array<WorkerProcess<ProducerResult | ConsumerResult>> = [];
  const fork = <R extends ProducerResult | ConsumerResult>(role: 'producer' | 'consumer'): WorkerProcess<R> => {
    const config: WorkerConfig = { url: urls[role], scenario: scenario.name, prefill, connections: 0 };
    const worker = track(new WorkerProcess<R>(role, broker.workerScript(role), config));
    workers.push(worker);
    return worker;
  };
  try {
    const consumer = scenario.consume === undefined ? undefined : fork<ConsumerResult>('consumer');
    await consumer?.waitReady();
    const prefillStarted = performance.now();
    const producer = fork<ProducerResult>('producer');
    await producer.waitReady(READY_TIMEOUT_MS + prefill * PREFILL_MS_PER_MESSAGE);
    if (prefill > 0) result.prefillSeconds = (performance.now() - prefillStarted) / 1000;

    await sleep(settings.timing.warmupMs);
    consumer?.command({ type: 'measure' });
    producer.command({ type: 'measure' });
    const [before, machineBefore, nodesBefore] = await Promise.all([running.usage(), readMachineBusySeconds(), running.nodeUsages?.()]);
    const startedAt = performance.now();
    await sleep(settings.timing.durationMs);
    const [after, machineAfter, nodesAfter] = await Promise.all([running.usage(), readMachineBusySeconds(), running.nodeUsages?.()]);
    const seconds = (performance.now() - startedAt) / 1000;
    if (!running.running) throw new Error('the broker exited during the measured window');
    // Workers exit without closing their connections, which RabbitMQ logs as warnings: not the run's.
    noteWarnings(result, running);

    const [consumed, produced] = await Promise.all([consumer?.stop(), producer.stop()]);
    result.publishedRate = produced.seconds > 0 ? produced.published / produced.seconds : 0;
    result.failedPublishes = produced.failed;
    result.producerCpuPercent = produced.cpuPercent;
    if (consumed === undefined) {
      result.rate = result.publishedRate;
    } else {
      result.rate = consumed.seconds > 0 ? consumed.delivered / consumed.seconds : 0;
      result.latencyMs = consumed.latency;
      if (scenario.unit === 'msgs/s' && result.rate > 0) result.publishedOverConsumed = result.publishedRate / result.rate;
      result.consumerCpuPercent = consumed.cpuPercent;
    }
    const perNode = nodesBefore === undefined || nodesAfter === undefined ? undefined : cpuPercentPerNode(nodesBefore, nodesAfter, seconds);
    if (perNode !== undefined) result.nodes = { cpuPercent: perNode, producer: urls.producerNode, consumer: urls.consumerNode };
    if (before !== undefined && after !== undefined) {
      const cpuSeconds = after.cpuSeconds - before.cpuSeconds;
      result.cpuPercent = (100 * cpuSeconds) / seconds;
      if (cpuSeconds > 0 && result.rate !== undefined) result.msgsPerCpuSecond = (result.rate * seconds) / cpuSeconds;
    }
    if (machineBefore !== undefined && machineAfter !== undefined && result.cpuPercent !== undefined) {
      const machine = (100 * (machineAfter - machineBefore)) / seconds;
      const ours = result.cpuPercent + produced.cpuPercent + (consumed?.cpuPercent ?? 0);
      result.otherCpuPercent = Math.max(0, machine - ours);
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.dispose().then(() => untrack(worker))));
  }
}

/** On a cluster, the producer on the queue's leader and the consumer on the next node (client-placement.ts). */
async function clientUrls(broker: Broker, running: RunningBroker, scenario: FlowScenario): Promise<ClientUrls> {
  const queue = scenario.topology.queues[0]?.name;
  if (running.urls.length <= 1 || broker.leaderOf === undefined || queue === undefined) return placeClients([running.url], 0);
  return placeClients(running.urls, await broker.leaderOf(running, queue), scenario.placement);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
