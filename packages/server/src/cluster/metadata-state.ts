/**
 * The broker's part of a metadata snapshot (docs/cluster.md, "Metadata log compaction"):
 * everything the metadata log decides, as this node's broker holds it, and more than a
 * definitions export carries: each replicated queue's replica set (group, members, preferred
 * leader, founders: a move's new members included), vhost metadata, and users as stored
 * (password hashes and their algorithm). Exclusive queues belong to a connection of this node
 * and are not in it. Lists are sorted, so the same broker gives the same snapshot.
 *
 * `parseMetadataState` checks a snapshot's state whole (ajv, compiled once) before anything of
 * it is used.
 */
import { Ajv } from 'ajv';
import { listedBindings, type BindingRecord, type Broker, type ExchangeRecord, type PolicyRecord, type QueueReplicas, type Table, type VHostMetadata } from '@warren/core';
import { WarrenError } from '@warren/protocol';
import type { AccessRegistry, PermissionRecord, TopicPermissionRecord, UserRecord } from '../auth/access-registry.js';

export interface QueueState {
  vhost: string;
  name: string;
  durable: boolean;
  autoDelete: boolean;
  arguments: Table;
  replicas?: QueueReplicas;
}

export interface MetadataState {
  vhosts: { name: string; metadata: VHostMetadata }[];
  exchanges: ExchangeRecord[];
  queues: QueueState[];
  bindings: BindingRecord[];
  policies: PolicyRecord[];
  users: UserRecord[];
  permissions: PermissionRecord[];
  topicPermissions: TopicPermissionRecord[];
}

/** Reserved exchanges every vhost has: never in a snapshot, never deleted by one. */
export function isBuiltInExchange(name: string): boolean {
  return name === '' || name.startsWith('amq.');
}

export function captureMetadataState(broker: Broker, registry: AccessRegistry | undefined): MetadataState {
  const vhosts = [...broker.vhosts.values()];
  const state: MetadataState = {
    vhosts: vhosts.map((v) => ({ name: v.name, metadata: structuredClone(v.metadata) })),
    exchanges: vhosts.flatMap((v) => [...v.exchanges.values()].filter((x) => !isBuiltInExchange(x.name)).map((x) => structuredClone(x.record))),
    queues: vhosts.flatMap((v) =>
      [...v.queues.values()]
        .filter((q) => !q.record.exclusive)
        .map(({ record: q }) => ({ vhost: q.vhost, name: q.name, durable: q.durable, autoDelete: q.autoDelete, arguments: structuredClone(q.arguments), ...(q.replicas === undefined ? {} : { replicas: structuredClone(q.replicas) }) })),
    ),
    bindings: vhosts.flatMap(listedBindings).map((b) => ({ ...b, arguments: structuredClone(b.arguments) })),
    policies: vhosts.flatMap((v) => [...v.policies.values()].map((p) => structuredClone(p.record))),
    users: registry === undefined ? [] : [...registry.users.values()].map((u) => structuredClone(u)),
    permissions: registry === undefined ? [] : [...registry.permissions.values()].map((p) => ({ ...p })),
    topicPermissions: registry === undefined ? [] : [...registry.topicPermissions.values()].map((p) => ({ ...p })),
  };
  return sortState(state);
}

/** Every list in a fixed order (by its entries' identity), so equal states compare and encode equal. */
export function sortState(state: MetadataState): MetadataState {
  const by = <T>(list: T[], key: (item: T) => string) => list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const sep = '\u0000';
  by(state.vhosts, (v) => v.name);
  by(state.exchanges, (x) => x.vhost + sep + x.name);
  by(state.queues, (q) => q.vhost + sep + q.name);
  by(state.bindings, (b) => [b.vhost, b.source, b.destinationType, b.destination, b.routingKey, JSON.stringify(b.arguments)].join(sep));
  by(state.policies, (p) => p.vhost + sep + p.name);
  by(state.users, (u) => u.name);
  by(state.permissions, (p) => p.user + sep + p.vhost);
  by(state.topicPermissions, (p) => [p.user, p.vhost, p.exchange].join(sep));
  return state;
}

const name = { type: 'string', maxLength: 1024 };
const table = { type: 'object' };
const strings = { type: 'array', items: { type: 'string' } };
const object = (required: Record<string, unknown>, optional: Record<string, unknown> = {}) => ({
  type: 'object',
  required: Object.keys(required),
  properties: { ...required, ...optional },
});
const list = (item: unknown) => ({ type: 'array', items: item });
const replicas = object({ group: name, members: strings, leader: name }, { founders: strings });
const schema = object({
  vhosts: list(object({ name, metadata: object({ description: { type: 'string' }, tags: strings, defaultQueueType: { type: 'string' } }) })),
  exchanges: list(object({ vhost: name, name, type: { type: 'string' }, durable: { type: 'boolean' }, autoDelete: { type: 'boolean' }, internal: { type: 'boolean' }, arguments: table })),
  queues: list(object({ vhost: name, name, durable: { type: 'boolean' }, autoDelete: { type: 'boolean' }, arguments: table }, { replicas })),
  bindings: list(object({ vhost: name, source: name, destination: name, destinationType: { enum: ['queue', 'exchange'] }, routingKey: { type: 'string' }, arguments: table })),
  policies: list(object({ vhost: name, name, pattern: { type: 'string' }, applyTo: { enum: ['queues', 'exchanges', 'all'] }, priority: { type: 'number' }, definition: table })),
  users: list(object({ name, password_hash: { type: 'string' }, hashing_algorithm: { type: 'string' }, tags: strings, limits: table })),
  permissions: list(object({ user: name, vhost: name, configure: { type: 'string' }, write: { type: 'string' }, read: { type: 'string' } })),
  topicPermissions: list(object({ user: name, vhost: name, exchange: { type: 'string' }, write: { type: 'string' }, read: { type: 'string' } })),
});
const validate = new Ajv({ allErrors: false, strict: false }).compile(schema);

/** The state of a snapshot, checked; WarrenError `invalid_argument` names what is wrong. */
export function parseMetadataState(value: unknown): MetadataState {
  if (!validate(value)) {
    const error = validate.errors?.[0];
    throw new WarrenError('invalid_argument', `metadata snapshot${error?.instancePath.replaceAll('/', '.') ?? ''} ${error?.message ?? 'is invalid'}`);
  }
  return value as unknown as MetadataState;
}
