/**
 * Definitions: the broker's topology as RabbitMQ's definitions JSON, out (exportDefinitions) and
 * in (importDefinitions), so that a file exported from RabbitMQ 3.x imports as it is
 * (docs/definitions.md). Import is all-or-nothing for what can be checked up front: the shape
 * (protocol's schema), policy definitions, arguments, vhosts, references and conflicts with
 * what exists are all checked before the first change. What Warren does not import (users,
 * permissions, parameters, unknown keys, stream queues, plugin exchange types) is reported as
 * warnings, never as errors. Waiting for the store is the caller's job.
 */
import {
  checkExchangeArguments,
  checkQueueArguments,
  parseDefinitions,
  parsePolicyBody,
  POLICY_DEFINITION_KEYS,
  QUEUE_ARGUMENTS_SCHEMA,
  WarrenError,
  type BindingDefinition,
  type Definitions,
  type DefinitionsImportResult,
  type ExchangeDefinition,
  type PolicyEntryDefinition,
  type QueueDefinition,
} from '@warren/protocol';
import type { Broker } from './broker.js';
import { canonicalJson } from './canonical.js';
import { describeExchange, describeQueue } from './declare-rules.js';
import { Exchange } from './exchange/exchange.js';
import type { Table } from './message.js';
import { compilePattern, policyFromBody, type PolicyRecord } from './policy/policy.js';
import type { ExchangeSpec, QueueSpec, VHost } from './vhost.js';

/** The RabbitMQ definitions format an export follows (its `rabbit_version`). */
export const DEFINITIONS_FORMAT = '3.12.0';

/** The owner of queues declared by an import (only exclusive queues care, and none are imported). */
const OWNER = 'definitions';

export function exportDefinitions(broker: Broker, product: { name: string; version: string } = { name: 'Warren', version: '' }): Definitions {
  const vhosts = [...broker.vhosts.values()];
  return {
    rabbit_version: DEFINITIONS_FORMAT,
    rabbitmq_version: DEFINITIONS_FORMAT,
    product_name: product.name,
    product_version: product.version,
    users: [],
    vhosts: vhosts.map((v) => ({ name: v.name })),
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
    bindings: vhosts.flatMap((v) =>
      [...v.exchanges.values()]
        .filter((x) => x.name !== '')
        .flatMap((source) =>
          [...source.router.bindings()]
            .filter((b) => b.destination instanceof Exchange || !b.destination.record.exclusive)
            .map((b) => ({
              source: source.name,
              vhost: v.name,
              destination: b.destination.name,
              destination_type: b.destination instanceof Exchange ? ('exchange' as const) : ('queue' as const),
              routing_key: b.routingKey,
              arguments: b.arguments,
            })),
        ),
    ),
  };
}

/**
 * Declares what the definitions hold (idempotently: what exists as declared stays) and returns
 * the warnings. Throws WarrenError `invalid_argument` for a malformed document, or
 * `queue_conflict` / `exchange_conflict` naming the object that exists with other properties.
 */
export function importDefinitions(broker: Broker, input: unknown): DefinitionsImportResult {
  const definitions = parseDefinitions(input);
  const plan = new ImportPlan(broker, definitions);
  plan.apply();
  return { warnings: plan.warnings.list() };
}

/** Sections Warren reads, sections it knows and leaves out (with why), and informational keys. */
const IMPORTED = new Set(['vhosts', 'policies', 'queues', 'exchanges', 'bindings']);
const LEFT_OUT: Record<string, string> = {
  users: 'users are configured on the broker, not imported',
  permissions: 'permissions are not imported',
  topic_permissions: 'topic permissions are not imported',
  parameters: 'runtime parameters (shovels, federation, limits) are not supported',
  global_parameters: 'global parameters are not supported',
};
const INFORMATIONAL = new Set(['rabbit_version', 'rabbitmq_version', 'product_name', 'product_version']);
const ENTRY_KEYS: Record<string, ReadonlySet<string>> = {
  vhosts: new Set(['name']),
  policies: new Set(['vhost', 'name', 'pattern', 'apply-to', 'priority', 'definition']),
  queues: new Set(['name', 'vhost', 'durable', 'auto_delete', 'arguments', 'type']),
  exchanges: new Set(['name', 'vhost', 'type', 'durable', 'auto_delete', 'internal', 'arguments']),
  bindings: new Set(['source', 'vhost', 'destination', 'destination_type', 'routing_key', 'arguments']),
};
const QUEUE_ARGUMENTS = new Set(Object.keys(QUEUE_ARGUMENTS_SCHEMA.properties));
const EXCHANGE_TYPES = new Set(['direct', 'fanout', 'topic', 'headers']);
const QUEUE_APPLY_TO = new Set(['classic_queues', 'quorum_queues']);

