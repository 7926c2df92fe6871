/**
 * What an import would do (`POST /api/definitions?mode=diff`), changing nothing: the policies,
 * exchanges, queues, bindings and vhosts it would create; the objects it would change, with each
 * changed field before and after (a queue or exchange whose properties differ is a conflict the
 * import refuses, marked `refused`); and, with a prune, what it would delete.
 */
import type { DefinitionsChange, DefinitionsDiff, DefinitionsObjects } from '@warren/protocol';
import type { Broker } from './broker.js';
import { bindingExists, changedFields, type ImportPlan } from './definitions-plan.js';
import type { Table } from './message.js';
import type { PolicyRecord } from './policy/policy.js';

export function diffDefinitions(broker: Broker, plan: ImportPlan, deletions: DefinitionsObjects | undefined): DefinitionsDiff {
  const diff: DefinitionsDiff = {
    mode: 'diff',
    create: { vhosts: [...plan.newVHosts.keys()], policies: [], exchanges: [], queues: [], bindings: [] },
    change: { policies: [], exchanges: [], queues: [] },
    delete: deletions ?? { policies: [], exchanges: [], queues: [], bindings: [] },
    warnings: plan.warnings.list(),
  };
  for (const record of plan.policies) {
    const existing = broker.vhost(record.vhost)?.policies.get(record.name)?.record;
    if (existing === undefined) diff.create.policies.push({ vhost: record.vhost, name: record.name });
    else {
      const change = changed(record.vhost, record.name, policyFields(existing), policyFields(record));
      if (change !== undefined) diff.change.policies.push(change);
    }
  }
  for (const { vhost, spec } of plan.exchanges.values()) {
    if (broker.vhost(vhost)?.exchange(spec.name) === undefined) diff.create.exchanges.push({ vhost, name: spec.name });
  }
  for (const { vhost, spec } of plan.queues.values()) {
    if (broker.vhost(vhost)?.queue(spec.name) === undefined) diff.create.queues.push({ vhost, name: spec.name });
  }
  for (const conflict of plan.conflicts) diff.change[conflict.kind === 'queue' ? 'queues' : 'exchanges'].push(conflict.change);
  for (const b of plan.bindings.values()) {
    if (!bindingExists(broker, b)) {
      const { vhost, source, destination, destination_type, routing_key, arguments: args } = b;
      diff.create.bindings.push({ vhost, source, destination, destination_type, routing_key, arguments: args });
    }
  }
  return diff;
}

function policyFields(p: PolicyRecord): Table {
  return { pattern: p.pattern, 'apply-to': p.applyTo, priority: p.priority, definition: p.definition };
}

function changed(vhost: string, name: string, old: Table, now: Table): DefinitionsChange | undefined {
  const fields = changedFields(old, now);
  return Object.keys(fields).length === 0 ? undefined : { vhost, name, fields };
}
