/**
 * One producer, one queue, one consumer: transient at three body sizes, persistent with
 * confirms and manual ack, and persistent at a fixed rate for latency.
 */
import type { FlowScenario } from '../scenario.js';

const transientQueue = 'bench.transient';
const durableQueue = 'bench.persistent';

function transient(name: string, bodyBytes: number, rate: number, target: number, checks?: FlowScenario['checks']): FlowScenario {
  return {
    kind: 'flow',
    name,
    summary: `non-durable queue, transient ${bodyBytes.toLocaleString('en-US')} B messages, unbounded producer, 1 consumer with auto-ack`,
    unit: 'msgs/s',
    bodyBytes,
    exchange: '',
    routingKeys: [transientQueue],
    persistent: false,
    pace: { kind: 'unbounded' },
    consume: { queues: [transientQueue], noAck: true, prefetch: 0 },
    topology: { exchanges: [], queues: [{ name: transientQueue, durable: false }], bindings: [] },
    ratioOf: 'msgs/s',
    target,
    reference: { rate },
    ...(checks === undefined ? {} : { checks }),
  };
}

function persistent(
  name: string,
  summary: string,
  pace: FlowScenario['pace'],
  ratioOf: FlowScenario['ratioOf'],
  target: number,
  reference: FlowScenario['reference'],
  checks?: FlowScenario['checks'],
): FlowScenario {
  return {
    kind: 'flow',
    name,
    summary,
    unit: 'msgs/s',
    bodyBytes: 100,
    exchange: '',
    routingKeys: [durableQueue],
    persistent: true,
    pace,
    consume: { queues: [durableQueue], noAck: false, prefetch: 200 },
    topology: { exchanges: [], queues: [{ name: durableQueue, durable: true }], bindings: [] },
    ratioOf,
    target,
    reference,
    ...(checks === undefined ? {} : { checks }),
  };
}

// "At least 3× on transient 1→1"; 1 KB counts as a throughput scenario (2×); 64 KB is bounded by
// the machine's loopback copies (README), so issue 25 asks for RabbitMQ's rate and 70% of a bare
// WebSocket hop measured in the same run.
export const transient100: FlowScenario = transient('transient-1-1', 100, 66_900, 3);
export const transient1k: FlowScenario = transient('transient-1kb', 1024, 42_600, 2);
export const transient64k: FlowScenario = transient('transient-64kb', 64 * 1024, 7_200, 1, { ofWsRelay: 0.7 });

export const persistentConfirms: FlowScenario = persistent(
  'persistent-confirms',
  'durable queue, persistent messages, confirms with 1,000 in flight, 1 consumer with manual ack, prefetch 200',
  { kind: 'confirms', inFlight: 1_000 },
  'msgs/s',
  2,
  { rate: 27_500, p50: 21.5, p99: 43.6 },
  // Issue 25: a queue whose consumer keeps up does not grow, and delivers as fast as RabbitMQ's.
  { balance: 0.05, p99AtMostRabbitmq: true },
);

/** "At the fixed rate, p99 lower than RabbitMQ's": the ratio is RabbitMQ's p99 over Warren's. */
export const persistentRate: FlowScenario = persistent(
  'persistent-5000-per-s',
  'durable queue, persistent messages, confirms, a producer paced at 5,000 msgs/s (latency), manual ack, prefetch 200',
  { kind: 'rate', perSecond: 5_000, inFlight: 1_000 },
  'p99',
  1,
  { rate: 5_000, p50: 0.81, p99: 2.53 },
);
