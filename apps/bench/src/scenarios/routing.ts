/**
 * Exchanges that route: a fanout to 10 queues, and a topic exchange with 1,000 bindings where
 * each message matches exactly one of them. Both transient, with an unbounded producer and one
 * auto-ack consumer per queue (one connection each, all in one consumer process).
 */
import type { FlowScenario } from '../scenario.js';

const fanoutExchange = 'bench.fanout';
const fanoutQueues = Array.from({ length: 10 }, (_, i) => `bench.fanout.${i}`);

export const fanout: FlowScenario = {
  kind: 'flow',
  name: 'fanout-1-10',
  summary: 'fanout exchange to 10 non-durable queues, transient messages, unbounded producer, 10 consumers with auto-ack',
  unit: 'deliveries/s',
  bodyBytes: 100,
  exchange: fanoutExchange,
  routingKeys: [''],
  persistent: false,
  pace: { kind: 'unbounded' },
  consume: { queues: fanoutQueues, noAck: true, prefetch: 0 },
  topology: {
    exchanges: [{ name: fanoutExchange, type: 'fanout', durable: false }],
    queues: fanoutQueues.map((name) => ({ name, durable: false })),
    bindings: fanoutQueues.map((queue) => ({ queue, exchange: fanoutExchange, routingKey: '' })),
  },
  ratioOf: 'msgs/s',
  target: 2,
  reference: { rate: 104_000 },
};

const BINDINGS = 1_000;
const topicExchange = 'bench.topic';
const topicQueues = Array.from({ length: 10 }, (_, i) => `bench.topic.${i}`);

/** Binding i is `t.<i>.*` to queue i mod 10; the producer publishes `t.<i>.x`, i round-robin, so each message matches one binding. */
export const topic: FlowScenario = {
  kind: 'flow',
  name: 'topic-1000-bindings',
  summary: 'topic exchange, 1,000 bindings `t.<i>.*` over 10 queues, keys `t.<i>.x` round-robin (one match each), transient, unbounded, 10 consumers with auto-ack',
  unit: 'msgs/s',
  bodyBytes: 100,
  exchange: topicExchange,
  routingKeys: Array.from({ length: BINDINGS }, (_, i) => `t.${i}.x`),
  persistent: false,
  pace: { kind: 'unbounded' },
  consume: { queues: topicQueues, noAck: true, prefetch: 0 },
  topology: {
    exchanges: [{ name: topicExchange, type: 'topic', durable: false }],
    queues: topicQueues.map((name) => ({ name, durable: false })),
    bindings: Array.from({ length: BINDINGS }, (_, i) => ({ queue: topicQueues[i % topicQueues.length] as string, exchange: topicExchange, routingKey: `t.${i}.*` })),
  },
  ratioOf: 'msgs/s',
  target: 2,
};
