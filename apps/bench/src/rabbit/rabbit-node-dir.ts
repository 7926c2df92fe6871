/**
 * A RabbitMQ node's private world: a temporary directory holding its database, logs, an empty
 * plugin list and its Erlang cookie (HOME points there), and the environment that makes
 * rabbitmq-server use it, listen on 127.0.0.1 only, on ports of its own, under a unique node
 * name, talking to an epmd of its own. Nothing under /etc/rabbitmq or /var/lib/rabbitmq is read
 * or written. Starting the processes is rabbit-process.ts's job.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port.js';

export interface RabbitNodeDir {
  dir: string;
  amqpPort: number;
  epmdPort: number;
  nodeName: string;
  env: NodeJS.ProcessEnv;
}

let started = 0;

export async function createRabbitNodeDir(): Promise<RabbitNodeDir> {
  const dir = await mkdtemp(join(tmpdir(), 'warren-bench-rabbitmq-'));
  await Promise.all([mkdir(join(dir, 'mnesia')), mkdir(join(dir, 'log'))]);
  // No plugins: the management plugin and friends would cost memory and CPU Warren does not spend.
  await writeFile(join(dir, 'enabled_plugins'), '[].\n');
  // Empty, so /etc/rabbitmq/rabbitmq-env.conf is not read.
  await writeFile(join(dir, 'rabbitmq-env.conf'), '');
  const [amqpPort, distPort, epmdPort] = await threeFreePorts();
  const nodeName = `warren-bench-${process.pid}-${++started}@localhost`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    // Logs to stdout, where rabbit-process.ts counts warnings; nothing accumulates on disk.
    RABBITMQ_LOGS: '-',
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    // Neither file exists: the node runs with RabbitMQ's defaults, as docs/performance.md measured it.
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  return { dir, amqpPort, epmdPort, nodeName, env };
}

async function threeFreePorts(): Promise<[number, number, number]> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [a, b, c] = ports;
  return [a as number, b as number, c as number];
}