/** Unknown entry keys first, one warning per key and section (not per entry); then the rest in the order found. */
class Warnings {
  private readonly lines: string[] = [];
  private readonly unknownKeys = new Map<string, number>();

  add(line: string): void {
    this.lines.push(line);
  }

  unknownKey(section: string, key: string): void {
    const id = `${section}\u0000${key}`;
    this.unknownKeys.set(id, (this.unknownKeys.get(id) ?? 0) + 1);
  }

  list(): string[] {
    const keys = [...this.unknownKeys].map(([id, n]) => {
      const [section, key] = id.split('\u0000') as [string, string];
      return `${section}: key '${key}' is not known to Warren and was ignored (${n} ${n === 1 ? 'entry' : 'entries'})`;
    });
    return [...keys, ...this.lines];
  }
}

type Planned<T> = { vhost: string; spec: T };

/** Everything the import will do, checked before any of it is done. */
class ImportPlan {
  readonly warnings = new Warnings();
  /** Vhosts the definitions list that the broker does not have yet. */
  private readonly vhosts = new Set<string>();
  private readonly policies: PolicyRecord[] = [];
  private readonly exchanges = new Map<string, Planned<ExchangeSpec>>();
  private readonly queues = new Map<string, Planned<QueueSpec>>();
  private readonly bindings: Array<BindingDefinition & { vhost: string }> = [];
  /** Exchanges and queues left out with a warning: bindings to them are left out too. */
  private readonly leftOut = new Set<string>();

  constructor(
    private readonly broker: Broker,
    definitions: Definitions,
  ) {
    this.checkSections(definitions);
    for (const v of definitions.vhosts ?? []) if (!broker.vhosts.has(v.name)) this.vhosts.add(v.name);
    for (const p of definitions.policies ?? []) this.planPolicy(p);
    for (const x of definitions.exchanges ?? []) this.planExchange(x);
    for (const q of definitions.queues ?? []) this.planQueue(q);
    for (const b of definitions.bindings ?? []) this.planBinding(b);
  }

  apply(): void {
    for (const name of this.vhosts) this.broker.declareVHost(name);
    for (const record of this.policies) this.vhost(record.vhost).setPolicy(record);
    for (const { vhost, spec } of this.exchanges.values()) this.vhost(vhost).declareExchange(spec, false);
    for (const { vhost, spec } of this.queues.values()) this.vhost(vhost).declareQueue(spec, false, OWNER);
    for (const b of this.bindings) {
      const v = this.vhost(b.vhost);
      if (b.destination_type === 'queue') v.bindQueue(b.destination, b.source, b.routing_key ?? '', b.arguments ?? {}, OWNER);
      else v.bindExchange(b.destination, b.source, b.routing_key ?? '', b.arguments ?? {});
    }
  }

