// A Warren broker as a process of its own for the measuring scripts, started by the shared
// launcher (packages/server/src/launch/broker-process.ts; run the build first), with its RSS
// read from /proc by PID.
import { readFileSync } from 'node:fs';
import { launchBroker } from '@warren/server/launch';

export async function startBrokerProcess(name, env = {}) {
  const broker = await launchBroker({ name, env });
  const status = () => readFileSync(`/proc/${broker.pid}/status`, 'utf8');
  return {
    pid: broker.pid,
    url: broker.url,
    httpUrl: broker.httpUrl,
    status,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(status())[1]) / 1024,
    stop: () => broker.stop(),
  };
}
