/**
 * Nodes, RabbitMQ's way (`GET /api/nodes`, `GET /api/nodes/{name}`): each node's memory and disk
 * with their alarms (alarms/), uptime, processors and connection count. In a cluster, every
 * member appears: this node as it is, the others as they last reported themselves over the
 * cluster port (once a second); a member not heard from for a few seconds is `running: false`.
 * Each node also shows its place in the metadata group (role, leader, term, log position), and
 * the replicated queues it leads and follows.
 */
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { WarrenError } from '@warren/protocol';
import type { Broker } from '@warren/core';
import type { ApiContext } from '../api-context.js';
import { ReplicatedQueue } from '../../cluster/replicated-queue.js';
import { VERSION } from '../../version.js';

interface NodeParams {
  name: string;
}

/** A member whose last report is older than this is shown as not running. */
const REPORT_STALE_MS = 3_000;

/** The replicated queues this node leads, and those it holds a replica of and does not lead. */
function replicaRoles(broker: Broker | undefined, nodeId: string): { queues_led: QueueName[]; queues_followed: QueueName[] } {
  const roles = { queues_led: [] as QueueName[], queues_followed: [] as QueueName[] };
  for (const vhost of broker?.vhosts.values() ?? []) {
    for (const queue of vhost.queues.values()) {
      if (!(queue instanceof ReplicatedQueue)) continue;
      const { leader, members } = queue.describe();
      const name = { vhost: vhost.name, name: queue.name };
      if (leader === nodeId) roles.queues_led.push(name);
      else if (members.includes(nodeId)) roles.queues_followed.push(name);
    }
  }
  return roles;
}

interface QueueName {
  vhost: string;
  name: string;
}

/**
 * This node as it shows itself. `report`: the view it sends its peers once a second, without the
 * lists of queues it leads and follows (ten thousand queues would make every report hundreds of
 * KB); a node asked computes every member's lists from its own replicas (allNodes).
 */
export function nodeView({ listener, nodeId, cluster, broker, report = false }: Pick<ApiContext, 'listener' | 'nodeId' | 'cluster'> & { broker?: Broker; report?: boolean }): Record<string, unknown> {
  const memory = process.memoryUsage();
  const member = cluster?.();
  return {
    name: nodeId,
    type: 'disc',
    running: true,
    being_drained: false,
    uptime: Math.round(process.uptime() * 1000),
    os_pid: String(process.pid),
    processors: os.availableParallelism(),
    rates_mode: 'basic',
    partitions: [],
    product_name: 'Warren',
    product_version: VERSION,
    sockets_used: listener.sessions.size,
    connections: listener.sessions.size,
    run_queue: 0,
    // RabbitMQ's mem_used is the VM's whole use; here the process's RSS (the alarm's own reading is mem_used below when one is set).
    ...listener.alarms.status(),
    memory: { total: memory.rss, heap_used: memory.heapUsed, heap_total: memory.heapTotal, external: memory.external, array_buffers: memory.arrayBuffers },
    mem_used: listener.alarms.status().mem_used || memory.rss,
    ...(member === undefined
      ? {}
      : (() => {
          const status = member.status();
          return { cluster_links: status.connected, metadata: status.metadata, ...(report ? {} : replicaRoles(broker, nodeId)) };
        })()),
  };
}

function allNodes(context: ApiContext): Record<string, unknown>[] {
  const self = nodeView(context);
  const member = context.cluster?.();
  if (member === undefined) return [self];
  const now = Date.now();
  const connected = new Set(member.transport.connectedPeers());
  const reports = member.peerReports();
  return member.members.map((id) => {
    if (id === context.nodeId) return self;
    const last = reports.get(id);
    if (last === undefined) return { name: id, running: false };
    const running = connected.has(id) && now - last.receivedAt < REPORT_STALE_MS;
    return { ...last.report, ...replicaRoles(context.broker, id), name: id, running, last_report_age: now - last.receivedAt };
  });
}

export function nodeRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/api/nodes', { config: { doc: { summary: 'List the nodes' } } }, async () => allNodes(context));

  app.get<{ Params: NodeParams }>('/api/nodes/:name', { config: { doc: { summary: 'Show a node' } } }, async (request) => {
    const node = allNodes(context).find((n) => n.name === request.params.name);
    if (node === undefined) throw new WarrenError('not_found', `no node '${request.params.name}'`);
    return node;
  });
}
