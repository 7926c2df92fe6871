/** /healthz and /readyz as an orchestrator sees them: up, ready, and not ready while an alarm is raised. */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, startServer } from '@warren/server';
import { startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { call } from '../support/http.js';
import { scrape, total } from '../support/prometheus.js';

let broker: TestBroker | undefined;
afterEach(async () => {
  await broker?.dispose();
  broker = undefined;
});

describe('health', () => {
  it('/healthz answers while the process runs; /readyz lists its checks, all passing', async () => {
    broker = await startBroker();
    expect(await call(broker.httpUrl, 'GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await call(broker.httpUrl, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: [
        { name: 'store', ok: true },
        { name: 'alarms', ok: true },
        { name: 'shutdown', ok: true },
      ],
    });
  });

  it('/readyz is 503 with the reason while a resource alarm is raised, and /healthz still 200', async () => {
    // A watermark of one byte: the memory alarm is up from the first measurement.
    broker = await startBroker({ memoryHighWatermark: { bytes: 1 } });
    const ready = await call(broker.httpUrl, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ error: 'not_ready', reason: expect.stringContaining('memory') });
    expect(ready.body.checks).toContainEqual({ name: 'alarms', ok: false, reason: expect.stringContaining('memory') });
    expect((await call(broker.httpUrl, 'GET', '/healthz')).status).toBe(200);
    const excluding = await call(broker.httpUrl, 'GET', '/readyz?exclude=alarms');
    expect(excluding).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect(excluding.body.checks.map((c: { name: string }) => c.name)).toEqual(['store', 'shutdown']);
  });
});

describe('extensions (the cluster’s hooks)', () => {
  it('a package beside the core adds readiness checks and metric families', async () => {
    const dir = await tempDir();
    const config = loadConfig({ overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', dataDir: dir.path } });
    let joined = false;
    const server = await startServer(config, createLogger(config), {
      readiness: [{ name: 'cluster', problem: () => (joined ? undefined : 'not joined: no leader known') }],
      metrics: [{ register: (families) => families.gauge('raft_term', 'Raft term', () => 7) }],
    });
    try {
      const notYet = await call(server.httpUrl, 'GET', '/readyz');
      expect(notYet).toMatchObject({ status: 503, body: { error: 'not_ready', reason: 'not joined: no leader known' } });
      joined = true;
      expect((await call(server.httpUrl, 'GET', '/readyz')).status).toBe(200);
      expect(total(await scrape(server.httpUrl), 'warren_raft_term')).toBe(7);
    } finally {
      await server.close();
      await dir.remove();
    }
  });
});
