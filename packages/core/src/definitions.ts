/**
 * Definitions: the broker's topology as RabbitMQ's definitions JSON, out (exportDefinitions) and
 * in (importDefinitions), so that a file exported from RabbitMQ 3.x imports as it is
 * (docs/definitions.md). An import is all or nothing: definitions-plan.ts checks every entry
 * before the first change, definitions-prune.ts finds what a prune deletes, and
 * definitions-diff.ts answers what an import would do. Users and permissions are the server's
 * (it imports them itself and says so in `importedElsewhere`). What Warren does not import
 * (parameters, unknown keys, stream queues, plugin exchange types) is reported as warnings (definitions-warnings.ts), never as errors. Waiting for the store is the caller's job.
 */
import { parseDefinitions, type Definitions, type DefinitionsDiff, type DefinitionsImportResult, type PolicyEntryDefinition } from '@warren/protocol';
import type { Broker } from './broker.js';
import { diffDefinitions } from './definitions-diff.js';
import { ImportPlan, isBuiltIn } from './definitions-plan.js';
import { prune, pruneTargets, refuseNonEmpty } from './definitions-prune.js';
import { listedBindings } from './listed-bindings.js';
import type { PolicyRecord } from './policy/policy.js';
import type { VHost } from './vhost.js';

/** The RabbitMQ definitions format an export follows (its `rabbit_version`). */
export const DEFINITIONS_FORMAT = '3.12.0';

export function exportDefinitions(broker: Broker, product: { name: string; version: string } = { name: 'Warren', version: '' }): Definitions {
  const vhosts = [...broker.vhosts.values()];
  return {
    rabbit_version: DEFINITIONS_FORMAT,
    rabbitmq_version: DEFINITIONS_FORMAT,
    product_name: product.name,
    product_version: product.version,
    users: [],
    vhosts: vhosts.map(vhostEntry),
    permissions: [],
    topic_permissions: [],
    parameters: [],
    global_parameters: [],
    policies: vhosts.flatMap((v) => [...v.policies.values()].map(({ record: p }) => policyEntry(p))),
    // Exclusive queues belong to a connection; RabbitMQ leaves them out too.
    queues: vhosts.flatMap((v) =>
      [...v.queues.values()]
        .filter((q) => !q.record.exclusive)
        .map(({ record: q }) => ({ name: q.name, vhost: q.vhost, durable: q.durable, auto_delete: q.autoDelete, arguments: q.arguments })),
    ),
    exchanges: vhosts.flatMap((v) =>
      [...v.exchanges.values()]
        .filter((x) => !isBuiltIn(x.name))
        .map(({ record: x }) => ({
          name: x.name,
          vhost: x.vhost,
          type: x.type,
          durable: x.durable,
          auto_delete: x.autoDelete,
          internal: x.internal,
          arguments: x.arguments,
        })),
    ),
    bindings: vhosts.flatMap(listedBindings).map((b) => ({
      source: b.source,
      vhost: b.vhost,
      destination: b.destination,
      destination_type: b.destinationType,
      routing_key: b.routingKey,
      arguments: b.arguments,
    })),
  };
}

export interface ImportOptions {
  /** Delete what the document does not have (definitions-prune.ts). */
  prune?: boolean;
  /** Let the prune delete queues that hold messages. */
  force?: boolean;
  /** Sections the caller imports itself (the server's users, permissions, topic_permissions): no warning for them. */
  importedElsewhere?: readonly string[];
}

/**
 * Makes the broker hold what the definitions hold, all or nothing: declares (idempotently: what
 * exists as declared stays) and, with `prune`, deletes, then returns the warnings. Throws before
 * any change: WarrenError `invalid_argument` naming a malformed entry, `queue_conflict` /
 * `exchange_conflict` naming an object that exists with other properties, `not_empty` naming the
 * queues with messages a prune without `force` would delete.
 */
export function importDefinitions(broker: Broker, input: unknown, options: ImportOptions = {}): DefinitionsImportResult {
  const plan = new ImportPlan(broker, parseDefinitions(input), false, options.importedElsewhere);
  const deletions = options.prune === true ? pruneTargets(broker, plan) : undefined;
  if (deletions !== undefined && options.force !== true) refuseNonEmpty(deletions);
  plan.apply();
  if (deletions === undefined) return { warnings: plan.warnings.list() };
  prune(broker, deletions);
  return { warnings: plan.warnings.list(), deleted: deletions };
}

/** What importDefinitions would do with the same arguments, changing nothing (definitions-diff.ts). */
export function diffDefinitionsImport(broker: Broker, input: unknown, options: Pick<ImportOptions, 'prune' | 'importedElsewhere'> = {}): DefinitionsDiff {
  const plan = new ImportPlan(broker, parseDefinitions(input), true, options.importedElsewhere);
  return diffDefinitions(broker, plan, options.prune === true ? pruneTargets(broker, plan) : undefined);
}

/** A vhost as RabbitMQ exports it; metadata only when it has some, so a plain vhost stays `{ name }`. */
function vhostEntry(v: VHost): Record<string, unknown> & { name: string } {
  const { description, tags, defaultQueueType } = v.metadata;
  if (description === '' && tags.length === 0 && defaultQueueType === 'classic') return { name: v.name };
  return { name: v.name, description, tags, default_queue_type: defaultQueueType, metadata: { description, tags } };
}

function policyEntry(p: PolicyRecord): PolicyEntryDefinition & { vhost: string; 'apply-to': string; priority: number } {
  return { vhost: p.vhost, name: p.name, pattern: p.pattern, 'apply-to': p.applyTo, priority: p.priority, definition: p.definition };
}
