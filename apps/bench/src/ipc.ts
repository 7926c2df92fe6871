/**
 * What the orchestrator (run-flow.ts, run-connections.ts) and its worker processes (the producer,
 * consumer and connections scripts in warren/ and rabbit/) say to each other over the
 * child_process IPC channel, and the worker's side of it. The orchestrator owns the clock: workers run until told
 * `measure`, count until told `stop`, then send one `result`.
 */
import type { LatencySummary } from './latency.js';
import type { MeasureWindow } from './measure-window.js';

/** Given to a worker as its one argument, as JSON. */
export interface WorkerConfig {
  url: string;
  scenario: string;
  /** Messages the producer publishes, all confirmed, before it reports ready (0: none). */
  prefill: number;
  /** Connections the connections worker opens. */
  connections: number;
}

export type Command = { type: 'measure' } | { type: 'stop' };

export interface WindowStats {
  /** Length of the measured window, in seconds, by the worker's own clock. */
  seconds: number;
  /** CPU time the worker used during the window, as % of one core. */
  cpuPercent: number;
}

export interface ProducerResult extends WindowStats {
  role: 'producer';
  /** Publishes completed during the window: confirmed, or written where the pace asks for no confirms. */
  published: number;
  /** Publishes nacked or failed, over the whole run. */
  failed: number;
}

export interface ConsumerResult extends WindowStats {
  role: 'consumer';
  /** Deliveries received during the window, across all of the worker's consumers. */
  delivered: number;
  latency: LatencySummary;
}

export interface ConnectionsResult extends WindowStats {
  role: 'connections';
  /** Connections open when the worker reported ready. */
  opened: number;
}

export type WorkerResult = ProducerResult | ConsumerResult | ConnectionsResult;

export type WorkerReport =
  | { type: 'ready' }
  | { type: 'result'; result: WorkerResult }
  | { type: 'failed'; message: string };

/** Runs a worker's body: parses its config, reports a crash to the orchestrator, and never outlives it. */
export function runWorker(body: (config: WorkerConfig, onCommand: (handler: (command: Command) => void) => void) => Promise<void>): void {
  // The orchestrator going away closes the channel; a worker left behind would skew the next run.
  process.on('disconnect', () => process.exit(1));
  const fail = (error: unknown): void => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    void send({ type: 'failed', message }).finally(() => process.exit(1));
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  try {
    const config = JSON.parse(process.argv[2] ?? '') as WorkerConfig;
    body(config, (handler) => process.on('message', (command) => handler(command as Command))).catch(fail);
  } catch (error) {
    fail(error);
  }
}

/** Resolves once the message is handed to the channel, so a process.exit() after it loses nothing. */
export function send(report: WorkerReport): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) return resolve();
    process.send(report, undefined, {}, () => resolve());
  });
}

/** The usual answer to the orchestrator: open the window on `measure`; on `stop`, close it, send `result()` and exit. */
export function answerCommands(onCommand: (handler: (command: Command) => void) => void, window: MeasureWindow, result: () => WorkerResult): void {
  onCommand((command) => {
    if (command.type === 'measure') window.start();
    if (command.type === 'stop') {
      window.stop();
      void send({ type: 'result', result: result() }).then(() => process.exit(0));
    }
  });
}
