/**
 * Warren as a broker under test: its own process (warren-process.ts) or a cluster of them
 * (warren-cluster.ts), the topology declared with @warren/client, and the workers in this
 * folder. `ws` is passed to every client explicitly, so Node 20 and Node 22 (whose global
 * WebSocket is undici's) measure the same transport.
 */
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { connect } from '@warren/client';
import type { Broker, WorkerRole } from '../broker.js';
import type { Topology } from '../scenario.js';
import { WarrenCluster } from './warren-cluster.js';
import { WarrenProcess } from './warren-process.js';

const SCRIPTS: Record<WorkerRole, string> = {
  producer: 'warren-producer.js',
  consumer: 'warren-consumer.js',
  connections: 'warren-connections.js',
};

export const warren: Broker = {
  name: 'warren',
  label: 'Warren',
  start: (nodes) => (nodes > 1 ? WarrenCluster.start(nodes) : WarrenProcess.start()),
  async declare(url: string, topology: Topology): Promise<void> {
    const client = await connect(url, { WebSocket, name: 'bench-setup' });
    try {
      for (const { name, type, durable } of topology.exchanges) await client.declareExchange(name, type, { durable });
      for (const { name, durable, type } of topology.queues) {
        // On a cluster, `quorum` is a replicated queue on three nodes, as on RabbitMQ.
        const args = type === undefined ? {} : { arguments: { 'x-queue-type': type } };
        await client.declareQueue(name, { durable, autoDelete: false, exclusive: false, ...args });
      }
      await Promise.all(topology.bindings.map(({ queue, exchange, routingKey }) => client.bind(queue, exchange, routingKey)));
    } finally {
      await client.close();
    }
  },
  leaderOf(running, queue) {
    if (!(running instanceof WarrenCluster)) throw new Error('a single Warren node has no replicated queues');
    return running.leaderOf(queue);
  },
  workerScript: (role) => fileURLToPath(new URL(`./${SCRIPTS[role]}`, import.meta.url)),
};
