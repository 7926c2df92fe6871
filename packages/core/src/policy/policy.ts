/**
 * Policies, in RabbitMQ's shape: `{ pattern, apply-to, priority, definition }`. A policy applies
 * to the queues and / or exchanges of its vhost whose names match its pattern (a regular
 * expression); of several matching policies the one with the highest priority applies, ties
 * going to the name that sorts first (RabbitMQ applies exactly one policy per object). The
 * definition's keys are validated by the server (protocol's policy schema) before they get here.
 */
import { WarrenError, type PolicyBody } from '@warren/protocol';
import safeRegex from 'safe-regex2';
import type { Table } from '../message.js';

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
  private readonly regex: RegExp;

  /** Throws WarrenError `invalid_argument` for a pattern that is not a regular expression, or could backtrack for ages. */
  constructor(readonly record: PolicyRecord) {
    this.regex = compilePattern(record.pattern);
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

/** The one policy that applies to an object, if any. */
export function effectivePolicy(policies: Iterable<Policy>, kind: 'queue' | 'exchange', name: string): Policy | undefined {
  let best: Policy | undefined;
  for (const policy of policies) {
    if (!policy.matches(kind, name)) continue;
    if (
      best === undefined ||
      policy.record.priority > best.record.priority ||
      (policy.record.priority === best.record.priority && policy.name < best.name)
    ) {
      best = policy;
    }
  }
  return best;
}

/** A checked policy body (RabbitMQ's shape, as the API and the client send it) as a record. */
export function policyFromBody(vhost: string, name: string, body: PolicyBody): PolicyRecord {
  return { vhost, name, pattern: body.pattern, applyTo: body['apply-to'] ?? 'all', priority: body.priority ?? 0, definition: { ...body.definition } };
}

/**
 * A policy pattern is matched against every queue and exchange name, on the broker's one
 * thread: a pattern with nested repetition (`(a+)+$`) could take exponential time on a
 * crafted name and stall everything. Such patterns are refused, as are invalid ones.
 */
export function compilePattern(pattern: string): RegExp {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (cause) {
    throw new WarrenError('invalid_argument', `policy pattern '${pattern}' is not a valid regular expression`, { cause });
  }
  if (!safeRegex(regex)) {
    throw new WarrenError('invalid_argument', `policy pattern '${pattern}' could take exponential time (nested repetition); simplify it`);
  }
  return regex;
}
