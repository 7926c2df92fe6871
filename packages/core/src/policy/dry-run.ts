/**
 * A policy change tried without making it (`PUT /api/policies/…?dry_run=true`): which queues and
 * exchanges the policy as sent would match, and for every queue whose effective settings or
 * winning policy would change, each changed key before and after. Nothing is stored or applied.
 */
import type { EffectiveArgumentChange, PolicyDryRunQueue, PolicyDryRunResult } from '@warren/protocol';
import type { Table } from '../message.js';
import { explainQueueSettings, sameEffect } from './explain.js';
import { mergePolicies } from './merge.js';
import { Policy, type PolicyRecord } from './policy.js';

/** What a dry run needs of a queue or an exchange. */
export interface PolicyTarget {
  readonly name: string;
  readonly record: { readonly arguments: Table };
}

/** Throws WarrenError `invalid_argument` for a pattern the real change would refuse too. */
export function previewPolicy(
  policies: ReadonlyMap<string, Policy>,
  queues: Iterable<PolicyTarget>,
  exchanges: Iterable<PolicyTarget>,
  record: PolicyRecord,
): PolicyDryRunResult {
  const candidate = new Policy(record);
  const after = new Map(policies).set(record.name, candidate);
  const result: PolicyDryRunResult = { dry_run: true, matched: { queues: [], exchanges: [] }, queues: [] };
  for (const exchange of exchanges) if (candidate.matches('exchange', exchange.name)) result.matched.exchanges.push(exchange.name);
  for (const queue of queues) {
    const matches = candidate.matches('queue', queue.name);
    if (matches) result.matched.queues.push(queue.name);
    const change = queueChange(queue, policies.values(), after.values(), matches);
    if (change !== undefined) result.queues.push(change);
  }
  return result;
}

function queueChange(queue: PolicyTarget, before: Iterable<Policy>, after: Iterable<Policy>, matches: boolean): PolicyDryRunQueue | undefined {
  const mergedBefore = mergePolicies(before, 'queue', queue.name);
  const mergedAfter = mergePolicies(after, 'queue', queue.name);
  const old = explainQueueSettings(queue.record.arguments, mergedBefore);
  const now = explainQueueSettings(queue.record.arguments, mergedAfter);
  const changes: Record<string, EffectiveArgumentChange> = {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
    if (!sameEffect(old[key], now[key])) changes[key] = { old: old[key] ?? null, new: now[key] ?? null };
  }
  const policy = { old: mergedBefore.winner?.name ?? null, new: mergedAfter.winner?.name ?? null };
  if (Object.keys(changes).length === 0 && policy.old === policy.new) return undefined;
  return { name: queue.name, matches, policy, changes };
}
