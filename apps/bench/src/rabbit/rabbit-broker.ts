/**
 * RabbitMQ as a broker under test: a node of its own (rabbit-process.ts) or a cluster of them
 * (rabbit-cluster.ts), the topology declared with amqplib (a classic queue unless the scenario
 * asks for a quorum queue; classic as docs/performance.md measured), and the amqp-* workers
 * in this folder. Installing the package is rabbit-install.ts's job, done once before any run.
 */
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import type { Broker, WorkerRole } from '../broker.js';
import type { Topology } from '../scenario.js';
import { RabbitCluster } from './rabbit-cluster.js';
import { RabbitProcess } from './rabbit-process.js';

const SCRIPTS: Record<WorkerRole, string> = {
  producer: 'amqp-producer.js',
  consumer: 'amqp-consumer.js',
  connections: 'amqp-connections.js',
};

export const rabbitmq: Broker = {
  name: 'rabbitmq',
  label: 'RabbitMQ',
  start: (nodes) => (nodes > 1 ? RabbitCluster.start(nodes) : RabbitProcess.start()),
  async declare(url: string, topology: Topology): Promise<void> {
    const connection = await amqp.connect(url);
    try {
      const channel = await connection.createChannel();
      for (const { name, type, durable } of topology.exchanges) await channel.assertExchange(name, type, { durable, autoDelete: false });
      for (const { name, durable, type } of topology.queues) {
        // A quorum queue's leader is the declaring client's node (queue-leader-locator client-local, the default).
        await channel.assertQueue(name, { durable, autoDelete: false, exclusive: false, arguments: { 'x-queue-type': type ?? 'classic' } });
      }
      await Promise.all(topology.bindings.map(({ queue, exchange, routingKey }) => channel.bindQueue(queue, exchange, routingKey)));
    } finally {
      await connection.close();
    }
  },
  leaderOf(running, queue) {
    if (!(running instanceof RabbitCluster)) throw new Error('a single RabbitMQ node has no quorum queue leader to find');
    return running.leaderOf(queue);
  },
  workerScript: (role) => fileURLToPath(new URL(`./${SCRIPTS[role]}`, import.meta.url)),
};
