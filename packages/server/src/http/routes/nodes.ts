/**
 * Nodes, RabbitMQ's way (`GET /api/nodes`, `GET /api/nodes/{name}`): this node, its memory and
 * disk with their alarms (alarms/), uptime, processors and connection count. One node until the
 * cluster lands; then every member appears here.
 */
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { WarrenError } from '@warren/protocol';
import type { ApiContext } from '../api-context.js';
import { VERSION } from '../../version.js';

interface NodeParams {
  name: string;
}

function nodeView({ listener, nodeId }: ApiContext): Record<string, unknown> {
  const memory = process.memoryUsage();
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
  };
}

export function nodeRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/api/nodes', { config: { doc: { summary: 'List the nodes' } } }, async () => [nodeView(context)]);

  app.get<{ Params: NodeParams }>('/api/nodes/:name', { config: { doc: { summary: 'Show a node' } } }, async (request) => {
    if (request.params.name !== context.nodeId) throw new WarrenError('not_found', `no node '${request.params.name}'`);
    return nodeView(context);
  });
}
