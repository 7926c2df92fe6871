/** The compose demo's load generator (apps/loadgen, built) moves the broker's charts: publishes, acks, dead letters, unroutables. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';
import { scrape, total } from '../support/prometheus.js';

const MAIN = fileURLToPath(new URL('../../apps/loadgen/dist/main.js', import.meta.url));
let broker: TestBroker;
beforeAll(async () => (broker = await startBroker()));
afterAll(() => broker.dispose());

it('publishes over the topology it declares, acks, and rejects into the dead-letter queue', async () => {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, WARREN_URL: broker.url, LOADGEN_RATE: '200', LOADGEN_REJECT: '0.3' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const figure = async (name: string, labels?: Record<string, string>) => total(await scrape(broker.httpUrl), name, labels);
    await expect.poll(() => figure('warren_global_messages_acknowledged_total'), { timeout: 20_000 }).toBeGreaterThan(50);
    await expect.poll(() => figure('warren_global_messages_dead_lettered_rejected_total', { dead_letter_strategy: 'at_most_once' }), { timeout: 20_000 }).toBeGreaterThan(5);
    await expect.poll(() => figure('warren_global_messages_unroutable_dropped_total'), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await figure('warren_global_publishers')).toBe(1);
    expect(broker.broker.vhost('/')!.queue('demo.dead')!.messageCount).toBeGreaterThan(0);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});
