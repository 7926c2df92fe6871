/**
 * What a node must change to hold a metadata snapshot's state (metadata-state.ts), worked out
 * from what it holds now: a pure diff, carried out by metadata-converge.ts.
 *
 * An object is kept when it is the same declaration: an exchange with the same type, flags and
 * arguments; a queue with the same flags, arguments and (replicated) Raft group, so a classic
 * queue that stayed keeps its messages and a replicated one its log. One declared again
 * differently (or, replicated, in a new group) is deleted and created. A replicated queue whose
 * members or preferred leader moved only moves. Bindings follow their ends: those of a
 * re-created queue or exchange are bound again. What lives in a deleted vhost goes with it.
 */
import { canonicalJson, type BindingRecord, type ExchangeRecord, type PolicyRecord, type VHostMetadata } from '@warren/core';
import type { PermissionRecord, TopicPermissionRecord, UserRecord } from '../auth/access-registry.js';
import type { MetadataState, QueueState } from './metadata-state.js';

export interface Named {
  vhost: string;
  name: string;
}

export interface MetadataDiff {
  deleteVHosts: string[];
  putVHosts: { name: string; metadata: VHostMetadata }[];
  unbind: BindingRecord[];
  deleteQueues: Named[];
  deleteExchanges: Named[];
  putExchanges: ExchangeRecord[];
  putQueues: QueueState[];
  moveQueues: QueueState[];
  bind: BindingRecord[];
  putPolicies: PolicyRecord[];
  deletePolicies: Named[];
  putUsers: UserRecord[];
  putPermissions: PermissionRecord[];
  putTopicPermissions: TopicPermissionRecord[];
  deleteTopicPermissions: TopicPermissionRecord[];
  deletePermissions: PermissionRecord[];
  deleteUsers: string[];
}

const SEP = '\u0000';
const named = (x: Named) => x.vhost + SEP + x.name;
const bindingKey = (b: BindingRecord) => canonicalJson(b);
const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

function byKey<T>(list: readonly T[], key: (item: T) => string): Map<string, T> {
  return new Map(list.map((item) => [key(item), item]));
}

/** Entries of `target` that `current` lacks or holds otherwise, and keys of `current` that `target` lacks. */
function changed<T>(current: readonly T[], target: readonly T[], key: (item: T) => string, equal: (a: T, b: T) => boolean = same): { put: T[]; gone: T[] } {
  const now = byKey(current, key);
  const then = byKey(target, key);
  return {
    put: target.filter((t) => {
      const c = now.get(key(t));
      return c === undefined || !equal(c, t);
    }),
    gone: current.filter((c) => !then.has(key(c))),
  };
}

const sameExchange = (a: ExchangeRecord, b: ExchangeRecord) => a.type === b.type && a.durable === b.durable && a.autoDelete === b.autoDelete && a.internal === b.internal && same(a.arguments, b.arguments);
const sameQueue = (a: QueueState, b: QueueState) => a.durable === b.durable && a.autoDelete === b.autoDelete && same(a.arguments, b.arguments) && a.replicas?.group === b.replicas?.group;

export function diffMetadata(current: MetadataState, target: MetadataState): MetadataDiff {
  const vhosts = changed(current.vhosts, target.vhosts, (v) => v.name);
  const deletedVHosts = new Set(vhosts.gone.map((v) => v.name));
  const alive = (x: { vhost: string }) => !deletedVHosts.has(x.vhost);

  const exchanges = changed(current.exchanges, target.exchanges, named, sameExchange);
  const exchangesNow = byKey(current.exchanges, named);
  const recreatedExchanges = exchanges.put.filter((x) => exchangesNow.has(named(x)));
  const deleteExchanges = [...exchanges.gone, ...recreatedExchanges].filter(alive).map(({ vhost, name }) => ({ vhost, name }));

  const queues = changed(current.queues, target.queues, named, sameQueue);
  const queuesNow = byKey(current.queues, named);
  const recreatedQueues = queues.put.filter((q) => queuesNow.has(named(q)));
  const deleteQueues = [...queues.gone, ...recreatedQueues].filter(alive).map(({ vhost, name }) => ({ vhost, name }));
  const moveQueues = target.queues.filter((q) => {
    const now = queuesNow.get(named(q));
    return now !== undefined && sameQueue(now, q) && !same(now.replicas, q.replicas);
  });

  // Both ends of a binding, as `vhost NUL kind NUL name`: gone (deleted or re-created) or not.
  const goneEnds = new Set([...deleteExchanges.map((x) => `${x.vhost}${SEP}exchange${SEP}${x.name}`), ...deleteQueues.map((q) => `${q.vhost}${SEP}queue${SEP}${q.name}`)]);
  const endsGone = (b: BindingRecord) => !alive(b) || goneEnds.has(`${b.vhost}${SEP}exchange${SEP}${b.source}`) || goneEnds.has(`${b.vhost}${SEP}${b.destinationType}${SEP}${b.destination}`);
  const bindingsNow = new Set(current.bindings.map(bindingKey));
  const bindingsThen = new Set(target.bindings.map(bindingKey));

  const policies = changed(current.policies, target.policies, named);
  const users = changed(current.users, target.users, (u) => u.name);
  const permissions = changed(current.permissions, target.permissions, (p) => p.user + SEP + p.vhost);
  const topics = changed(current.topicPermissions, target.topicPermissions, (p) => [p.user, p.vhost, p.exchange].join(SEP));

  return {
    deleteVHosts: [...deletedVHosts],
    putVHosts: vhosts.put,
    unbind: current.bindings.filter((b) => !bindingsThen.has(bindingKey(b)) && !endsGone(b)),
    deleteQueues,
    deleteExchanges,
    putExchanges: exchanges.put,
    putQueues: queues.put,
    moveQueues,
    bind: target.bindings.filter((b) => !bindingsNow.has(bindingKey(b)) || endsGone(b)),
    putPolicies: policies.put,
    deletePolicies: policies.gone.filter(alive).map(({ vhost, name }) => ({ vhost, name })),
    putUsers: users.put,
    putPermissions: permissions.put,
    putTopicPermissions: topics.put,
    deleteTopicPermissions: topics.gone.filter(alive),
    deletePermissions: permissions.gone.filter(alive),
    deleteUsers: users.gone.map((u) => u.name),
  };
}
