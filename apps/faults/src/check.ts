/**
 * The verdict on a history. Safety: lost (confirmed, never delivered) and unexpected (delivered,
 * never published, or from another queue than it was published to) must be none, and every
 * publish must have settled. Duplicates are counted (at-least-once allows them). Availability:
 * in each fault's window (from the fault to the next one) the longest time a queue went without
 * a confirm, and without a delivery, must stay under the bound; a queue is the unit users
 * wait on, so the worst queue counts, not the cluster as a whole.
 */
import type { History } from './history.js';
import type { FaultKind } from './faults.js';
import type { FaultRecord } from './nemesis.js';

export const STALL_BOUND_MS = 5_000;

export interface Totals {
  attempted: number;
  confirmed: number;
  nacked: number;
  failed: number;
  open: number;
  deliveries: number;
  delivered: number;
  duplicates: number;
  redelivered: number;
  unconfirmedDelivered: number;
  lost: number;
  unexpected: number;
}

export interface Stall {
  /** ms. */
  readonly ms: number;
  readonly queue: string;
  /** When it began, ms since the run began. */
  readonly from: number;
}

export interface CheckedFault extends FaultRecord {
  readonly publishStall: Stall;
  readonly deliveryStall: Stall;
  /** Mean share of the machine's cores busy during the window (all processes), when known. */
  readonly cpuBusy: number | undefined;
}

export interface Verdict {
  readonly valid: boolean;
  readonly problems: string[];
  readonly totals: Totals;
  readonly faults: CheckedFault[];
  /** The same measure before the first fault: what the loaded machine gives with no fault. */
  readonly baseline: { publishStall: Stall; deliveryStall: Stall };
  readonly lostIds: string[];
  readonly unexpectedIds: string[];
}

/** The longest gap between `times` (sorted) inside [from, to], the window's edges included. */
function longestGap(times: readonly number[], from: number, to: number): { ms: number; from: number } {
  let best = { ms: 0, from };
  let last = from;
  for (const t of times) {
    if (t < from) continue;
    if (t > to) break;
    if (t - last > best.ms) best = { ms: t - last, from: last };
    last = t;
  }
  if (to - last > best.ms) best = { ms: to - last, from: last };
  return best;
}

function worstQueue(byQueue: ReadonlyMap<string, number[]>, from: number, to: number): Stall {
  let worst: Stall = { ms: 0, queue: '', from };
  for (const [queue, times] of byQueue) {
    const gap = longestGap(times, from, to);
    if (gap.ms > worst.ms) worst = { ...gap, queue };
  }
  return worst;
}

