/**
 * Policies, in RabbitMQ's shape: `{ pattern, apply-to, priority, definition }`. A policy applies
 * to the queues and / or exchanges of its vhost whose names match its pattern (a regular
 * expression). Where several match, Warren merges them key by key (merge.ts); RabbitMQ applies
 * only the best one. The definition's keys are validated by the server (protocol's policy
 * schema) before they get here.
 */
import { WarrenError, type PolicyBody } from '@warren/protocol';
import type { Table } from '../message.js';
import { compileNamePattern, type NamePattern } from '../name-pattern.js';

export type ApplyTo = 'queues' | 'exchanges' | 'all';

export interface PolicyRecord {
  vhost: string;
  name: string;
  pattern: string;
  applyTo: ApplyTo;
  priority: number;
  definition: Table;
}

export class Policy {
  /**
   * Throws WarrenError `invalid_argument` for a pattern RE2 cannot take (name-pattern.ts).
   * `regex` is passed only by withDefinition, whose pattern is already compiled.
   */
  constructor(
    readonly record: PolicyRecord,
    private readonly regex: NamePattern = compilePattern(record.pattern),
  ) {}

  /** This policy carrying another definition: the merged one, as it applies to one object (merge.ts). */
  withDefinition(definition: Table): Policy {
    return new Policy({ ...this.record, definition }, this.regex);
  }

  get name(): string {
    return this.record.name;
  }

  matches(kind: 'queue' | 'exchange', name: string): boolean {
    const { applyTo } = this.record;
    if (applyTo !== 'all' && applyTo !== (kind === 'queue' ? 'queues' : 'exchanges')) return false;
    return this.regex.test(name);
  }
}

/**
 * The policies that match an object, best first: the highest priority, ties going to the name
 * that sorts first (by UTF-16 code units). The first is the one policy a RabbitMQ-style single
 * pick applies, and the one an object's `policy` names.
 */
export function matchingPolicies(policies: Iterable<Policy>, kind: 'queue' | 'exchange', name: string): Policy[] {
  const matching: Policy[] = [];
  for (const policy of policies) if (policy.matches(kind, name)) matching.push(policy);
  return matching.sort((a, b) => b.record.priority - a.record.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A checked policy body (RabbitMQ's shape, as the API and the client send it) as a record. */
export function policyFromBody(vhost: string, name: string, body: PolicyBody): PolicyRecord {
  return { vhost, name, pattern: body.pattern, applyTo: body['apply-to'] ?? 'all', priority: body.priority ?? 0, definition: { ...body.definition } };
}

/** A policy pattern, matched in linear time against every queue and exchange name (name-pattern.ts). */
export function compilePattern(pattern: string): NamePattern {
  return compileNamePattern(pattern, 'policy pattern');
}
