/**
 * What one run of one scenario against one broker yields, and the settings it ran with. Filled
 * in by run-flow.ts or run-connections.ts; compared by comparison.ts; printed by report.ts.
 */
import type { LatencySummary } from './latency.js';
import type { BrokerName } from './scenario.js';

export interface Timing {
  warmupMs: number;
  durationMs: number;
}

export interface RunSettings {
  timing: Timing;
  /** --quick: the small prefill and connection counts. */
  quick: boolean;
}

export interface RunResult {
  scenario: string;
  broker: BrokerName;
  /**
   * The scenario's msgs/s: consumed (deliveries/s across all consumers for fanout) where it has
   * consumers, completed publishes where it has none. Absent when the run failed.
   */
  rate?: number;
  /** Publishes completed per second during the window (confirmed, or written where no confirms are asked for): above `rate` means the queue was backing up. */
  publishedRate?: number;
  /**
   * publishedRate ÷ rate where both count messages (not where `rate` counts deliveries to
   * several queues): above 1, the queue grew during the window.
   */
  publishedOverConsumed?: number;
  failedPublishes?: number;
  latencyMs?: LatencySummary;
  /** Seconds the producer took to prefill the queue, where the scenario prefills. */
  prefillSeconds?: number;
  /** Connections held open, for the connections scenario. */
  connections?: number;
  /** Broker RSS growth per connection in KB (1 KB = 1,024 bytes), for the connections scenario. */
  kbPerConnection?: number;
  peakRssMb?: number;
  /** Broker user + system CPU time during the window, as % of one core (it can exceed 100). */
  cpuPercent?: number;
  /**
   * The scenario's messages (msgs/s × window) per second of broker CPU time in the window: what
   * one message costs the broker, a figure that holds across machines and under load.
   */
  msgsPerCpuSecond?: number;
  /**
   * A cluster's nodes, in node order: each one's CPU during the window (% of one core), and
   * which of them the producer and the consumer were connected to.
   */
  nodes?: { cpuPercent: number[]; producer: number; consumer: number };
  producerCpuPercent?: number;
  consumerCpuPercent?: number;
  /**
   * CPU the rest of the machine used during the window (% of one core): everything busy minus
   * the broker and the workers. Well above zero means other work competed for the cores.
   */
  otherCpuPercent?: number;
  /** Broker log lines at warning level or above up to the end of the window (not the shutdown's). */
  warnings: number;
  firstWarnings: readonly string[];
  error?: string;
}

/** Copies the broker's warnings so far into the result: called when the window closes, or on failure. */
export function noteWarnings(result: RunResult, broker: { warningCount: number; firstWarnings: readonly string[] }): void {
  result.warnings = broker.warningCount;
  result.firstWarnings = [...broker.firstWarnings];
}
