/**
 * The results as people and tools read them: a table with RabbitMQ's numbers for the same
 * scenarios beside Warren's (as ratios, since absolute numbers drift from run to run), a detail
 * table that explains a number (a producer far ahead of its consumer is a backing-up queue), and
 * the same data as JSON.
 */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import type { ScenarioResult, Timing } from './run-scenario.js';

const DASH = '—';
/**
 * Other work above this (% of one core) during a window makes its numbers suspect. Not zero:
 * loopback TCP is processed in the kernel (softirq), which no benchmark process is charged for.
 */
const BUSY_MACHINE_PERCENT = 50;

export function formatReport(results: readonly ScenarioResult[]): string {
  const main = table(
    ['scenario', 'msgs/s', 'p50 ms', 'p99 ms', 'broker peak RSS MB', 'broker CPU %', 'RabbitMQ msgs/s', 'Warren/RabbitMQ', 'RabbitMQ p50 / p99 ms'],
    results.map((r) => [
      r.scenario + (r.unit === 'deliveries/s' ? ' (deliveries/s)' : ''),
      count(r.rate),
      ms(r.latencyMs?.p50),
      ms(r.latencyMs?.p99),
      fixed(r.broker.peakRssMb, 0),
      fixed(r.broker.cpuPercent, 0),
      count(r.rabbitmq.rate),
      r.rate === undefined ? DASH : `${(r.rate / r.rabbitmq.rate).toFixed(2)}×`,
      r.rabbitmq.p50 === undefined ? '(queue backs up)' : `${r.rabbitmq.p50} / ${r.rabbitmq.p99 ?? DASH}`,
    ]),
  );
  const detail = table(
    ['scenario', 'confirmed publishes/s', 'failed publishes', 'latency max ms', 'producer CPU %', 'consumer CPU %', 'other processes CPU %', 'broker warnings'],
    results.map((r) => [
      r.scenario,
      count(r.confirmedRate),
      r.failedPublishes === undefined ? DASH : String(r.failedPublishes),
      ms(r.latencyMs?.max),
      fixed(r.producerCpuPercent, 0),
      fixed(r.consumerCpuPercent, 0),
      fixed(r.otherCpuPercent, 0),
      String(r.broker.warnings),
    ]),
  );
  const problems = results.flatMap((r) => [
    ...(r.error === undefined ? [] : [`${r.scenario} FAILED: ${r.error}`]),
    ...((r.otherCpuPercent ?? 0) > BUSY_MACHINE_PERCENT
      ? [`${r.scenario}: other processes used ${r.otherCpuPercent?.toFixed(0)}% CPU during the window; its numbers understate Warren`]
      : []),
    ...r.broker.firstWarnings.map((line) => `${r.scenario} broker warning: ${line}`),
  ]);
  return [main, '', 'Details (CPU % is of one core; confirmed > consumed means the queue was backing up):', detail, ...(problems.length > 0 ? ['', ...problems] : [])].join('\n');
}

/** `results` has the reported (median) run per scenario; `runs` every run, in order. */
export async function writeJson(file: string, results: readonly ScenarioResult[], runs: readonly ScenarioResult[], timing: Timing): Promise<void> {
  const document = {
    date: new Date().toISOString(),
    node: process.version,
    machine: { platform: process.platform, arch: process.arch, cpus: cpus().length, model: cpus()[0]?.model },
    timing,
    results: results.map((r) => ({ ...r, ratioToRabbitmq: r.rate === undefined ? undefined : r.rate / r.rabbitmq.rate })),
    runs,
  };
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
}

/** A Markdown pipe table, padded so it also reads well in a terminal; numbers align right. */
function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[], numeric: boolean): string =>
    `| ${cells.map((cell, i) => (numeric && i > 0 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header, false), rule, ...rows.map((row) => line(row, true))].join('\n');
}

function count(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? DASH : Math.round(value).toLocaleString('en-US');
}

function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return DASH;
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? DASH : value.toFixed(digits);
}
