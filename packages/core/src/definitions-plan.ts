/**
 * An import of definitions, planned: every entry checked and turned into what to declare before
 * anything is declared, so that an import is all or nothing (docs/definitions.md). The checks
 * include what a declare or a bind would refuse halfway (a conflict with what exists, a binding
 * to the default exchange or to a connection's exclusive queue, bad headers-binding arguments);
 * apply() undoes itself if the queue limit stops it anyway.
 * Conflicts with what exists are thrown, or, for a diff, collected. What to delete (a prune) is
 * definitions-prune.ts's; what differs, definitions-diff.ts's.
 */
import {
  checkExchangeArguments,
  checkQueueArguments,
  POLICY_DEFINITION_KEYS,
  QUEUE_ARGUMENTS_SCHEMA,
  WarrenError,
  parsePolicyBody,
  type BindingDefinition,
  type Definitions,
  type DefinitionsChange,
  type ExchangeDefinition,
  type PolicyEntryDefinition,
  type QueueDefinition,
  type VHostDefinition,
} from '@warren/protocol';
import type { Broker } from './broker.js';
import { canonicalJson } from './canonical.js';
import { describeExchange, describeQueue } from './declare-rules.js';
import { bindingId } from './exchange/binding-key.js';
import { createRouter } from './exchange/create-router.js';
import { Exchange } from './exchange/exchange.js';
import type { Table } from './message.js';
import { compilePattern, policyFromBody, type PolicyRecord } from './policy/policy.js';
import { DefinitionsWarnings } from './definitions-warnings.js';
import type { ExchangeSpec, QueueSpec, VHost } from './vhost.js';
import { DEFAULT_VHOST_METADATA, type VHostMetadata } from './vhost-records.js';

/** The owner of queues declared by an import (only exclusive queues care, and none are imported). */
export const IMPORT_OWNER = 'definitions';

type Planned<T> = { vhost: string; spec: T };
type PlannedBinding = BindingDefinition & { vhost: string; routing_key: string; arguments: Table };

/** A queue or exchange the document declares with other properties than it has: a conflict. */
type Conflict = { kind: 'queue' | 'exchange'; change: DefinitionsChange; error: WarrenError };

const EXCHANGE_TYPES = new Set(['direct', 'fanout', 'topic', 'headers']);
const QUEUE_APPLY_TO = new Set(['classic_queues', 'quorum_queues']);
const QUEUE_ARGUMENTS = new Set(Object.keys(QUEUE_ARGUMENTS_SCHEMA.properties));

export class ImportPlan {
  readonly warnings = new DefinitionsWarnings();
  /** Vhosts the definitions list that the broker does not have yet. */
  /** The vhosts to create, with the metadata the document gives them. */
  readonly newVHosts = new Map<string, VHostMetadata>();
  /** Every vhost the document names (in `vhosts` or in an entry): where a prune looks. */
  readonly vhostsNamed = new Set<string>();
  readonly policies: PolicyRecord[] = [];
  /** Keyed by objectKey(). */
  readonly exchanges = new Map<string, Planned<ExchangeSpec>>();
  readonly queues = new Map<string, Planned<QueueSpec>>();
  /** Keyed by bindingKey(). */
  readonly bindings = new Map<string, PlannedBinding>();
  readonly conflicts: Conflict[] = [];
  /** Exchanges and queues left out with a warning: bindings to them are left out too. */
  private readonly leftOut = new Set<string>();

  /** `collectConflicts`: keep conflicts with what exists in `conflicts` instead of throwing the first. */
  constructor(
    private readonly broker: Broker,
    definitions: Definitions,
    private readonly collectConflicts = false,
    /** Sections another layer imports (the server's users and permissions): not warned about. */
    importedElsewhere: readonly string[] = [],
  ) {
    this.warnings.checkSections(definitions, importedElsewhere);
    for (const v of definitions.vhosts ?? []) {
      this.vhostsNamed.add(v.name);
      if (!broker.vhosts.has(v.name)) this.newVHosts.set(v.name, vhostMetadata(v));
    }
    for (const p of definitions.policies ?? []) this.planPolicy(p);
    for (const x of definitions.exchanges ?? []) this.planExchange(x);
    for (const q of definitions.queues ?? []) this.planQueue(q);
    for (const b of definitions.bindings ?? []) this.planBinding(b);
  }

