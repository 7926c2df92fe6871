/**
 * Definitions: RabbitMQ's definitions JSON, the format of `GET /api/definitions`, of
 * `POST /api/definitions` and of the WARREN_DEFINITIONS file (docs/definitions.md). This file
 * checks the shape only: every section Warren imports has the right types, and keys it does not
 * know are let through so that the importer (core's definitions.ts) can report them as
 * warnings. A RabbitMQ 3.x export passes as it is.
 */
import type { JsonSchema } from '../frames/schema.js';
import { bodyParser, valueAt, type FieldNamer } from './body.js';

export interface VHostDefinition {
  name: string;
  [key: string]: unknown;
}

export interface QueueDefinition {
  name: string;
  /** Default '/'. */
  vhost?: string;
  /** Default true. */
  durable?: boolean;
  auto_delete?: boolean;
  arguments?: Record<string, unknown>;
  /** RabbitMQ 3.13+: the queue type, also given by the `x-queue-type` argument. */
  type?: string;
  [key: string]: unknown;
}

export interface ExchangeDefinition {
  name: string;
  vhost?: string;
  type: string;
  durable?: boolean;
  auto_delete?: boolean;
  internal?: boolean;
  arguments?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface BindingDefinition {
  source: string;
  vhost?: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key?: string;
  arguments?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface PolicyEntryDefinition {
  name: string;
  vhost?: string;
  pattern: string;
  /** RabbitMQ 3.12 also has classic_queues, quorum_queues and streams. */
  'apply-to'?: string;
  priority?: number;
  definition: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Definitions {
  rabbit_version?: string;
  rabbitmq_version?: string;
  product_name?: string;
  product_version?: string;
  users?: unknown[];
  vhosts?: VHostDefinition[];
  permissions?: unknown[];
  topic_permissions?: unknown[];
  parameters?: unknown[];
  global_parameters?: unknown[];
  policies?: PolicyEntryDefinition[];
  queues?: QueueDefinition[];
  exchanges?: ExchangeDefinition[];
  bindings?: BindingDefinition[];
  [key: string]: unknown;
}

/** What `POST /api/definitions` answers: what Warren left out, one sentence each. */
export interface DefinitionsImportResult {
  warnings: string[];
  /** With `prune=true`: what the import deleted because the document does not have it. */
  deleted?: DefinitionsObjects;
}

/** The query string of `POST /api/definitions` (docs/definitions.md). */
export interface DefinitionsQuery {
  /** `apply` (the default) imports; `diff` answers what an import would do and changes nothing. */
  mode?: 'apply' | 'diff';
  /** Delete what the document does not have, in the vhosts it names. */
  prune?: 'true' | 'false';
  /** Let a prune delete queues that hold messages. */
  force?: 'true' | 'false';
}

export const DEFINITIONS_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { mode: { enum: ['apply', 'diff'] }, prune: { enum: ['true', 'false'] }, force: { enum: ['true', 'false'] } },
};

/** Checks the query string of `POST /api/definitions`; throws WarrenError `invalid_argument`. */
export const parseDefinitionsQuery = bodyParser<DefinitionsQuery>(DEFINITIONS_QUERY_SCHEMA, (path) => `query parameter '${path.join('.')}'`);

/** A policy, exchange or queue, by name. */
export interface DefinitionsObjectRef {
  vhost: string;
  name: string;
  /** Queues a prune deletes: the messages they hold (ready and unacknowledged). */
  messages?: number;
}

/** A binding, by the fields that make it one (AMQP: source, destination, routing key, arguments). */
export interface DefinitionsBindingRef {
  vhost: string;
  source: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments: Record<string, unknown>;
}

export interface DefinitionsObjects {
  policies: DefinitionsObjectRef[];
  exchanges: DefinitionsObjectRef[];
  queues: DefinitionsObjectRef[];
  bindings: DefinitionsBindingRef[];
}

/** An object that exists and that the document gives other fields (RabbitMQ's field names). */
export interface DefinitionsChange extends DefinitionsObjectRef {
  fields: Record<string, { old: unknown; new: unknown }>;
  /**
   * Set when an import refuses the change: a queue's or an exchange's properties cannot change
   * once declared (AMQP 0-9-1 §1.6, §1.7), so it must be deleted first.
   */
  refused?: 'queue_conflict' | 'exchange_conflict';
}

/** What `POST /api/definitions?mode=diff` answers; nothing is changed. */
export interface DefinitionsDiff {
  mode: 'diff';
  create: DefinitionsObjects & { vhosts: string[] };
  change: { policies: DefinitionsChange[]; exchanges: DefinitionsChange[]; queues: DefinitionsChange[] };
  /** Empty unless `prune=true`. */
  delete: DefinitionsObjects;
  warnings: string[];
}

const text = { type: 'string', maxLength: 255 };
const bool = { type: 'boolean' };
const table = { type: 'object', maxProperties: 1024 };
const entries = (required: string[], properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'array',
  maxItems: 100_000,
  items: { type: 'object', required, properties },
});
const anything = { type: 'array', maxItems: 100_000 };

export const DEFINITIONS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    rabbit_version: { type: 'string' },
    rabbitmq_version: { type: 'string' },
    product_name: { type: 'string' },
    product_version: { type: 'string' },
    users: anything,
    permissions: anything,
    topic_permissions: anything,
    parameters: anything,
    global_parameters: anything,
    vhosts: entries(['name'], { name: text }),
    policies: entries(['name', 'pattern', 'definition'], {
      name: text,
      vhost: text,
      pattern: { type: 'string', maxLength: 1024 },
      'apply-to': { type: 'string' },
      priority: { type: 'integer' },
      definition: table,
    }),
    queues: entries(['name'], { name: text, vhost: text, durable: bool, auto_delete: bool, arguments: table, type: { type: 'string' } }),
    exchanges: entries(['name', 'type'], {
      name: text,
      vhost: text,
      type: { type: 'string' },
      durable: bool,
      auto_delete: bool,
      internal: bool,
      arguments: table,
    }),
    bindings: entries(['source', 'destination', 'destination_type'], {
      source: text,
      vhost: text,
      destination: text,
      destination_type: { enum: ['queue', 'exchange'] },
      routing_key: text,
      arguments: table,
    }),
  },
};

/** `queues[3] ('orders').durable`: the section, the index, and the entry's name when it has one. */
const definitionsField: FieldNamer = (path, body) => {
  const [section, index, ...rest] = path;
  if (section === undefined || index === undefined || !/^\d+$/.test(index)) return `field '${path.join('.')}'`;
  const entry = valueAt(body, [section, index]) as Record<string, unknown> | undefined;
  const label =
    typeof entry?.name === 'string'
      ? ` ('${entry.name}')`
      : typeof entry?.source === 'string' && typeof entry.destination === 'string'
        ? ` ('${entry.source}' → '${entry.destination}')`
        : '';
  return `${section}[${index}]${label}${rest.length > 0 ? `.${rest.join('.')}` : ''}`;
};

/** Checks the shape of a definitions document; throws WarrenError `invalid_argument` naming the entry. */
export const parseDefinitions = bodyParser<Definitions>(DEFINITIONS_SCHEMA, definitionsField);
