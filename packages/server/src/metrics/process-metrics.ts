/**
 * The process's own figures (resident memory, CPU, open and maximum file descriptors, event
 * loop, heap) from prom-client's default collectors: `warren_process_resident_memory_bytes`, or
 * `rabbitmq_process_resident_memory_bytes` and the rest under the rabbitmq prefix. They describe
 * the process, not a broker, so each prefix gets one registry per process however many brokers
 * it runs (tests run several).
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

const registries = new Map<string, Registry>();

export function processRegistry(prefix: string): Registry {
  let registry = registries.get(prefix);
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: `${prefix}_` });
    registries.set(prefix, registry);
  }
  return registry;
}
