/**
 * Three nodes, one quorum queue replicated on all three (issue 21, point 9): persistent
 * messages, publisher confirms with 1,000 in flight, one consumer with manual ack and prefetch
 * 200, as `persistent-confirms` on one node; at full speed and paced at 2,000 msgs/s for
 * latency. The producer connects to the queue's leader, the consumer to another node
 * (client-placement.ts), on both brokers; `cluster3-quorum-on-leader` measures it with both on
 * the leader.
 */
import type { FlowScenario } from '../scenario.js';

const quorumQueue = 'bench.quorum';

function cluster3(
  name: string,
  summary: string,
  pace: FlowScenario['pace'],
  ratioOf: FlowScenario['ratioOf'],
  target: number | undefined,
  extra: Pick<FlowScenario, 'checks' | 'placement'> = {},
): FlowScenario {
  return {
    kind: 'flow',
    name,
    summary,
    unit: 'msgs/s',
    bodyBytes: 100,
    exchange: '',
    routingKeys: [quorumQueue],
    persistent: true,
    pace,
    nodes: 3,
    consume: { queues: [quorumQueue], noAck: false, prefetch: 200 },
    topology: { exchanges: [], queues: [{ name: quorumQueue, durable: true, type: 'quorum' }], bindings: [] },
    ratioOf,
    ...(target === undefined ? {} : { target }),
    ...extra,
  };
}

/** "At least 2× RabbitMQ's throughput and a lower p99, in the same run." */
export const cluster3Quorum: FlowScenario = cluster3(
  'cluster3-quorum',
  '3 nodes, quorum queue on all 3, persistent, confirms with 1,000 in flight (producer on the leader), 1 consumer on another node with manual ack, prefetch 200',
  { kind: 'confirms', inFlight: 1_000 },
  'msgs/s',
  2,
  { checks: { p99AtMostRabbitmq: true } },
);

/** The other way round: the consumer on the leader too, so no delivery crosses nodes. No target: a comparison point. */
export const cluster3QuorumOnLeader: FlowScenario = cluster3(
  'cluster3-quorum-on-leader',
  'cluster3-quorum with the consumer on the leader\'s node too',
  { kind: 'confirms', inFlight: 1_000 },
  'msgs/s',
  undefined,
  { placement: 'leader' },
);

/** The same at a fixed 2,000 msgs/s: the ratio is RabbitMQ's p99 over Warren's. */
export const cluster3QuorumFixed2000: FlowScenario = cluster3(
  'cluster3-quorum-fixed-2000',
  '3 nodes, quorum queue on all 3, persistent, confirms, a producer paced at 2,000 msgs/s on the leader (latency), 1 consumer on another node with manual ack, prefetch 200',
  { kind: 'rate', perSecond: 2_000, inFlight: 1_000 },
  'p99',
  1,
);
