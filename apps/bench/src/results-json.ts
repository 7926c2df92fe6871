/**
 * The comparison as tools read it: a JSON array with one object per scenario (and one for the
 * deep-queue comparison), each with `name`, `ratio` (how many times better Warren is; higher is
 * better in every row) and every figure per broker: the median run's, and every run's. Default
 * path for --vs-rabbitmq: apps/bench/results/latest.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEEP_QUEUE_TARGET, type DeepQueueRow, type Row } from './comparison.js';
import type { RunResult } from './run-result.js';

export const LATEST_JSON = fileURLToPath(new URL('../results/latest.json', import.meta.url));

export async function writeResultsJson(file: string, rows: readonly Row[], deep: DeepQueueRow | undefined): Promise<void> {
  const document: unknown[] = rows.map((row) => ({
    name: row.scenario.name,
    summary: row.scenario.summary,
    ratio: row.ratio ?? null,
    ratioOf: row.scenario.ratioOf,
    target: row.scenario.target ?? null,
    meetsTarget: row.meetsTarget ?? null,
    checks: row.checks,
    ...(row.wsRelay === undefined ? {} : { warrenOfWsRelay: row.ofWsRelay ?? null, wsRelay: { ...figures(row.wsRelay.median), runs: row.wsRelay.runs.map(figures) } }),
    warren: row.warren === undefined ? null : { ...figures(row.warren.median), runs: row.warren.runs.map(figures) },
    rabbitmq:
      row.rabbitmq !== undefined
        ? { ...figures(row.rabbitmq.median), runs: row.rabbitmq.runs.map(figures) }
        : row.reference !== undefined
          ? { source: 'docs/performance.md', msgsPerSecond: row.reference.rate ?? null, p50Ms: row.reference.p50 ?? null, p99Ms: row.reference.p99 ?? null }
          : null,
  }));
  if (deep !== undefined) {
    document.push({
      name: deep.name,
      summary: 'deep-queue publish rate as a fraction of the same broker\'s empty-queue rate',
      ratio: deep.ratio ?? null,
      ratioOf: 'fraction',
      target: `Warren ≥ ${DEEP_QUEUE_TARGET}`,
      meetsTarget: deep.meetsTarget ?? null,
      warren: { fraction: deep.warren ?? null },
      rabbitmq: { fraction: deep.rabbitmq ?? null },
    });
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
}

function figures(r: RunResult): Record<string, unknown> {
  return {
    msgsPerSecond: r.rate,
    publishedPerSecond: r.publishedRate,
    publishedOverConsumed: r.publishedOverConsumed,
    msgsPerCpuSecond: r.msgsPerCpuSecond,
    p50Ms: r.latencyMs?.p50,
    p99Ms: r.latencyMs?.p99,
    p999Ms: r.latencyMs?.p999,
    maxMs: r.latencyMs?.max,
    latencySamples: r.latencyMs?.samples,
    peakRssMb: r.peakRssMb,
    kbPerConnection: r.kbPerConnection,
    connections: r.connections,
    cpuPercent: r.cpuPercent,
    producerCpuPercent: r.producerCpuPercent,
    consumerCpuPercent: r.consumerCpuPercent,
    otherCpuPercent: r.otherCpuPercent,
    nodes: r.nodes,
    prefillSeconds: r.prefillSeconds,
    failedPublishes: r.failedPublishes,
    warnings: r.warnings,
    error: r.error,
  };
}