  /**
   * Declares the plan. What the checks cannot foresee (the broker's queue limit, which other
   * connections share) may still stop it halfway: then what it had done is undone, newest first,
   * so that the import changes nothing, the vhosts it created included.
   */
  apply(): void {
    const undo: Array<() => void> = [];
    try {
      for (const [name, metadata] of this.newVHosts) {
        this.broker.declareVHost(name, metadata);
        undo.push(() => this.broker.deleteVHost(name));
      }
      for (const record of this.policies) {
        const v = this.vhost(record.vhost);
        const previous = v.policies.get(record.name)?.record;
        v.setPolicy(record);
        undo.push(() => (previous === undefined ? v.deletePolicy(record.name) : v.setPolicy(previous)));
      }
      for (const { vhost, spec } of this.exchanges.values()) {
        const v = this.vhost(vhost);
        if (v.exchange(spec.name) !== undefined) continue;
        v.declareExchange(spec, false);
        undo.push(() => v.exchange(spec.name) !== undefined && v.deleteExchange(spec.name, false));
      }
      for (const { vhost, spec } of this.queues.values()) {
        const v = this.vhost(vhost);
        if (v.queue(spec.name) !== undefined) continue;
        v.declareQueue(spec, false, IMPORT_OWNER);
        undo.push(() => v.queue(spec.name) !== undefined && v.deleteQueue(spec.name, false, false, IMPORT_OWNER));
      }
      for (const b of this.bindings.values()) {
        const v = this.vhost(b.vhost);
        if (bindingExists(this.broker, b)) continue;
        const queue = b.destination_type === 'queue';
        if (queue) v.bindQueue(b.destination, b.source, b.routing_key, b.arguments, IMPORT_OWNER);
        else v.bindExchange(b.destination, b.source, b.routing_key, b.arguments);
        undo.push(() => {
          // Undoing an earlier step may have taken the binding with it (a new exchange's auto-delete).
          if (!bindingExists(this.broker, b)) return;
          if (queue) v.unbindQueue(b.destination, b.source, b.routing_key, b.arguments, IMPORT_OWNER);
          else v.unbindExchange(b.destination, b.source, b.routing_key, b.arguments);
        });
      }
    } catch (error) {
      for (const step of undo.reverse()) step();
      throw error;
    }
  }

  private planPolicy(entry: PolicyEntryDefinition): void {
    const vhost = this.checkVHost(entry.vhost, `policy '${entry.name}'`);
    const what = `policy '${entry.name}' in vhost '${vhost}'`;
    let applyTo = entry['apply-to'] ?? 'all';
    if (applyTo === 'streams') return this.warnings.add(`${what} applies to streams, which Warren does not have; not imported`);
    if (QUEUE_APPLY_TO.has(applyTo)) {
      this.warnings.add(`${what}: apply-to '${applyTo}' imported as 'queues'`);
      applyTo = 'queues';
    }
    const definition: Table = {};
    for (const [key, value] of Object.entries(entry.definition)) {
      if (POLICY_DEFINITION_KEYS.includes(key)) definition[key] = value;
      else this.warnings.add(`${what}: definition key '${key}' is not a Warren policy key; left out`);
    }
    const body = withContext(what, () =>
      parsePolicyBody({ pattern: entry.pattern, 'apply-to': applyTo, priority: entry.priority ?? 0, definition }),
    );
    withContext(what, () => compilePattern(body.pattern));
    this.policies.push(policyFromBody(vhost, entry.name, body));
  }

  private planExchange(entry: ExchangeDefinition): void {
    const vhost = this.checkVHost(entry.vhost, `exchange '${entry.name}'`);
    const what = `exchange '${entry.name}' in vhost '${vhost}'`;
    const id = objectKey(vhost, 'exchange', entry.name);
    if (isBuiltIn(entry.name)) return; // every vhost has them
    if (!EXCHANGE_TYPES.has(entry.type)) {
      this.leftOut.add(id);
      return this.warnings.add(`${what} has type '${entry.type}', which Warren does not have (a plugin's?); not imported`);
    }
    const args = entry.arguments ?? {};
    withContext(what, () => checkExchangeArguments(args));
    for (const key of Object.keys(args)) {
      if (key !== 'alternate-exchange') this.warnings.add(`${what}: argument '${key}' is kept but has no effect in Warren`);
    }
    const spec: ExchangeSpec = {
      name: entry.name,
      type: entry.type as ExchangeSpec['type'],
      durable: entry.durable ?? true,
      autoDelete: entry.auto_delete ?? false,
      internal: entry.internal ?? false,
      arguments: args,
    };
    const earlier = this.exchanges.get(id)?.spec;
    if (earlier !== undefined && !sameExchange(earlier, spec)) {
      throw new WarrenError('exchange_conflict', `${what} is in the definitions twice: as ${describeExchange(earlier)} and as ${describeExchange(spec)}`);
    }
    const existing = this.broker.vhost(vhost)?.exchange(entry.name)?.record;
    if (existing !== undefined && !sameExchange(existing, spec)) {
      const error = new WarrenError('exchange_conflict', `${what} exists as ${describeExchange(existing)}; the definitions declare ${describeExchange(spec)}`);
      this.conflict('exchange', vhost, entry.name, exchangeFields(existing), exchangeFields(spec), error);
      return;
    }
    this.exchanges.set(id, { vhost, spec });
  }

