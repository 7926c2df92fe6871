/**
 * The routing dry run (issue 11, part 6): `POST /api/exchanges/{vhost}/{name}/route` answers the
 * queues a publish would reach and the path to each, through exchange-to-exchange bindings and
 * alternate exchanges, or that it is unroutable, and publishes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';
import { call } from '../support/http.js';

let broker: TestBroker;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
const route = (exchange: string, body: unknown) => api('POST', `/api/exchanges/%2F/${encodeURIComponent(exchange)}/route`, body);
const bind = (source: string, kind: 'q' | 'e', destination: string, body: unknown) =>
  api('POST', `/api/bindings/%2F/e/${source}/${kind}/${destination}`, body);

beforeAll(async () => {
  broker = await startBroker();
  await api('PUT', '/api/exchanges/%2F/rt.ae', { type: 'fanout' });
  await api('PUT', '/api/exchanges/%2F/rt.orders', { type: 'topic', arguments: { 'alternate-exchange': 'rt.ae' } });
  await api('PUT', '/api/exchanges/%2F/rt.eu', { type: 'direct' });
  await api('PUT', '/api/exchanges/%2F/rt.headers', { type: 'headers' });
  await api('PUT', '/api/exchanges/%2F/rt.lost', { type: 'direct', arguments: { 'alternate-exchange': 'rt.missing' } });
  for (const q of ['rt.all', 'rt.eu-created', 'rt.unrouted', 'rt.pdf']) await api('PUT', `/api/queues/%2F/${q}`, {});
  await bind('rt.orders', 'q', 'rt.all', { routing_key: 'order.#' });
  await bind('rt.orders', 'e', 'rt.eu', { routing_key: 'order.eu.*' });
  await bind('rt.eu', 'q', 'rt.eu-created', { routing_key: 'order.eu.created' });
  await bind('rt.ae', 'q', 'rt.unrouted', { routing_key: '' });
  await bind('rt.headers', 'q', 'rt.pdf', { arguments: { 'x-match': 'any', format: 'pdf' } });
});
afterAll(() => broker.dispose());

describe('POST /api/exchanges/{vhost}/{name}/route', () => {
  it('answers each queue with its path through exchange-to-exchange bindings, publishing nothing', async () => {
    const { status, body } = await route('rt.orders', { routing_key: 'order.eu.created' });
    expect(status).toBe(200);
    expect(body).toEqual({
      routed: true,
      queues: [
        { vhost: '/', name: 'rt.all', path: [{ exchange: 'rt.orders', binding_key: 'order.#' }] },
        {
          vhost: '/',
          name: 'rt.eu-created',
          path: [
            { exchange: 'rt.orders', binding_key: 'order.eu.*' },
            { exchange: 'rt.eu', binding_key: 'order.eu.created' },
          ],
        },
      ],
    });
    for (const q of ['rt.all', 'rt.eu-created']) expect((await api('GET', `/api/queues/%2F/${q}`)).body.messages).toBe(0);
  });

  it('shows the alternate exchange a message falls back to', async () => {
    const { body } = await route('rt.orders', { routing_key: 'invoice.created' });
    expect(body).toEqual({
      routed: true,
      queues: [{ vhost: '/', name: 'rt.unrouted', path: [{ exchange: 'rt.orders', alternate_exchange: 'rt.ae' }, { exchange: 'rt.ae', binding_key: '' }] }],
      alternate: [{ exchange: 'rt.orders', alternate_exchange: 'rt.ae', exists: true }],
    });
    expect((await api('GET', '/api/queues/%2F/rt.unrouted')).body.messages).toBe(0);
  });

  it('matches headers bindings on the headers given, and names the arguments that matched', async () => {
    const { body } = await route('rt.headers', { routing_key: '', headers: { format: 'pdf' } });
    expect(body.queues).toEqual([{ vhost: '/', name: 'rt.pdf', path: [{ exchange: 'rt.headers', arguments: { 'x-match': 'any', format: 'pdf' } }] }]);
  });

  it('says unroutable, with an alternate exchange that does not exist', async () => {
    expect((await route('rt.eu', { routing_key: 'order.us.created' })).body).toEqual({ routed: false, queues: [] });
    expect((await route('rt.lost', { routing_key: 'x' })).body).toEqual({
      routed: false,
      queues: [],
      alternate: [{ exchange: 'rt.lost', alternate_exchange: 'rt.missing', exists: false }],
    });
  });

  it('routes the default exchange by queue name', async () => {
    const { body } = await api('POST', '/api/exchanges/%2F//route', { routing_key: 'rt.all' });
    expect(body).toEqual({ routed: true, queues: [{ vhost: '/', name: 'rt.all', path: [{ exchange: '', binding_key: 'rt.all' }] }] });
  });

  it('refuses an unknown exchange or vhost and a malformed body with a stable code', async () => {
    expect(await route('rt.nope', { routing_key: 'k' })).toEqual({
      status: 404,
      body: { error: 'exchange_not_found', reason: "no exchange 'rt.nope' in vhost '/'" },
    });
    expect((await api('POST', '/api/exchanges/nowhere/rt.orders/route', { routing_key: 'k' })).body.error).toBe('vhost_not_found');
    expect(await route('rt.orders', {})).toEqual({ status: 400, body: { error: 'invalid_argument', reason: "field 'routing_key' is required" } });
    expect((await route('rt.orders', { routing_key: 7 })).body).toEqual({ error: 'invalid_argument', reason: "field 'routing_key' = 7: must be string" });
    expect((await route('rt.orders', { routing_key: 'k', headers: 'x' })).body.error).toBe('invalid_argument');
    expect((await route('rt.orders', { routing_key: 'k', body: 'hi' })).body.error).toBe('invalid_argument');
    expect((await route('rt.orders', '{not json')).status).toBe(400);
    expect((await route('rt.orders', undefined)).body).toEqual({ error: 'invalid_argument', reason: 'the body must be a JSON object' });
  });
});
