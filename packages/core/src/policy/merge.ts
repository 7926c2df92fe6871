/**
 * Merging the policies that match one object. Warren differs from RabbitMQ here: RabbitMQ applies
 * only the best matching policy, Warren takes each definition key from the best matching policy
 * that sets it ("best" is matchingPolicies' order). With one matching policy, or when the best
 * one sets every key, the result is exactly RabbitMQ's. Precedence between the merged policy and
 * a queue's own arguments is settings.ts's job.
 */
import { canonicalJson } from '../canonical.js';
import type { Table } from '../message.js';
import { matchingPolicies, type Policy } from './policy.js';

export interface MergedPolicy {
  /** The best matching policy: the one the object's `policy` field names. */
  readonly winner: Policy | undefined;
  readonly definition: Table;
  /** Definition key → the name of the policy it comes from. */
  readonly sources: ReadonlyMap<string, string>;
}

export function mergePolicies(policies: Iterable<Policy>, kind: 'queue' | 'exchange', name: string): MergedPolicy {
  const matching = matchingPolicies(policies, kind, name);
  const definition: Table = {};
  const sources = new Map<string, string>();
  for (const policy of matching) {
    for (const [key, value] of Object.entries(policy.record.definition)) {
      if (sources.has(key) || value === undefined) continue;
      definition[key] = value;
      sources.set(key, policy.name);
    }
  }
  return { winner: matching[0], definition, sources };
}

/**
 * The policy that applies to an object: the winner itself when it alone matters, else the winner
 * carrying the merged definition. `current` (what applies now) is returned when nothing changed,
 * so that callers can tell a real change (which resets a queue's idle timer) by identity.
 */
export function effectivePolicy(
  policies: Iterable<Policy>,
  kind: 'queue' | 'exchange',
  name: string,
  current?: Policy,
): Policy | undefined {
  const { winner, definition } = mergePolicies(policies, kind, name);
  if (winner === undefined) return undefined;
  if (canonicalJson(definition) === canonicalJson(winner.record.definition)) return winner;
  if (current !== undefined && canonicalJson(current.record) === canonicalJson({ ...winner.record, definition })) return current;
  return winner.withDefinition(definition);
}