  private checkSections(definitions: Definitions): void {
    for (const [key, value] of Object.entries(definitions)) {
      if (INFORMATIONAL.has(key)) continue;
      const why = LEFT_OUT[key];
      if (why !== undefined) {
        const n = Array.isArray(value) ? value.length : 0;
        if (n > 0) this.warnings.add(`${key}: ${n} ${n === 1 ? 'entry' : 'entries'} not imported (${why})`);
      } else if (!IMPORTED.has(key)) {
        this.warnings.add(`top-level key '${key}' is not known to Warren and was ignored`);
      } else {
        const known = ENTRY_KEYS[key] as ReadonlySet<string>;
        for (const entry of value as Array<Record<string, unknown>>) {
          for (const k of Object.keys(entry)) if (!known.has(k)) this.warnings.unknownKey(key, k);
        }
      }
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
    const id = `${vhost}\u0000x\u0000${entry.name}`;
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
    const existing = this.exchanges.get(id)?.spec ?? this.broker.vhost(vhost)?.exchange(entry.name)?.record;
    if (existing !== undefined && !sameExchange(existing, spec)) {
      throw new WarrenError('exchange_conflict', `${what} exists as ${describeExchange(existing)}; the definitions declare ${describeExchange(spec)}`);
    }
    this.exchanges.set(id, { vhost, spec });
  }

  private planQueue(entry: QueueDefinition): void {
    const vhost = this.checkVHost(entry.vhost, `queue '${entry.name}'`);
    const what = `queue '${entry.name}' in vhost '${vhost}'`;
    const id = `${vhost}\u0000q\u0000${entry.name}`;
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
    const existing = this.queues.get(id)?.spec ?? this.broker.vhost(vhost)?.queue(entry.name)?.record;
    if (existing !== undefined && !sameQueue(existing, spec)) {
      throw new WarrenError('queue_conflict', `${what} exists as ${describeQueue(existing)}; the definitions declare ${describeQueue(spec)}`);
    }
    this.queues.set(id, { vhost, spec });
  }

  private planBinding(entry: BindingDefinition): void {
    const vhost = this.checkVHost(entry.vhost, `binding '${entry.source}' → '${entry.destination}'`);
    const what = `binding '${entry.source}' → ${entry.destination_type} '${entry.destination}' in vhost '${vhost}'`;
    if (entry.source === '') return; // the default exchange binds every queue by its name
    const source = `${vhost}\u0000x\u0000${entry.source}`;
    const destination = `${vhost}\u0000${entry.destination_type === 'queue' ? 'q' : 'x'}\u0000${entry.destination}`;
    if (this.leftOut.has(source) || this.leftOut.has(destination)) {
      return this.warnings.add(`${what} not imported: its ${this.leftOut.has(source) ? 'source' : 'destination'} was left out`);
    }
    const v = this.broker.vhost(vhost);
    if (!this.exchanges.has(source) && v?.exchange(entry.source) === undefined) {
      throw new WarrenError('invalid_argument', `${what}: no exchange '${entry.source}'`);
    }
    const known = entry.destination_type === 'queue' ? v?.queue(entry.destination) : v?.exchange(entry.destination);
    if (!(entry.destination_type === 'queue' ? this.queues : this.exchanges).has(destination) && known === undefined) {
      throw new WarrenError('invalid_argument', `${what}: no ${entry.destination_type} '${entry.destination}'`);
    }
    this.bindings.push({ ...entry, vhost });
  }

  /** The entry's vhost ('/' when it names none), which must exist or be in the definitions' vhosts. */
  private checkVHost(name: string | undefined, what: string): string {
    const vhost = name ?? '/';
    if (!this.broker.vhosts.has(vhost) && !this.vhosts.has(vhost)) {
      throw new WarrenError('invalid_argument', `${what} is in vhost '${vhost}', which neither exists nor is in the definitions' vhosts`);
    }
    return vhost;
  }

  private vhost(name: string): VHost {
    return this.broker.vhost(name) ?? this.broker.declareVHost(name);
  }
}

function policyEntry(p: PolicyRecord): PolicyEntryDefinition & { vhost: string; 'apply-to': string; priority: number } {
  return { vhost: p.vhost, name: p.name, pattern: p.pattern, 'apply-to': p.applyTo, priority: p.priority, definition: p.definition };
}

function isBuiltIn(exchange: string): boolean {
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

/** The rule of exchange.declare (AMQP 0-9-1 §1.6): a re-declare must match in everything. */
function sameExchange(a: Omit<ExchangeSpec, 'name'>, b: Omit<ExchangeSpec, 'name'>): boolean {
  return (
    a.type === b.type &&
    a.durable === b.durable &&
    a.autoDelete === b.autoDelete &&
    a.internal === b.internal &&
    canonicalJson(a.arguments) === canonicalJson(b.arguments)
  );
}

/** The rule of queue.declare (AMQP 0-9-1 §1.7), as the vhost applies it. */
function sameQueue(a: Omit<QueueSpec, 'name'>, b: Omit<QueueSpec, 'name'>): boolean {
  return (
    a.durable === b.durable &&
    a.exclusive === b.exclusive &&
    a.autoDelete === b.autoDelete &&
    canonicalJson(a.arguments) === canonicalJson(b.arguments)
  );
}