export function check(history: History, queues: readonly string[], faults: readonly FaultRecord[], drained: boolean, busy: (from: number, to: number) => number | undefined): Verdict {
  const confirms = new Map<string, number[]>(queues.map((q) => [q, []]));
  const deliveriesOf = new Map<string, number[]>(queues.map((q) => [q, []]));
  const totals: Totals = { attempted: 0, confirmed: 0, nacked: 0, failed: 0, open: 0, deliveries: 0, delivered: 0, duplicates: 0, redelivered: 0, unconfirmedDelivered: 0, lost: 0, unexpected: 0 };
  for (const publish of history.publishes.values()) {
    totals.attempted++;
    totals[publish.outcome]++;
    if (publish.outcome === 'confirmed') confirms.get(publish.queue)?.push(publish.settledAt!);
  }
  const seen = new Map<string, number>();
  const unexpectedIds: string[] = [];
  for (const delivery of history.deliveries) {
    totals.deliveries++;
    if (delivery.redelivered) totals.redelivered++;
    deliveriesOf.get(delivery.queue)?.push(delivery.at);
    const publish = history.publishes.get(delivery.id);
    if (publish === undefined || publish.queue !== delivery.queue) unexpectedIds.push(delivery.id);
    seen.set(delivery.id, (seen.get(delivery.id) ?? 0) + 1);
  }
  totals.delivered = seen.size;
  totals.duplicates = totals.deliveries - seen.size;
  totals.unexpected = unexpectedIds.length;
  const lostIds: string[] = [];
  for (const publish of history.publishes.values()) {
    if (publish.outcome === 'confirmed' && !seen.has(publish.id)) lostIds.push(publish.id);
    if (publish.outcome !== 'confirmed' && seen.has(publish.id)) totals.unconfirmedDelivered++;
  }
  totals.lost = lostIds.length;
  for (const times of [...confirms.values(), ...deliveriesOf.values()]) times.sort((a, b) => a - b);

  const checked = faults.map((fault) => ({
    ...fault,
    publishStall: worstQueue(confirms, fault.start, fault.end),
    deliveryStall: worstQueue(deliveriesOf, fault.start, fault.end),
    cpuBusy: busy(fault.start, fault.end),
  }));
  const firstFault = faults[0]?.start ?? history.now();
  // The first seconds are the clients starting; the baseline is the quiet time after them.
  const baseFrom = Math.min(2_000, firstFault);
  const baseline = { publishStall: worstQueue(confirms, baseFrom, firstFault), deliveryStall: worstQueue(deliveriesOf, baseFrom, firstFault) };

  const problems: string[] = [];
  if (totals.lost > 0) problems.push(`${totals.lost} confirmed messages were never delivered`);
  if (totals.unexpected > 0) problems.push(`${totals.unexpected} deliveries of messages never published to their queue`);
  if (totals.open > 0) problems.push(`${totals.open} publishes never settled`);
  if (!drained) problems.push('the queues were not drained');
  if (faults.length === 0) problems.push('no fault was run');
  for (const fault of checked) {
    const at = `${fault.kind} at ${(fault.start / 1000).toFixed(1)} s`;
    if (fault.recovered === undefined) problems.push(`${at}: the cluster did not recover (${fault.unhealthy ?? 'the run ended'})`);
    if (fault.publishStall.ms >= STALL_BOUND_MS) problems.push(`${at}: no publish to ${fault.publishStall.queue} confirmed for ${(fault.publishStall.ms / 1000).toFixed(1)} s`);
    if (fault.deliveryStall.ms >= STALL_BOUND_MS) problems.push(`${at}: nothing delivered from ${fault.deliveryStall.queue} for ${(fault.deliveryStall.ms / 1000).toFixed(1)} s`);
  }
  return { valid: problems.length === 0, problems, totals, faults: checked, baseline, lostIds, unexpectedIds };
}

/** Per kind: how many, and the worst stalls and recovery. */
export interface KindRow {
  count: number;
  publishStall: number;
  deliveryStall: number;
  recovery: number;
  /** The highest mean CPU busy share of its faults' windows. */
  cpuBusy: number | undefined;
  /** The suite's own event loop at its latest in any of its windows, ms. */
  loopLagMs: number;
}

export function byKind(faults: readonly CheckedFault[]): Map<FaultKind, KindRow> {
  const kinds = new Map<FaultKind, KindRow>();
  for (const fault of faults) {
    const row = kinds.get(fault.kind) ?? { count: 0, publishStall: 0, deliveryStall: 0, recovery: 0, cpuBusy: undefined, loopLagMs: 0 };
    row.loopLagMs = Math.max(row.loopLagMs, fault.loopLagMs);
    row.count++;
    if (fault.cpuBusy !== undefined) row.cpuBusy = Math.max(row.cpuBusy ?? 0, fault.cpuBusy);
    row.publishStall = Math.max(row.publishStall, fault.publishStall.ms);
    row.deliveryStall = Math.max(row.deliveryStall, fault.deliveryStall.ms);
    row.recovery = Math.max(row.recovery, (fault.recovered ?? fault.end) - fault.healed);
    kinds.set(fault.kind, row);
  }
  return kinds;
}
