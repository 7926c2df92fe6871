/**
 * RabbitMQ as a broker under test: a node of its own (rabbit-process.ts), the topology declared
 * with amqplib (every queue a classic queue, as docs/performance.md measured), and the amqp-* workers
 * in this folder. Installing the package is rabbit-install.ts's job, done once before any run.
 */
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import type { Broker, WorkerRole } from '../broker.js';
import type { Topology } from '../scenario.js';
import { RabbitProcess } from './rabbit-process.js';

const SCRIPTS: Record<WorkerRole, string> = {
  producer: 'amqp-producer.js',
  consumer: 'amqp-consumer.js',
  connections: 'amqp-connections.js',
};

export const rabbitmq: Broker = {
  name: 'rabbitmq',
  label: 'RabbitMQ',
  start: () => RabbitProcess.start(),
  async declare(url: string, topology: Topology): Promise<void> {
    const connection = await amqp.connect(url);
    try {
      const channel = await connection.createChannel();
      for (const { name, type, durable } of topology.exchanges) await channel.assertExchange(name, type, { durable, autoDelete: false });
      for (const { name, durable } of topology.queues) {
        await channel.assertQueue(name, { durable, autoDelete: false, exclusive: false, arguments: { 'x-queue-type': 'classic' } });
      }
      await Promise.all(topology.bindings.map(({ queue, exchange, routingKey }) => channel.bindQueue(queue, exchange, routingKey)));
    } finally {
      await connection.close();
    }
  },
  workerScript: (role) => fileURLToPath(new URL(`./${SCRIPTS[role]}`, import.meta.url)),
};