  private planQueue(entry: QueueDefinition): void {
    const vhost = this.checkVHost(entry.vhost, `queue '${entry.name}'`);
    const what = `queue '${entry.name}' in vhost '${vhost}'`;
    const id = objectKey(vhost, 'queue', entry.name);
    const args = entry.arguments ?? {};
    const type = entry.type ?? args['x-queue-type'];
    if (type === 'stream') {
      this.leftOut.add(id);
      return this.warnings.add(`${what} is a stream, which Warren does not have; not imported`);
    }
    if (entry.type !== undefined && entry.type !== 'classic' && entry.type !== 'quorum') {
      this.warnings.add(`${what}: type '${entry.type}' is not known to Warren and was ignored`);
    }
    withContext(what, () => checkQueueArguments(args));
    for (const key of Object.keys(args)) {
      if (QUEUE_ARGUMENTS.has(key) || key.startsWith('x-retry-')) continue;
      this.warnings.add(`${what}: argument '${key}' is kept but has no effect in Warren`);
    }
    if (entry.name === '' || entry.name.startsWith('amq.')) throw new WarrenError('reserved_name', `${what}: the name is reserved (amq.*)`);
    const spec: QueueSpec = {
      name: entry.name,
      durable: entry.durable ?? true,
      exclusive: false,
      autoDelete: entry.auto_delete ?? false,
      arguments: args,
    };
    const earlier = this.queues.get(id)?.spec;
    if (earlier !== undefined && !sameQueue(earlier, spec)) {
      throw new WarrenError('queue_conflict', `${what} is in the definitions twice: as ${describeQueue(earlier)} and as ${describeQueue(spec)}`);
    }
    const existing = this.broker.vhost(vhost)?.queue(entry.name)?.record;
    if (existing !== undefined && !sameQueue(existing, spec)) {
      const error = new WarrenError('queue_conflict', `${what} exists as ${describeQueue(existing)}; the definitions declare ${describeQueue(spec)}`);
      this.conflict('queue', vhost, entry.name, queueFields(existing), queueFields(spec), error);
      return;
    }
    this.queues.set(id, { vhost, spec });
  }

  private planBinding(entry: BindingDefinition): void {
    const vhost = this.checkVHost(entry.vhost, `binding '${entry.source}' → '${entry.destination}'`);
    const what = `binding '${entry.source}' → ${entry.destination_type} '${entry.destination}' in vhost '${vhost}'`;
    if (entry.source === '') return; // the default exchange binds every queue by its name
    const source = objectKey(vhost, 'exchange', entry.source);
    const destination = objectKey(vhost, entry.destination_type, entry.destination);
    if (this.leftOut.has(source) || this.leftOut.has(destination)) {
      return this.warnings.add(`${what} not imported: its ${this.leftOut.has(source) ? 'source' : 'destination'} was left out`);
    }
    const v = this.broker.vhost(vhost);
    const sourceType = this.exchanges.get(source)?.spec.type ?? v?.exchange(entry.source)?.record.type;
    if (sourceType === undefined) throw new WarrenError('invalid_argument', `${what}: no exchange '${entry.source}'`);
    const known = entry.destination_type === 'queue' ? v?.queue(entry.destination) : v?.exchange(entry.destination);
    if (!(entry.destination_type === 'queue' ? this.queues : this.exchanges).has(destination) && known === undefined) {
      throw new WarrenError('invalid_argument', `${what}: no ${entry.destination_type} '${entry.destination}'`);
    }
    if (entry.destination_type === 'exchange' && entry.destination === '') {
      throw new WarrenError('access_refused', `${what}: the default exchange cannot be a binding destination`);
    }
    const queue = entry.destination_type === 'queue' ? v?.queue(entry.destination) : undefined;
    if (queue?.record.exclusive === true && !this.queues.has(destination)) {
      throw new WarrenError('resource_locked', `${what}: the queue is exclusive to a connection`);
    }
    const planned: PlannedBinding = { ...entry, vhost, routing_key: entry.routing_key ?? '', arguments: entry.arguments ?? {} };
    // The exchange type's own rule refuses bad arguments (a headers binding's x-match) now, not halfway through.
    withContext(what, () => createRouter(sourceType).bind(planned.routing_key, planned.arguments, destination));
    this.bindings.set(bindingKey(planned), planned);
  }

