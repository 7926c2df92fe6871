/**
 * From runs to rows: per scenario and broker the median run, the ratio Warren / RabbitMQ turned
 * so that higher is better in every row (msgs/s: Warren's over RabbitMQ's; p99 and memory per
 * connection: RabbitMQ's over Warren's), whether the target is met, and the derived
 * deep-queue row. Printing is report.ts's job, JSON results-json.ts's.
 */
import { medianRun } from './median-run.js';
import type { RunResult } from './run-result.js';
import type { BrokerName, FlowScenario, Reference, Scenario } from './scenario.js';
import { publishDeep, publishEmpty } from './scenarios/deep-queue.js';

export interface Side {
  median: RunResult;
  runs: RunResult[];
}

/** One of a scenario's further conditions (scenario.ts `checks`); `met` undefined where a figure is missing. */
export interface Check {
  name: string;
  met?: boolean;
  /** The figures compared, as the report prints them. */
  detail: string;
}

export interface Row {
  scenario: Scenario;
  warren?: Side;
  rabbitmq?: Side;
  /** The plain `ws` relay probe, where the scenario asks for it. */
  wsRelay?: Side;
  /** Warren's rate as a fraction of the relay probe's. */
  ofWsRelay?: number;
  checks: Check[];
  /** RabbitMQ's figures from docs/performance.md, used where RabbitMQ was not run. */
  reference?: Reference;
  ratio?: number;
  meetsTarget?: boolean;
}

/** The target: deep-queue publishing at least 80% of the empty-queue rate. */
export const DEEP_QUEUE_TARGET = 0.8;

export interface DeepQueueRow {
  name: string;
  /** Each broker's deep-queue rate as a fraction of its own empty-queue rate. */
  warren?: number;
  rabbitmq?: number;
  ratio?: number;
  /** Warren's fraction against DEEP_QUEUE_TARGET. */
  meetsTarget?: boolean;
}

export type RatioOf = Scenario['ratioOf'];

export function higherIsBetter(kind: RatioOf): boolean {
  return kind === 'msgs/s';
}

/** The figure a scenario's ratio compares, for one run. */
export function figureOf(kind: RatioOf, run: RunResult): number | undefined {
  const value = kind === 'msgs/s' ? run.rate : kind === 'p99' ? run.latencyMs?.p99 : run.kbPerConnection;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function referenceFigure(kind: RatioOf, reference: Reference | undefined): number | undefined {
  return kind === 'msgs/s' ? reference?.rate : kind === 'p99' ? reference?.p99 : undefined;
}

/** How many times better Warren is; undefined where either figure is missing or zero. */
export function timesBetter(kind: RatioOf, warren: number | undefined, rabbitmq: number | undefined): number | undefined {
  if (warren === undefined || rabbitmq === undefined || warren <= 0 || rabbitmq <= 0) return undefined;
  return higherIsBetter(kind) ? warren / rabbitmq : rabbitmq / warren;
}

export function buildRows(scenarios: readonly Scenario[], runs: readonly RunResult[]): Row[] {
  return scenarios.map((scenario) => {
    const side = (broker: BrokerName): Side | undefined => {
      const mine = runs.filter((run) => run.scenario === scenario.name && run.broker === broker);
      if (mine.length === 0) return undefined;
      return { median: medianRun(mine, (run) => figureOf(scenario.ratioOf, run), higherIsBetter(scenario.ratioOf)), runs: mine };
    };
    const row: Row = { scenario, checks: [] };
    const warren = side('warren');
    const rabbitmq = side('rabbitmq');
    const relay = side('ws-relay');
    if (warren !== undefined) row.warren = warren;
    if (rabbitmq !== undefined) row.rabbitmq = rabbitmq;
    if (relay !== undefined) row.wsRelay = relay;
    else if (scenario.reference !== undefined) row.reference = scenario.reference;
    const theirs = rabbitmq === undefined ? referenceFigure(scenario.ratioOf, scenario.reference) : figureOf(scenario.ratioOf, rabbitmq.median);
    const ratio = timesBetter(scenario.ratioOf, warren === undefined ? undefined : figureOf(scenario.ratioOf, warren.median), theirs);
    if (ratio !== undefined) {
      row.ratio = ratio;
      if (scenario.target !== undefined) row.meetsTarget = ratio >= scenario.target;
    }
    if (scenario.kind === 'flow') addChecks(row, scenario.checks);
    if (row.meetsTarget === true && row.checks.some((check) => check.met === false)) row.meetsTarget = false;
    return row;
  });
}

/** Published over consumed, minus one: how fast the queue grew, relative to what was delivered. */
export function growthOf(run: RunResult): number | undefined {
  return run.publishedOverConsumed === undefined ? undefined : run.publishedOverConsumed - 1;
}

function addChecks(row: Row, checks: FlowScenario['checks']): void {
  if (checks === undefined) return;
  const warren = row.warren?.median;
  if (checks.balance !== undefined) {
    const growth = warren === undefined ? undefined : growthOf(warren);
    row.checks.push({
      name: `published within ${checks.balance * 100}% of consumed`,
      ...(growth === undefined ? {} : { met: Math.abs(growth) <= checks.balance }),
      detail: growth === undefined ? '—' : `${(growth * 100).toFixed(1)}%`,
    });
  }
  if (checks.p99AtMostRabbitmq === true) {
    const ours = warren?.latencyMs?.p99;
    const theirs = row.rabbitmq?.median.latencyMs?.p99 ?? row.reference?.p99;
    row.checks.push({
      name: 'p99 at most RabbitMQ\'s',
      ...(ours === undefined || theirs === undefined ? {} : { met: ours <= theirs }),
      detail: ours === undefined || theirs === undefined ? '—' : `${ours.toFixed(1)} ms against ${theirs.toFixed(1)} ms`,
    });
  }
  if (checks.ofWsRelay !== undefined) {
    const relay = row.wsRelay?.median.rate;
    if (warren?.rate !== undefined && relay !== undefined && relay > 0) row.ofWsRelay = warren.rate / relay;
    row.checks.push({
      name: `at least ${checks.ofWsRelay * 100}% of the ws relay probe`,
      ...(row.ofWsRelay === undefined ? {} : { met: row.ofWsRelay >= checks.ofWsRelay }),
      detail: row.ofWsRelay === undefined ? '—' : `${(row.ofWsRelay * 100).toFixed(0)}% (relay ${Math.round(relay!).toLocaleString('en-US')} msgs/s)`,
    });
  }
}

/** Present when both deep-queue scenarios ran. */
export function deepQueueRow(rows: readonly Row[]): DeepQueueRow | undefined {
  const empty = rows.find((row) => row.scenario.name === publishEmpty.name);
  const deep = rows.find((row) => row.scenario.name === publishDeep.name);
  if (empty === undefined || deep === undefined) return undefined;
  const fraction = (broker: 'warren' | 'rabbitmq'): number | undefined => {
    const d = deep[broker]?.median.rate;
    const e = empty[broker]?.median.rate;
    return d === undefined || e === undefined || e <= 0 ? undefined : d / e;
  };
  const row: DeepQueueRow = { name: `${publishDeep.name} ÷ ${publishEmpty.name}` };
  const warren = fraction('warren');
  const rabbitmq = fraction('rabbitmq');
  if (warren !== undefined) {
    row.warren = warren;
    row.meetsTarget = warren >= DEEP_QUEUE_TARGET;
  }
  if (rabbitmq !== undefined) row.rabbitmq = rabbitmq;
  const ratio = timesBetter('msgs/s', warren, rabbitmq);
  if (ratio !== undefined) row.ratio = ratio;
  return row;
}
