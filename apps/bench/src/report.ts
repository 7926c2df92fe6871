/**
 * The comparison as people read it: one line per broker per scenario with the same columns for
 * both (RabbitMQ's from docs/performance.md, marked so, where it was not run), the ratio and target
 * on Warren's line, a detail table that explains a number (a producer far ahead of its consumer
 * is a backing-up queue), the deep-queue line, and what went wrong. JSON is results-json.ts's job.
 */
import { DEEP_QUEUE_TARGET, type DeepQueueRow, type Row } from './comparison.js';
import type { RunResult } from './run-result.js';

const DASH = '—';
/**
 * Other work above this (% of one core) during a window makes its numbers suspect. Not zero:
 * loopback TCP is processed in the kernel (softirq), which no benchmark process is charged for.
 */
const BUSY_MACHINE_PERCENT = 50;
const LABEL = { warren: 'Warren', rabbitmq: 'RabbitMQ', 'ws-relay': 'ws relay' } as const;
const RATIO_LABEL = { 'msgs/s': 'msgs/s', p99: 'p99', 'KB/connection': 'KB/conn' } as const;

export function formatReport(rows: readonly Row[], deep: DeepQueueRow | undefined): string {
  const main = table(
    ['scenario', 'broker', 'msgs/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'peak RSS MB', 'KB/conn', 'broker CPU %', 'msgs/CPU-s', 'other CPU %', 'Warren/RabbitMQ', 'target'],
    rows.flatMap((row) => {
      const name = row.scenario.name + (row.scenario.kind === 'flow' && row.scenario.unit === 'deliveries/s' ? ' (deliveries/s)' : '');
      const ratio = row.ratio === undefined ? DASH : `${row.ratio.toFixed(2)}× ${RATIO_LABEL[row.scenario.ratioOf]}`;
      const target = row.scenario.target === undefined ? DASH : `≥ ${row.scenario.target}×${row.meetsTarget === undefined ? '' : row.meetsTarget ? ' ✓' : ' ✗'}`;
      const lines: string[][] = [];
      if (row.warren !== undefined) lines.push([name, 'Warren', ...figures(row.warren.median), ratio, target]);
      if (row.rabbitmq !== undefined) lines.push([lines.length === 0 ? name : '', 'RabbitMQ', ...figures(row.rabbitmq.median), '', '']);
      else if (row.reference !== undefined) {
        const { rate, p50, p99 } = row.reference;
        lines.push(['', 'RabbitMQ (performance.md)', count(rate), ms(p50), ms(p99), DASH, DASH, DASH, DASH, DASH, DASH, '', '']);
      }
      if (row.wsRelay !== undefined) {
        const share = row.ofWsRelay === undefined ? DASH : `Warren ${(row.ofWsRelay * 100).toFixed(0)}% of it`;
        lines.push(['', 'ws relay (probe)', ...figures(row.wsRelay.median), share, '']);
      }
      return lines;
    }),
  );
  const detail = table(
    ['scenario', 'broker', 'published/s', 'published ÷ consumed', 'failed publishes', 'latency max ms', 'prefill s', 'producer CPU %', 'consumer CPU %', 'broker warnings', 'runs (msgs/s or figure)'],
    rows.flatMap((row) =>
      [row.warren, row.rabbitmq, row.wsRelay].flatMap((side) => {
        if (side === undefined) return [];
        const r = side.median;
        return [
          [
            r.scenario,
            LABEL[r.broker],
            count(r.publishedRate),
            fixed(r.publishedOverConsumed, 3),
            r.failedPublishes === undefined ? DASH : String(r.failedPublishes),
            ms(r.latencyMs?.max),
            fixed(r.prefillSeconds, 0),
            fixed(r.producerCpuPercent, 0),
            fixed(r.consumerCpuPercent, 0),
            String(r.warnings),
            side.runs.map((run) => (run.error !== undefined ? 'failed' : row.scenario.ratioOf === 'msgs/s' ? count(run.rate) : row.scenario.ratioOf === 'p99' ? ms(run.latencyMs?.p99) : fixed(run.kbPerConnection, 1))).join(' / '),
          ],
        ];
      }),
    ),
  );
  const notes: string[] = rows.flatMap((row) =>
    row.checks.map((check) => `${row.scenario.name}: ${check.name}: ${check.detail}${check.met === undefined ? '' : check.met ? ' ✓' : ' ✗'}`),
  );
  if (deep !== undefined) {
    const verdict = deep.meetsTarget === undefined ? '' : deep.meetsTarget ? ' ✓' : ' ✗';
    notes.push(
      `Deep-queue publishing (${deep.name}): Warren ${percent(deep.warren)}, RabbitMQ ${percent(deep.rabbitmq)} of their empty-queue rate` +
        ` (target: Warren ≥ ${DEEP_QUEUE_TARGET * 100}%${verdict})${deep.ratio === undefined ? '' : `; Warren/RabbitMQ ${deep.ratio.toFixed(2)}×`}`,
    );
  }
  notes.push(...rows.flatMap((row) => [row.warren, row.rabbitmq].flatMap((side) => (side === undefined ? [] : nodesNote(side.median)))));
  const problems = rows.flatMap((row) => [...busyNote(row), ...[row.warren, row.rabbitmq, row.wsRelay].flatMap((side) => (side === undefined ? [] : side.runs.flatMap(problemsOf)))]);
  return [
    main,
    '',
    'Ratio: how many times better Warren is (msgs/s: Warren ÷ RabbitMQ; p99 and KB/conn: RabbitMQ ÷ Warren). Figures are from each broker\'s median run.',
    'msgs/CPU-s: the scenario\'s messages per second of broker CPU time (RabbitMQ: its whole process group), a figure that holds under load.',
    ...notes,
    '',
    'Details (CPU % is of one core; published > msgs/s means the queue was backing up):',
    detail,
    ...(problems.length > 0 ? ['', ...problems] : []),
  ].join('\n');
}

function figures(r: RunResult): string[] {
  return [
    r.error !== undefined ? 'FAILED' : count(r.rate),
    ms(r.latencyMs?.p50),
    ms(r.latencyMs?.p99),
    ms(r.latencyMs?.p999),
    fixed(r.peakRssMb, 0),
    fixed(r.kbPerConnection, 1),
    fixed(r.cpuPercent, 0),
    count(r.msgsPerCpuSecond),
    fixed(r.otherCpuPercent, 0),
  ];
}

/** A cluster's median run: each node's CPU, and where the clients were. */
export function nodesNote(r: RunResult): string[] {
  if (r.nodes === undefined) return [];
  const { cpuPercent, producer, consumer } = r.nodes;
  const nodes = cpuPercent.map((percent, i) => {
    const roles = [...(i === producer ? ['leader, producer'] : []), ...(i === consumer ? ['consumer'] : [])];
    return `node ${i + 1}${roles.length === 0 ? '' : ` (${roles.join(', ')})`} ${percent.toFixed(0)}%`;
  });
  return [`${r.scenario} (${LABEL[r.broker]}): broker CPU per node, % of one core: ${nodes.join(', ')}`];
}

function problemsOf(r: RunResult): string[] {
  const who = `${r.scenario} (${r.broker})`;
  return [...(r.error === undefined ? [] : [`${who} FAILED: ${r.error}`]), ...r.firstWarnings.map((line) => `${who} broker warning: ${line}`)];
}

/** One line per scenario whose windows other processes disturbed, with the range per broker. */
function busyNote(row: Row): string[] {
  const ranges = [row.warren, row.rabbitmq, row.wsRelay].flatMap((side) => {
    const busy = (side?.runs ?? []).map((run) => run.otherCpuPercent ?? 0).filter((percent) => percent > BUSY_MACHINE_PERCENT);
    if (side === undefined || busy.length === 0) return [];
    const label = LABEL[side.median.broker];
    const [low, high] = [Math.min(...busy).toFixed(0), Math.max(...busy).toFixed(0)];
    return [`${low === high ? low : `${low}–${high}`}% in ${busy.length} of ${side.runs.length} ${label} run${side.runs.length === 1 ? '' : 's'}`];
  });
  return ranges.length === 0 ? [] : [`${row.scenario.name}: other processes used ${ranges.join(', ')} (% of one core): those numbers understate the broker`];
}

/** A Markdown pipe table, padded so it also reads well in a terminal; numbers align right. */
function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[], numeric: boolean): string =>
    `| ${cells.map((cell, i) => (numeric && i > 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i <= 1 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
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

function percent(value: number | undefined): string {
  return value === undefined ? DASH : `${(value * 100).toFixed(0)}%`;
}
