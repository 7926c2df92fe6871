/**
 * A RabbitMQ node's private world: a temporary directory holding its database, logs, an empty
 * plugin list and its Erlang cookie (HOME points there), and the environment that makes
 * rabbitmq-server use it, listen on 127.0.0.1 only, on ports of its own, under a unique node
 * name, talking to an epmd of the bench's (shared by the nodes of a cluster, with their cookie). Nothing under /etc/rabbitmq or /var/lib/rabbitmq is read
 * or written. Starting the processes is rabbit-process.ts's job.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@warren/server/launch';

export interface RabbitNodeDir {
  dir: string;
  amqpPort: number;
  epmdPort: number;
  nodeName: string;
  env: NodeJS.ProcessEnv;
}

/** What the nodes of one cluster share: one epmd, one Erlang cookie. */
export interface SharedEpmd {
  epmdPort: number;
  cookie: string;
}

let started = 0;

/** A fresh epmd port and cookie for a cluster's nodes (or a single node's). */
export async function sharedEpmd(): Promise<SharedEpmd> {
  return { epmdPort: await freePort(), cookie: randomBytes(20).toString('hex').toUpperCase() };
}

export async function createRabbitNodeDir(shared?: SharedEpmd): Promise<RabbitNodeDir> {
  const dir = await mkdtemp(join(tmpdir(), 'warren-bench-rabbitmq-'));
  await Promise.all([mkdir(join(dir, 'mnesia')), mkdir(join(dir, 'log'))]);
  // No plugins: the management plugin and friends would cost memory and CPU Warren does not spend.
  await writeFile(join(dir, 'enabled_plugins'), '[].\n');
  // Empty, so /etc/rabbitmq/rabbitmq-env.conf is not read.
  await writeFile(join(dir, 'rabbitmq-env.conf'), '');
  const { epmdPort, cookie } = shared ?? (await sharedEpmd());
  // The cookie is how the nodes of a cluster (and rabbitmqctl) prove they belong; Erlang wants it private.
  await writeFile(join(dir, '.erlang.cookie'), cookie, { mode: 0o400 });
  const [amqpPort, distPort] = await twoFreePorts(epmdPort);
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

async function twoFreePorts(taken: number): Promise<[number, number]> {
  const ports = new Set<number>();
  while (ports.size < 2) {
    const port = await freePort();
    if (port !== taken) ports.add(port);
  }
  const [a, b] = ports;
  return [a as number, b as number];
}
