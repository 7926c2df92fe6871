/**
 * The report: a Jepsen-style summary (every fault kind with its count and worst stalls, then
 * the totals and the verdict) for people, and the same as JSON for machines.
 */
import { byKind, STALL_BOUND_MS, type Verdict } from './check.js';

export interface RunInfo {
  readonly seed: number;
  readonly minutes: number;
  readonly nodes: number;
  readonly queues: readonly string[];
  readonly rate: number;
  readonly logDir: string;
  /** How busy the machine was (all its processes, ours and others'), to tell load from stalls. */
  readonly machine: { cores: number; cpuBusy: number | undefined };
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const percent = (share: number | undefined): string => (share === undefined ? '—' : `${Math.round(share * 100)}%`);
const pad = (text: string | number, width: number): string => String(text).padStart(width);

export function formatSummary(info: RunInfo, verdict: Verdict): string {
  const lines: string[] = [];
  lines.push(`faults: ${info.nodes} nodes, ${info.queues.length} replicated queues, ${info.rate} publishes/s, seed ${info.seed}, ${info.minutes} min`);
  lines.push('');
  lines.push(`${'fault'.padEnd(20)}${pad('count', 6)}${pad('publish stall', 15)}${pad('delivery stall', 16)}${pad('recovery', 11)}${pad('cpu busy', 10)}${pad('loop lag', 10)}`);
  for (const [kind, row] of byKind(verdict.faults)) {
    lines.push(`${kind.padEnd(20)}${pad(row.count, 6)}${pad(s(row.publishStall), 15)}${pad(s(row.deliveryStall), 16)}${pad(s(row.recovery), 11)}${pad(percent(row.cpuBusy), 10)}${pad(s(row.loopLagMs), 10)}`);
  }
  const base = verdict.baseline;
  lines.push(`${'(no fault)'.padEnd(20)}${pad('', 6)}${pad(s(base.publishStall.ms), 15)}${pad(s(base.deliveryStall.ms), 16)}`);
  lines.push(`stall: the longest time one queue went without a confirm / a delivery, from a fault to the next one (bound ${s(STALL_BOUND_MS)});`);
  lines.push('recovery: from the heal until every node is ready and every queue led with all members online;');
  lines.push('cpu busy: the share of all cores busy (every process on the machine) in the worst window of that kind;');
  lines.push("loop lag: how late the suite's own event loop ran at worst (a starved machine delays the nodes alike).");
  lines.push('');
  const t = verdict.totals;
  lines.push(`publishes   attempted ${t.attempted}, confirmed ${t.confirmed}, nacked ${t.nacked}, failed ${t.failed}, never settled ${t.open}`);
  lines.push(`deliveries  ${t.deliveries} of ${t.delivered} messages: duplicates ${t.duplicates}, redelivered ${t.redelivered}, unconfirmed but delivered ${t.unconfirmedDelivered}`);
  lines.push(`lost        ${t.lost}${verdict.lostIds.length > 0 ? ` (${verdict.lostIds.slice(0, 10).join(' ')}${verdict.lostIds.length > 10 ? ' …' : ''})` : ''}`);
  lines.push(`unexpected  ${t.unexpected}${verdict.unexpectedIds.length > 0 ? ` (${verdict.unexpectedIds.slice(0, 10).join(' ')})` : ''}`);
  lines.push(`machine     ${info.machine.cores} cores, ${percent(info.machine.cpuBusy)} busy on average during the run`);
  lines.push('');
  if (verdict.valid) lines.push('Everything looks good! ヽ(‘ー`)ノ');
  else {
    lines.push('Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻');
    for (const problem of verdict.problems) lines.push(`  - ${problem}`);
    for (const fault of verdict.faults) {
      if (fault.publishStall.ms < STALL_BOUND_MS && fault.deliveryStall.ms < STALL_BOUND_MS && fault.recovered !== undefined) continue;
      lines.push('');
      lines.push(`${fault.kind} at ${s(fault.start)}: ${fault.target}; healed at ${s(fault.healed)}, whole at ${fault.recovered === undefined ? 'never' : s(fault.recovered)}; the suite's event loop was up to ${fault.loopLagMs} ms late`);
      for (const change of fault.leaders) lines.push(`  ${change}`);
    }
    lines.push(`node logs: ${info.logDir}`);
  }
  return lines.join('\n');
}

export function summaryJson(info: RunInfo, verdict: Verdict): unknown {
  return {
    ...info,
    valid: verdict.valid,
    problems: verdict.problems,
    totals: verdict.totals,
    stallBoundMs: STALL_BOUND_MS,
    byKind: Object.fromEntries(byKind(verdict.faults)),
    baseline: verdict.baseline,
    faults: verdict.faults,
    lostIds: verdict.lostIds,
    unexpectedIds: verdict.unexpectedIds,
  };
}