  private conflict(kind: 'queue' | 'exchange', vhost: string, name: string, old: Table, now: Table, error: WarrenError): void {
    if (!this.collectConflicts) throw error;
    const fields = changedFields(old, now);
    this.conflicts.push({ kind, change: { vhost, name, fields, refused: error.code as 'queue_conflict' | 'exchange_conflict' }, error });
  }

  /** The entry's vhost ('/' when it names none), which must exist or be in the definitions' vhosts. */
  private checkVHost(name: string | undefined, what: string): string {
    const vhost = name ?? '/';
    if (!this.broker.vhosts.has(vhost) && !this.newVHosts.has(vhost)) {
      throw new WarrenError('invalid_argument', `${what} is in vhost '${vhost}', which neither exists nor is in the definitions' vhosts`);
    }
    this.vhostsNamed.add(vhost);
    return vhost;
  }

  private vhost(name: string): VHost {
    return this.broker.vhost(name) ?? this.broker.declareVHost(name);
  }
}

export function objectKey(vhost: string, kind: 'queue' | 'exchange', name: string): string {
  return `${vhost}\u0000${kind}\u0000${name}`;
}

type BindingRef = { vhost: string; source: string; destination_type: string; destination: string; routing_key: string; arguments: Table };

export function bindingKey(b: BindingRef): string {
  return `${b.vhost}\u0000${b.source}\u0000${b.destination_type}\u0000${b.destination}\u0000${bindingId(b.routing_key, b.arguments)}`;
}

export function isBuiltIn(exchange: string): boolean {
  return exchange === '' || exchange.startsWith('amq.');
}

function withContext<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof WarrenError) throw new WarrenError(error.code, `${what}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Whether the broker has this binding (AMQP: the same source, destination, routing key and arguments). */
export function bindingExists(broker: Broker, b: BindingRef): boolean {
  const source = broker.vhost(b.vhost)?.exchange(b.source);
  if (source === undefined) return false;
  const args = canonicalJson(b.arguments);
  for (const existing of source.router.bindings()) {
    if (
      existing.destination.name === b.destination &&
      (existing.destination instanceof Exchange ? 'exchange' : 'queue') === b.destination_type &&
      existing.routingKey === b.routing_key &&
      canonicalJson(existing.arguments) === args
    ) {
      return true;
    }
  }
  return false;
}

/** The fields of `now` that differ from `old`, each before and after. */
export function changedFields(old: Table, now: Table): DefinitionsChange['fields'] {
  const fields: DefinitionsChange['fields'] = {};
  for (const key of Object.keys(now)) {
    if (canonicalJson(old[key]) !== canonicalJson(now[key])) fields[key] = { old: old[key], new: now[key] };
  }
  return fields;
}

/** An exchange's fields under their definitions names, for a diff. */
function exchangeFields(x: Omit<ExchangeSpec, 'name'>): Table {
  return { type: x.type, durable: x.durable, auto_delete: x.autoDelete, internal: x.internal, arguments: x.arguments };
}

/** A queue's fields under their definitions names, for a diff. */
function queueFields(q: Omit<QueueSpec, 'name'>): Table {
  return { durable: q.durable, exclusive: q.exclusive, auto_delete: q.autoDelete, arguments: q.arguments };
}

/** The rule of exchange.declare (AMQP 0-9-1 §1.6): a re-declare must match in everything. */
function sameExchange(a: Omit<ExchangeSpec, 'name'>, b: Omit<ExchangeSpec, 'name'>): boolean {
  return canonicalJson(exchangeFields(a)) === canonicalJson(exchangeFields(b));
}

/** The rule of queue.declare (AMQP 0-9-1 §1.7), as the vhost applies it. */
function sameQueue(a: Omit<QueueSpec, 'name'>, b: Omit<QueueSpec, 'name'>): boolean {
  return canonicalJson(queueFields(a)) === canonicalJson(queueFields(b));
}

/** RabbitMQ's vhost entry: `description`, `tags` (a list, or a comma-separated string), `default_queue_type`, or the same in `metadata`. */
function vhostMetadata(v: VHostDefinition): VHostMetadata {
  const meta = (typeof v.metadata === 'object' && v.metadata !== null ? v.metadata : {}) as Record<string, unknown>;
  const description = typeof v.description === 'string' ? v.description : typeof meta.description === 'string' ? meta.description : '';
  const rawTags = v.tags ?? meta.tags;
  const tags = (Array.isArray(rawTags) ? rawTags : typeof rawTags === 'string' ? rawTags.split(',') : [])
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const queueType = v.default_queue_type ?? meta.default_queue_type;
  return { ...DEFAULT_VHOST_METADATA, description, tags, defaultQueueType: typeof queueType === 'string' ? queueType : 'classic' };
}
