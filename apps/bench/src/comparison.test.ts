import { describe, expect, it } from 'vitest';
import { buildRows, deepQueueRow } from './comparison.js';
import type { RunResult } from './run-result.js';
import type { BrokerName } from './scenario.js';
import { publishDeep, publishEmpty } from './scenarios/deep-queue.js';
import { idleConnections } from './scenarios/idle-connections.js';
import { persistentRate, transient100 } from './scenarios/one-to-one.js';

function run(scenario: string, broker: BrokerName, figures: Partial<RunResult>): RunResult {
  return { scenario, broker, warnings: 0, firstWarnings: [], ...figures };
}

function latency(p99: number): RunResult['latencyMs'] {
  return { count: 1, samples: 1, p50: p99 / 2, p99, p999: p99, max: p99 };
}

describe('buildRows', () => {
  it('turns every ratio so that higher means Warren is better', () => {
    const rows = buildRows(
      [transient100, persistentRate, idleConnections],
      [
        run(transient100.name, 'warren', { rate: 300 }),
        run(transient100.name, 'rabbitmq', { rate: 100 }),
        run(persistentRate.name, 'warren', { rate: 5000, latencyMs: latency(2) }),
        run(persistentRate.name, 'rabbitmq', { rate: 5000, latencyMs: latency(6) }),
        run(idleConnections.name, 'warren', { kbPerConnection: 25 }),
        run(idleConnections.name, 'rabbitmq', { kbPerConnection: 100 }),
      ],
    );
    expect(rows.map((row) => row.ratio)).toEqual([3, 3, 4]);
    expect(rows.map((row) => row.meetsTarget)).toEqual([true, true, undefined]);
  });

  it('reports the median run of each broker and keeps every run', () => {
    const [row] = buildRows(
      [transient100],
      [10, 30, 20].flatMap((rate) => [run(transient100.name, 'warren', { rate }), run(transient100.name, 'rabbitmq', { rate: rate * 2 })]),
    );
    expect(row?.warren?.median.rate).toBe(20);
    expect(row?.rabbitmq?.median.rate).toBe(40);
    expect(row?.warren?.runs).toHaveLength(3);
    expect(row?.ratio).toBe(0.5);
    expect(row?.meetsTarget).toBe(false);
  });

  it("falls back to performance.md's figures where RabbitMQ did not run", () => {
    const [row] = buildRows([transient100], [run(transient100.name, 'warren', { rate: 133_800 })]);
    expect(row?.rabbitmq).toBeUndefined();
    expect(row?.reference?.rate).toBe(66_900);
    expect(row?.ratio).toBe(2);
  });

  it('has no ratio when a side failed', () => {
    const [row] = buildRows([transient100], [run(transient100.name, 'warren', { error: 'boom' }), run(transient100.name, 'rabbitmq', { rate: 1 })]);
    expect(row?.ratio).toBeUndefined();
  });
});

describe('deepQueueRow', () => {
  it("gives each broker's deep-queue rate as a fraction of its empty-queue rate", () => {
    const rows = buildRows(
      [publishEmpty, publishDeep],
      [
        run(publishEmpty.name, 'warren', { rate: 1000 }),
        run(publishDeep.name, 'warren', { rate: 900 }),
        run(publishEmpty.name, 'rabbitmq', { rate: 1000 }),
        run(publishDeep.name, 'rabbitmq', { rate: 600 }),
      ],
    );
    const deep = deepQueueRow(rows);
    expect(deep?.warren).toBeCloseTo(0.9);
    expect(deep?.rabbitmq).toBeCloseTo(0.6);
    expect(deep?.ratio).toBeCloseTo(1.5);
    expect(deep?.meetsTarget).toBe(true);
  });

  it('is absent unless both scenarios ran', () => {
    expect(deepQueueRow(buildRows([publishDeep], [run(publishDeep.name, 'warren', { rate: 1 })]))).toBeUndefined();
  });
});
