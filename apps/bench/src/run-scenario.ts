/**
 * One run of one scenario against one broker: a fresh broker process (so no run inherits
 * another's memory or queues), the scenario's own procedure (run-flow.ts or run-connections.ts),
 * then the broker stopped and its peak RSS collected. Never throws: a failure
 * becomes the result's `error`, so the other scenarios still run.
 */
import type { Broker, RunningBroker } from './broker.js';
import { noteWarnings, type RunResult, type RunSettings } from './run-result.js';
import { runConnections } from './run-connections.js';
import { runFlow } from './run-flow.js';
import type { Scenario } from './scenario.js';
import { track, untrack } from './started-processes.js';

export async function runScenario(broker: Broker, scenario: Scenario, settings: RunSettings): Promise<RunResult> {
  const result: RunResult = { scenario: scenario.name, broker: broker.name, warnings: 0, firstWarnings: [] };
  let running: RunningBroker | undefined;
  try {
    running = track(await broker.start(scenario.kind === 'flow' ? (scenario.nodes ?? 1) : 1));
    if (scenario.kind === 'flow') await runFlow(broker, running, scenario, settings, result);
    else await runConnections(broker, running, scenario, settings, result);
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    if (running !== undefined) noteWarnings(result, running);
  } finally {
    if (running !== undefined) {
      await running.stop();
      untrack(running);
      if (running.peakRssBytes > 0) result.peakRssMb = running.peakRssBytes / (1024 * 1024);
    }
  }
  return result;
}
