/**
 * The scenarios, as data: what the producer publishes, what the consumers consume and how, the
 * topology that connects them, and RabbitMQ's number for the same scenario on this machine
 * (/work/shared/performance.md: 3.10.8, amqplib clients, medians of 3 runs). Running them is
 * run-scenario.ts's job; the workers read their part from here by scenario name.
 */
import type { Client } from '@warren/client';

export interface Baseline {
  /** Consumed msgs/s (deliveries/s for fanout). */
  rate: number;
  /** End-to-end latency in ms; absent where RabbitMQ's queue backs up and latency only grows. */
  p50?: number;
  p99?: number;
}

export interface Scenario {
  name: string;
  summary: string;
  unit: 'msgs/s' | 'deliveries/s';
  bodyBytes: number;
  exchange: string;
  routingKey: string;
  persistent: boolean;
  /**
   * Most unresolved publish() promises the producer keeps. Where the scenario says "unbounded",
   * it equals the broker's default publish window, which the client also enforces: the window
   * alone limits the producer, and no publish waits in the client's queue with its timestamp
   * already taken (that wait would show up as latency the broker did not cause).
   */
  maxInFlight: number;
  /** One consumer, on its own connection, per queue. */
  queues: readonly string[];
  noAck: boolean;
  /** Unacked deliveries per consumer; meaningless with noAck, where it is sent as 0 (no limit). */
  prefetch: number;
  declare(client: Client): Promise<void>;
  rabbitmq: Baseline;
}

const BODY_BYTES = 100;
/** packages/server's default publish_window; the bench always starts the broker with defaults. */
const UNBOUNDED_IN_FLIGHT = 4096;

const transientQueue = 'bench.transient';
const durableQueue = 'bench.persistent';
const fanoutExchange = 'bench.fanout';
const fanoutQueues = Array.from({ length: 10 }, (_, i) => `bench.fanout.${i}`);

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'transient-1-1',
    summary: 'non-durable queue, transient messages, unbounded producer, 1 consumer with auto-ack',
    unit: 'msgs/s',
    bodyBytes: BODY_BYTES,
    exchange: '',
    routingKey: transientQueue,
    persistent: false,
    maxInFlight: UNBOUNDED_IN_FLIGHT,
    queues: [transientQueue],
    noAck: true,
    prefetch: 0,
    async declare(client) {
      await client.declareQueue(transientQueue, { durable: false, autoDelete: false, exclusive: false });
    },
    rabbitmq: { rate: 66_900 },
  },
  {
    name: 'persistent-confirms',
    summary: 'durable queue, persistent messages, confirms with 1,000 in flight, 1 consumer with manual ack, prefetch 200',
    unit: 'msgs/s',
    bodyBytes: BODY_BYTES,
    exchange: '',
    routingKey: durableQueue,
    persistent: true,
    maxInFlight: 1_000,
    queues: [durableQueue],
    noAck: false,
    prefetch: 200,
    async declare(client) {
      await client.declareQueue(durableQueue, { durable: true, autoDelete: false, exclusive: false });
    },
    rabbitmq: { rate: 27_500, p50: 21.5, p99: 43.6 },
  },
  {
    name: 'fanout-1-10',
    summary: 'fanout exchange to 10 non-durable queues, transient messages, unbounded producer, 10 consumers with auto-ack',
    unit: 'deliveries/s',
    bodyBytes: BODY_BYTES,
    exchange: fanoutExchange,
    routingKey: '',
    persistent: false,
    maxInFlight: UNBOUNDED_IN_FLIGHT,
    queues: fanoutQueues,
    noAck: true,
    prefetch: 0,
    async declare(client) {
      await client.declareExchange(fanoutExchange, 'fanout', { durable: false });
      for (const queue of fanoutQueues) {
        await client.declareQueue(queue, { durable: false, autoDelete: false, exclusive: false });
        await client.bind(queue, fanoutExchange, '');
      }
    },
    rabbitmq: { rate: 104_000 },
  },
];

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (scenario === undefined) throw new Error(`unknown scenario '${name}'; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return scenario;
}
