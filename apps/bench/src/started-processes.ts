/**
 * Every process the orchestrator has started and not yet stopped (brokers and workers), so that
 * an orchestrator that is interrupted or fails can still kill them by their PID or process group.
 */

interface Killable {
  killNow(): void;
}

const live = new Set<Killable>();

export function track<T extends Killable>(started: T): T {
  live.add(started);
  return started;
}

export function untrack(stopped: Killable): void {
  live.delete(stopped);
}

/** Synchronous, for process 'exit' and signal handlers. */
export function killStarted(): void {
  for (const started of live) started.killNow();
  live.clear();
}
