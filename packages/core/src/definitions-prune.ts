/**
 * A prune (`POST /api/definitions?prune=true`): what the broker has and the document does not,
 * in the vhosts the document names, found before anything changes and deleted after the import's
 * declares. Never pruned: the default exchange and `amq.*` (every vhost has them), exclusive
 * queues and their bindings (they belong to live connections; exports leave them out), and the
 * default exchange's implicit bindings. A queue holding messages is deleted only with `force`.
 */
import { WarrenError, type DefinitionsBindingRef, type DefinitionsObjectRef, type DefinitionsObjects } from '@warren/protocol';
import type { Broker } from './broker.js';
import { bindingKey, IMPORT_OWNER, isBuiltIn, objectKey, type ImportPlan } from './definitions-plan.js';
import { Exchange } from './exchange/exchange.js';

/** What a prune deletes; the lists are the answer's `delete` / `deleted`. */
export function pruneTargets(broker: Broker, plan: ImportPlan): DefinitionsObjects {
  const targets: DefinitionsObjects = { policies: [], exchanges: [], queues: [], bindings: [] };
  const planned = new Set(plan.policies.map((p) => `${p.vhost}\u0000${p.name}`));
  for (const name of plan.vhostsNamed) {
    const vhost = broker.vhost(name);
    if (vhost === undefined) continue;
    for (const policy of vhost.policies.keys()) if (!planned.has(`${name}\u0000${policy}`)) targets.policies.push({ vhost: name, name: policy });
    for (const exchange of vhost.exchanges.values()) {
      if (!isBuiltIn(exchange.name) && !plan.exchanges.has(objectKey(name, 'exchange', exchange.name))) {
        targets.exchanges.push({ vhost: name, name: exchange.name });
      }
    }
    for (const queue of vhost.queues.values()) {
      if (queue.record.exclusive || plan.queues.has(objectKey(name, 'queue', queue.name))) continue;
      const stats = queue.stats();
      const ref: DefinitionsObjectRef = { vhost: name, name: queue.name };
      if (stats.ready + stats.unacked > 0) ref.messages = stats.ready + stats.unacked;
      targets.queues.push(ref);
    }
    for (const source of vhost.exchanges.values()) {
      if (source.name === '') continue;
      for (const b of source.router.bindings()) {
        if (!(b.destination instanceof Exchange) && b.destination.record.exclusive) continue;
        const ref: DefinitionsBindingRef = {
          vhost: name,
          source: source.name,
          destination: b.destination.name,
          destination_type: b.destination instanceof Exchange ? 'exchange' : 'queue',
          routing_key: b.routingKey,
          arguments: b.arguments,
        };
        if (!plan.bindings.has(bindingKey(ref))) targets.bindings.push(ref);
      }
    }
  }
  return targets;
}

/** Throws WarrenError `not_empty` naming every queue the prune would delete with its messages. */
export function refuseNonEmpty(targets: DefinitionsObjects): void {
  const full = targets.queues.filter((q) => q.messages !== undefined);
  if (full.length === 0) return;
  const names = full.map((q) => `'${q.name}' in vhost '${q.vhost}' (${q.messages} message${q.messages === 1 ? '' : 's'})`).join(', ');
  throw new WarrenError('not_empty', `the prune would delete queues that hold messages: ${names}; nothing was changed (force=true deletes them)`);
}

/** Deletes the targets: bindings first, while both their ends still exist, then queues, exchanges and policies. */
export function prune(broker: Broker, targets: DefinitionsObjects): void {
  for (const b of targets.bindings) {
    const vhost = broker.vhost(b.vhost);
    if (vhost?.exchange(b.source) === undefined) continue; // an auto-delete exchange can go with its last binding
    if (b.destination_type === 'queue') vhost.unbindQueue(b.destination, b.source, b.routing_key, b.arguments, IMPORT_OWNER);
    else vhost.unbindExchange(b.destination, b.source, b.routing_key, b.arguments);
  }
  for (const q of targets.queues) {
    const vhost = broker.vhost(q.vhost);
    if (vhost?.queue(q.name) !== undefined) vhost.deleteQueue(q.name, false, false, IMPORT_OWNER);
  }
  for (const x of targets.exchanges) {
    const vhost = broker.vhost(x.vhost);
    if (vhost?.exchange(x.name) !== undefined) vhost.deleteExchange(x.name, false);
  }
  for (const p of targets.policies) broker.vhost(p.vhost)?.deletePolicy(p.name);
}
