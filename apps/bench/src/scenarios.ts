/**
 * Every scenario, in the order they run and report; each is defined in scenarios/ and its
 * shape in scenario.ts. Workers find theirs here by name.
 */
import type { FlowScenario, Scenario } from './scenario.js';
import { cluster3Quorum, cluster3QuorumFixed2000, cluster3QuorumOnLeader } from './scenarios/cluster3.js';
import { publishDeep, publishEmpty } from './scenarios/deep-queue.js';
import { idleConnections } from './scenarios/idle-connections.js';
import { persistentConfirms, persistentRate, transient100, transient1k, transient64k } from './scenarios/one-to-one.js';
import { pathologicalTopic } from './scenarios/pathological-topic.js';
import { fanout, topic } from './scenarios/routing.js';

export const SCENARIOS: readonly Scenario[] = [
  transient100,
  persistentConfirms,
  fanout,
  topic,
  pathologicalTopic,
  transient1k,
  transient64k,
  persistentRate,
  idleConnections,
  publishEmpty,
  publishDeep,
  cluster3Quorum,
  cluster3QuorumFixed2000,
  cluster3QuorumOnLeader,
];

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (scenario === undefined) throw new Error(`unknown scenario '${name}'; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return scenario;
}

/** For the flow workers, which have no use for any other kind. */
export function findFlowScenario(name: string): FlowScenario {
  const scenario = findScenario(name);
  if (scenario.kind !== 'flow') throw new Error(`scenario '${name}' is not a producer/consumer scenario`);
  return scenario;
}
