/**
 * The seam between the orchestrator and a broker under test: how to start one (a process of its
 * own, on free ports, with a fresh data directory), declare a scenario's topology on it, and which
 * worker scripts speak its protocol. warren/warren-broker.ts and rabbit/rabbit-broker.ts
 * implement it; run-scenario.ts only ever sees this.
 */
import type { Usage } from './resource-sampler.js';
import type { BrokerName, Topology } from './scenario.js';

export type WorkerRole = 'producer' | 'consumer' | 'connections';

export interface RunningBroker {
  /** What the workers connect to: the first node's URL where there are several. */
  readonly url: string;
  /** Every node's URL, in node order (one for a single node). */
  readonly urls: readonly string[];
  readonly running: boolean;
  /** Largest resident memory seen since start, in bytes (0 where /proc is unavailable). */
  readonly peakRssBytes: number;
  /** Log lines at warning level or above seen after ready; the first few are kept. */
  readonly warningCount: number;
  readonly firstWarnings: readonly string[];
  /** Resident memory and CPU seconds so far, summed over every node; the caller takes deltas. */
  usage(): Promise<Usage | undefined>;
  /** A cluster's usage node by node, in `urls` order. */
  nodeUsages?(): Promise<ReadonlyArray<Usage | undefined>>;
  /** Stops every process it started and removes its data directory. */
  stop(): Promise<void>;
  /** Last resort when the orchestrator itself is exiting: synchronous, best effort. */
  killNow(): void;
}

export interface Broker {
  readonly name: BrokerName;
  /** As the report prints it. */
  readonly label: string;
  /** `nodes` above 1: a cluster of that many nodes on this host; throws where the broker has none. */
  start(nodes: number): Promise<RunningBroker>;
  declare(url: string, topology: Topology): Promise<void>;
  /**
   * Which of `running.urls` leads replicated queue `queue`, once its leader is settled; clusters
   * only. A broker without replication has no such method.
   */
  leaderOf?(running: RunningBroker, queue: string): Promise<number>;
  /** Absolute path of the built worker script for this role. */
  workerScript(role: WorkerRole): string;
}
