/**
 * A request id follows a call through the log: an HTTP call's X-Request-Id (given or made) is
 * echoed and on every line the call logs; a WebSocket request is traced by its connection and id.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@warren/client';
import { createLogger, loadConfig, startServer, type WarrenServer } from '@warren/server';
import { tempDir } from '../support/broker.js';

const lines: Record<string, unknown>[] = [];
let server: WarrenServer;
let removeDir: () => Promise<void>;

beforeAll(async () => {
  const dir = await tempDir();
  removeDir = dir.remove;
  const config = loadConfig({ overrides: { host: '127.0.0.1', port: 0, dataDir: dir.path, logLevel: 'debug' } });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  server = await startServer(config, createLogger(config, sink));
});
afterAll(async () => {
  await server.close();
  await removeDir();
});

describe('HTTP request ids', () => {
  it('echoes a caller’s X-Request-Id and logs the request under it', async () => {
    const response = await fetch(`${server.httpUrl}/api/queues/%2F/no-such-queue`, { headers: { 'x-request-id': 'trace-42' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('trace-42');
    const line = lines.find((l) => l.reqId === 'trace-42' && l.msg === 'http request');
    expect(line).toMatchObject({ level: 20, method: 'GET', url: '/api/queues/%2F/no-such-queue', statusCode: 404, node: 'warren@localhost' });
  });

  it('makes an id when the caller gave none or an unusable one', async () => {
    const plain = await fetch(`${server.httpUrl}/healthz`);
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const odd = await fetch(`${server.httpUrl}/healthz`, { headers: { 'x-request-id': 'has spaces and "quotes"' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('WebSocket request tracing', () => {
  it('logs a failed request with its connection and request id', async () => {
    const client = await connect(server.url);
    await expect(client.declareQueue('absent', { passive: true })).rejects.toMatchObject({ code: 'queue_not_found' });
    await client.close();
    const failed = lines.find((l) => l.msg === 'ws request failed' && l.code === 'queue_not_found');
    expect(failed).toMatchObject({ connection: expect.any(String), request: expect.any(Number) });
    const request = lines.find((l) => l.msg === 'ws request' && l.connection === failed!.connection && l.request === failed!.request);
    expect(request).toMatchObject({ type: 'queue.declare' });
  });
});
