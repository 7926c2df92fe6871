/**
 * Every name the protocol allows (up to 255 characters, any of them 4-byte UTF-8) works on every
 * HTTP route, and every HTTP error, fastify's own included (a bad URL, a path parameter too long),
 * is `{ error, reason }` with a stable code (docs/http-api.md, "Errors").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { call } from '../support/http.js';

let broker: TestBroker;
let client: Client;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
const at = (name: string) => encodeURIComponent(name);

beforeAll(async () => ({ broker, client } = await brokerWithClient()));
afterAll(() => stopBoth(client, broker));

const NAMES = ['q'.repeat(101), 'l'.repeat(255), '😀'.repeat(255), `a/b %?#&${'é'.repeat(247)}`];

describe('names of 101 to 255 characters over HTTP', () => {
  it('a queue declared over the WebSocket can be shown, peeked, purged and deleted over HTTP', async () => {
    for (const name of NAMES) {
      await client.declareQueue(name);
      await client.publish('', name, 'hello');
      const shown = await api('GET', `/api/queues/%2F/${at(name)}`);
      expect([shown.status, shown.body.name, shown.body.messages]).toEqual([200, name, 1]);
      const peeked = await api('POST', `/api/queues/%2F/${at(name)}/get`, { count: 1, mode: 'peek' });
      expect(peeked.status, JSON.stringify(peeked.body)).toBe(200);
      expect((await api('DELETE', `/api/queues/%2F/${at(name)}/contents`)).status).toBe(204);
      expect((await api('DELETE', `/api/queues/%2F/${at(name)}`)).status).toBe(204);
      expect((await api('GET', `/api/queues/%2F/${at(name)}`)).status).toBe(404);
    }
  });

  it('exchanges, bindings and policies with such names too', async () => {
    const exchange = 'x'.repeat(200) + '😀'.repeat(55);
    const queue = '😀'.repeat(255);
    const policy = 'p'.repeat(255);
    expect((await api('PUT', `/api/exchanges/%2F/${at(exchange)}`, { type: 'fanout' })).status).toBe(201);
    expect((await api('PUT', `/api/queues/%2F/${at(queue)}`, {})).status).toBe(201);
    expect((await api('POST', `/api/bindings/%2F/e/${at(exchange)}/q/${at(queue)}`, { routing_key: 'k'.repeat(255) })).status).toBe(201);
    const bindings = await api('GET', `/api/exchanges/%2F/${at(exchange)}`);
    expect(bindings.status).toBe(200);
    expect((await api('PUT', `/api/policies/%2F/${at(policy)}`, { pattern: '^x', definition: { 'max-length': 5 } })).status).toBe(201);
    expect((await api('GET', `/api/policies/%2F/${at(policy)}`)).body.name).toBe(policy);
    expect((await api('DELETE', `/api/policies/%2F/${at(policy)}`)).status).toBe(204);
    expect((await api('DELETE', `/api/exchanges/%2F/${at(exchange)}`)).status).toBe(204);
    expect((await api('DELETE', `/api/queues/%2F/${at(queue)}`)).status).toBe(204);
  });
});

describe("fastify's own errors in Warren's shape", () => {
  it('a path parameter longer than any name is 414 { error, reason }', async () => {
    const answer = await api('GET', `/api/queues/%2F/${'%F0%9F%98%80'.repeat(300)}`);
    expect(answer.status).toBe(414);
    expect(answer.body).toEqual({ error: 'name_too_long', reason: expect.stringContaining('longer than 255 characters') });
  });

  it('a malformed URL, unknown route, malformed JSON and an unsupported content type are { error, reason }', async () => {
    const bad = await api('GET', '/api/queues/%2F/%E0%A4%A');
    expect([bad.status, bad.body.error, typeof bad.body.reason]).toEqual([400, 'invalid_argument', 'string']);
    const missing = await api('GET', '/api/no-such-thing');
    expect([missing.status, missing.body.error]).toEqual([404, 'not_found']);
    const json = await api('PUT', '/api/queues/%2F/shape', '{"durable": tru');
    expect([json.status, json.body.error]).toEqual([400, 'invalid_argument']);
    const text = await fetch(`${broker.httpUrl}/api/queues/%2F/shape`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect([text.status >= 400 && text.status < 500, (await text.json()).error]).toEqual([true, 'invalid_argument']);
  });
});
