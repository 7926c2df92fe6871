/**
 * Publishing into a queue that already holds 1,000,000 messages against publishing into an empty
 * one: persistent messages with confirms (1,000 in flight) into a durable queue nobody consumes.
 * The deep one is prefilled (confirmed) before the warm-up; --quick prefills 10,000. Comparing
 * the two rates (the target: deep ≥ 80% of empty) is comparison.ts's job.
 */
import type { FlowScenario } from '../scenario.js';

const queue = 'bench.backlog';

function publishOnly(name: string, summary: string, prefill?: FlowScenario['prefill']): FlowScenario {
  const scenario: FlowScenario = {
    kind: 'flow',
    name,
    summary,
    unit: 'msgs/s',
    bodyBytes: 100,
    exchange: '',
    routingKeys: [queue],
    persistent: true,
    pace: { kind: 'confirms', inFlight: 1_000 },
    topology: { exchanges: [], queues: [{ name: queue, durable: true }], bindings: [] },
    ratioOf: 'msgs/s',
    target: 2,
  };
  if (prefill !== undefined) scenario.prefill = prefill;
  return scenario;
}

export const publishEmpty: FlowScenario = publishOnly(
  'publish-empty-queue',
  'persistent messages with confirms (1,000 in flight) into an empty durable queue, no consumer: confirmed publishes/s',
);

export const publishDeep: FlowScenario = publishOnly(
  'publish-deep-queue',
  'the same into a durable queue already holding 1,000,000 persistent 100 B messages (prefilled first)',
  { full: 1_000_000, quick: 10_000 },
);
