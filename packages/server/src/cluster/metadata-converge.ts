/**
 * Converging this node to a metadata snapshot (docs/cluster.md, "Metadata log compaction"): the
 * node missed entries a leader has compacted away, so it is sent what they decided instead, and
 * its broker is made to hold exactly that (metadata-diff.ts says what differs). Deletions first
 * (their ends gone, bindings need no unbinding), then creations, moves, bindings, policies and
 * access. Each step that fails is logged and the others still run: a node holding all but one
 * object is better than one stopped half way.
 *
 * Queues are restored with their recorded replica set, as a restart restores them: a replicated
 * queue's group starts here if this node is a member, and no replicated queue is declared anew.
 */
import type { Broker, QueueRecord } from '@warren/core';
import type { AccessRegistry } from '../auth/access-registry.js';
import { HTTP_OWNER } from '../http/routes/queues.js';
import { written } from '../http/lookup.js';
import type { ServerLogger } from '../log.js';
import { diffMetadata, type MetadataDiff } from './metadata-diff.js';
import { captureMetadataState, parseMetadataState } from './metadata-state.js';
import { ReplicatedQueue } from './replicated-queue.js';
import type { ReplicatedQueues } from './replicated-queues.js';

export interface ConvergeContext {
  readonly broker: Broker;
  readonly registry: AccessRegistry | undefined;
  readonly hub: ReplicatedQueues;
  readonly logger: ServerLogger;
}

/** Makes the broker hold the snapshot's state; resolves with what it changed, once it is on disk. */
export async function convergeMetadata(context: ConvergeContext, snapshot: unknown): Promise<MetadataDiff> {
  const target = parseMetadataState(snapshot);
  const diff = diffMetadata(captureMetadataState(context.broker, context.registry), target);
  carryOut(context, diff);
  await written(context.broker);
  return diff;
}

function carryOut({ broker, registry, hub, logger }: ConvergeContext, diff: MetadataDiff): void {
  const step = (what: string, detail: unknown, run: () => void) => {
    try {
      run();
    } catch (error) {
      logger.warn({ err: error, step: what, detail }, 'a step of converging to a metadata snapshot failed');
    }
  };
  const vhost = (name: string) => {
    const found = broker.vhost(name);
    if (found === undefined) throw new Error(`no vhost '${name}'`);
    return found;
  };
  for (const name of diff.deleteVHosts) {
    step('delete vhost', name, () => {
      broker.deleteVHost(name);
      registry?.vhostDeleted(name);
    });
  }
  for (const b of diff.unbind) {
    step('unbind', b, () => (b.destinationType === 'queue' ? vhost(b.vhost).unbindQueue(b.destination, b.source, b.routingKey, b.arguments, HTTP_OWNER) : vhost(b.vhost).unbindExchange(b.destination, b.source, b.routingKey, b.arguments)));
  }
  for (const q of diff.deleteQueues) step('delete queue', q, () => vhost(q.vhost).deleteQueue(q.name, false, false, HTTP_OWNER));
  for (const x of diff.deleteExchanges) step('delete exchange', x, () => vhost(x.vhost).deleteExchange(x.name, false));
  for (const v of diff.putVHosts) step('put vhost', v.name, () => broker.declareVHost(v.name, v.metadata));
  for (const { vhost: name, ...spec } of diff.putExchanges) step('put exchange', spec.name, () => vhost(name).declareExchange(spec, false));
  for (const q of diff.putQueues) {
    step('put queue', q, () => {
      const host = vhost(q.vhost);
      const record: QueueRecord = { id: broker.newId(), vhost: q.vhost, name: q.name, durable: q.durable, exclusive: false, autoDelete: q.autoDelete, arguments: q.arguments, ...(q.replicas === undefined ? {} : { replicas: q.replicas }) };
      const queue = host.restoreQueue(record);
      if (queue.survivesRestart) host.store.putQueue(record);
    });
  }
  for (const q of diff.moveQueues) {
    step('move queue', q, () => {
      const host = vhost(q.vhost);
      const queue = host.queue(q.name);
      if (!(queue instanceof ReplicatedQueue) || q.replicas === undefined) return;
      hub.moved(queue, q.replicas);
      host.store.putQueue(queue.record);
    });
  }
  for (const b of diff.bind) {
    step('bind', b, () => (b.destinationType === 'queue' ? vhost(b.vhost).bindQueue(b.destination, b.source, b.routingKey, b.arguments, HTTP_OWNER) : vhost(b.vhost).bindExchange(b.destination, b.source, b.routingKey, b.arguments)));
  }
  for (const p of diff.putPolicies) step('put policy', p.name, () => vhost(p.vhost).setPolicy(p));
  for (const p of diff.deletePolicies) step('delete policy', p, () => vhost(p.vhost).deletePolicy(p.name));
  if (registry === undefined) return;
  for (const u of diff.putUsers) step('put user', u.name, () => registry.putUser(u));
  // Fields in the order the API writes them: exports list them alike on every node.
  for (const { user, vhost, configure, write, read } of diff.putPermissions) step('put permission', user, () => registry.putPermission({ user, vhost, configure, write, read }));
  for (const { user, vhost, exchange, write, read } of diff.putTopicPermissions) step('put topic permission', user, () => registry.putTopicPermission({ user, vhost, exchange, write, read }));
  for (const t of diff.deleteTopicPermissions) step('delete topic permission', t, () => registry.deleteTopicPermission(t.user, t.vhost, t.exchange));
  for (const p of diff.deletePermissions) step('delete permission', p, () => registry.deletePermission(p.user, p.vhost));
  for (const name of diff.deleteUsers) step('delete user', name, () => registry.deleteUser(name));
}
