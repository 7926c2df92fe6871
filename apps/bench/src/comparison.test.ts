import { describe, expect, it } from 'vitest';
import { buildRows, deepQueueRow } from './comparison.js';
import type { RunResult } from './run-result.js';
import type { BrokerName } from './scenario.js';
import { publishDeep, publishEmpty } from './scenarios/deep-queue.js';
import { idleConnections } from './scenarios/idle-connections.js';
import { persistentConfirms, persistentRate, transient100, transient64k } from './scenarios/one-to-one.js';

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

  it("checks issue 25's conditions: a queue that grows, a p99 above RabbitMQ's or too little of the relay probe fails the target", () => {
    const persistent = (published: number, p99: number): RunResult[] => [
      run(persistentConfirms.name, 'warren', { rate: 60_000, publishedRate: published, publishedOverConsumed: published / 60_000, latencyMs: latency(p99) }),
      run(persistentConfirms.name, 'rabbitmq', { rate: 30_000, latencyMs: latency(40) }),
    ];
    const [kept] = buildRows([persistentConfirms], persistent(62_000, 35));
    expect(kept?.checks.map((check) => check.met)).toEqual([true, true]);
    expect(kept?.meetsTarget).toBe(true);
    const [grew] = buildRows([persistentConfirms], persistent(66_000, 35));
    expect(grew?.checks.map((check) => check.met)).toEqual([false, true]);
    expect(grew?.meetsTarget).toBe(false);
    const [late] = buildRows([persistentConfirms], persistent(60_000, 45));
    expect(late?.checks.map((check) => check.met)).toEqual([true, false]);
    expect(late?.meetsTarget).toBe(false);

    const large = (warren: number): RunResult[] => [
      run(transient64k.name, 'warren', { rate: warren }),
      run(transient64k.name, 'rabbitmq', { rate: 5_000 }),
      run(transient64k.name, 'ws-relay', { rate: 10_000 }),
    ];
    const [near] = buildRows([transient64k], large(7_500));
    expect([near?.ofWsRelay, near?.checks[0]?.met, near?.meetsTarget]).toEqual([0.75, true, true]);
    const [far] = buildRows([transient64k], large(6_000));
    expect([far?.ratio, far?.checks[0]?.met, far?.meetsTarget]).toEqual([1.2, false, false]);
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
