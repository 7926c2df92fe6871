/**
 * What a scenario is, as data both brokers' workers read: the topology, how the producer paces
 * itself, who consumes, what the Warren / RabbitMQ ratio compares and the issue's target for it.
 * The scenarios themselves are in scenarios/; running one is run-scenario.ts's job.
 */
import type { Placement } from './client-placement.js';

/** `ws-relay`: the plain WebSocket relay probe (relay/), a ceiling rather than a competitor. */
export type BrokerName = 'warren' | 'rabbitmq' | 'ws-relay';

/**
 * Declared over a short setup connection before the workers start. A queue is a classic one
 * unless it says `quorum`: replicated on three nodes (`x-queue-type: quorum` on both brokers).
 */
export interface Topology {
  exchanges: ReadonlyArray<{ name: string; type: 'fanout' | 'topic' | 'direct'; durable: boolean }>;
  queues: ReadonlyArray<{ name: string; durable: boolean; type?: 'quorum' }>;
  bindings: ReadonlyArray<{ queue: string; exchange: string; routingKey: string }>;
}

/**
 * How the producer paces itself. Warren confirms every publish, so with Warren every pace keeps
 * at most `inFlight` publishes unconfirmed. With RabbitMQ, `unbounded` publishes without confirms
 * as fast as the socket takes them (amqplib's `drain`), as docs/performance.md measured it.
 */
export type Pace =
  /** Warren: its default publish window (4096) unconfirmed; RabbitMQ: no confirms. */
  | { kind: 'unbounded' }
  /** Confirms on both brokers, at most `inFlight` unconfirmed. */
  | { kind: 'confirms'; inFlight: number }
  /** Confirms on both, `perSecond` publishes a second, at most `inFlight` unconfirmed. */
  | { kind: 'rate'; perSecond: number; inFlight: number };

/** RabbitMQ's figures on this machine from docs/performance.md, shown when RabbitMQ is not run. */
export interface Reference {
  rate?: number;
  p50?: number;
  p99?: number;
}

/** Producer → broker → consumers: messages per second and end-to-end latency. */
export interface FlowScenario {
  kind: 'flow';
  name: string;
  summary: string;
  unit: 'msgs/s' | 'deliveries/s';
  bodyBytes: number;
  exchange: string;
  /** The producer cycles through these, one per publish. */
  routingKeys: readonly string[];
  persistent: boolean;
  pace: Pace;
  /**
   * Nodes in the broker's cluster (default 1). With more, the producer connects to the node that
   * leads the scenario's first queue and the consumer to the next one, or to the leader too with
   * `placement: 'leader'` (client-placement.ts).
   */
  nodes?: number;
  placement?: Placement;
  /** One connection and one consumer per queue, all in one worker process; absent: nobody consumes. */
  consume?: { queues: readonly string[]; noAck: boolean; prefetch: number };
  /** Messages published and confirmed before the warm-up, for a full run and for --quick. */
  prefill?: { full: number; quick: number };
  topology: Topology;
  /** What the ratio compares: msgs/s (higher is better) or p99 latency (lower is better). */
  ratioOf: 'msgs/s' | 'p99';
  /** The target for the ratio, if it sets one. */
  target?: number;
  reference?: Reference;
  /**
   * Issue 25's further conditions on Warren's median run: its published and consumed rates
   * differ by at most this fraction of the consumed rate (the queue does not grow), its p99 is
   * at most RabbitMQ's, and its rate is at least this fraction of the `ws` relay probe's, which
   * then runs in the same run as a third "broker".
   */
  checks?: { balance?: number; p99AtMostRabbitmq?: boolean; ofWsRelay?: number };
}

/** Idle connections held open by one worker: the broker's resident memory per connection. */
export interface ConnectionsScenario {
  kind: 'connections';
  name: string;
  summary: string;
  connections: { full: number; quick: number };
  ratioOf: 'KB/connection';
  target?: number;
  reference?: Reference;
}

export type Scenario = FlowScenario | ConnectionsScenario;

/** packages/server's default publish_window; the bench always starts Warren with defaults. */
export const WARREN_PUBLISH_WINDOW = 4096;

/** Most unconfirmed publishes the producer keeps against `broker`; Infinity means none are confirmed. */
export function inFlightLimit(pace: Pace, broker: BrokerName): number {
  if (pace.kind !== 'unbounded') return pace.inFlight;
  return broker === 'warren' ? WARREN_PUBLISH_WINDOW : Number.POSITIVE_INFINITY;
}
