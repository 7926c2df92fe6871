import { WarrenError } from '@warren/protocol';
import { describe, expect, it } from 'vitest';
import { connected, replyOk, settle } from './testing/helpers.js';

describe('requests and replies', () => {
  it('sends each topology call as its snake_case request frame with a fresh id', async () => {
    const { client, server } = await connected();
    replyOk(server, (frame) => (frame.header.type === 'queue.declare' ? { queue: 'q', message_count: 0, consumer_count: 0 } : { message_count: 0 }));
    await client.declareExchange('x', 'topic', { autoDelete: true, arguments: { 'alternate-exchange': 'ae' } });
    await client.deleteExchange('x', { ifUnused: true });
    await client.declareQueue('q', { exclusive: true, autoDelete: true, passive: false });
    await client.bind('q', 'x', 'a.*', { k: 1 });
    await client.unbind('q', 'x');
    await client.bindExchange('dst', 'src', 'rk');
    await client.unbindExchange('dst', 'src');
    await client.deleteQueue('q', { ifUnused: true, ifEmpty: true });
    await client.purgeQueue('q');
    const headers = server.frames.slice(1).map((frame) => frame.header);
    expect(headers).toEqual([
      { type: 'exchange.declare', id: 1, exchange: 'x', kind: 'topic', durable: true, auto_delete: true, arguments: { 'alternate-exchange': 'ae' } },
      { type: 'exchange.delete', id: 2, exchange: 'x', if_unused: true },
      { type: 'queue.declare', id: 3, queue: 'q', durable: true, exclusive: true, auto_delete: true, passive: false },
      { type: 'queue.bind', id: 4, queue: 'q', exchange: 'x', routing_key: 'a.*', arguments: { k: 1 } },
      { type: 'queue.unbind', id: 5, queue: 'q', exchange: 'x', routing_key: '' },
      { type: 'exchange.bind', id: 6, destination: 'dst', source: 'src', routing_key: 'rk' },
      { type: 'exchange.unbind', id: 7, destination: 'dst', source: 'src', routing_key: '' },
      { type: 'queue.delete', id: 8, queue: 'q', if_unused: true, if_empty: true },
      { type: 'queue.purge', id: 9, queue: 'q' },
    ]);
  });

  it('returns the replies in camelCase', async () => {
    const { client, server } = await connected();
    replyOk(server, (frame) =>
      frame.header.type === 'queue.declare' ? { queue: 'amq.gen-abc', message_count: 4, consumer_count: 2 } : { message_count: 7 },
    );
    await expect(client.declareQueue()).resolves.toEqual({ queue: 'amq.gen-abc', messageCount: 4, consumerCount: 2 });
    expect(server.framesOf('queue.declare')[0]?.header).toMatchObject({ queue: '', durable: true });
    await expect(client.purgeQueue('q')).resolves.toEqual({ messageCount: 7 });
    await expect(client.deleteQueue('q')).resolves.toEqual({ messageCount: 7 });
  });

  it('matches replies to requests by id, whatever their order', async () => {
    const { client, server } = await connected();
    const first = client.purgeQueue('a');
    const second = client.purgeQueue('b');
    await settle();
    const [a, b] = server.framesOf('queue.purge');
    server.send({ type: 'ok', id: b?.header.id, message_count: 2 }, { type: 'ok', id: a?.header.id, message_count: 1 });
    await expect(first).resolves.toEqual({ messageCount: 1 });
    await expect(second).resolves.toEqual({ messageCount: 2 });
  });

  it('rejects with a WarrenError carrying the server code, and the connection stays usable', async () => {
    const { client, server } = await connected();
    server.onFrame = (frame) => {
      if (frame.header.type === 'queue.declare') {
        server.send({ type: 'error', id: frame.header.id, code: 'queue_conflict', reply_code: 406, message: 'durable differs' });
      } else server.send({ type: 'ok', id: frame.header.id, message_count: 0 });
    };
    const failure = await client.declareQueue('q').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WarrenError);
    expect(failure).toMatchObject({ code: 'queue_conflict', message: 'durable differs', replyCode: 406 });
    await expect(client.purgeQueue('q')).resolves.toEqual({ messageCount: 0 });
  });

  it('maps an unknown error code to internal_error keeping the raw code', async () => {
    const { client, server } = await connected();
    server.onFrame = (frame) => server.send({ type: 'error', id: frame.header.id, code: 'brand_new', reply_code: 400, message: 'new thing' });
    await expect(client.purgeQueue('q')).rejects.toMatchObject({ code: 'internal_error', message: 'brand_new: new thing' });
  });

  it('hands errors outside any request to onError without closing', async () => {
    const { client, server } = await connected();
    const seen: WarrenError[] = [];
    client.onError = (error) => seen.push(error);
    replyOk(server, () => ({ message_count: 0 }));
    server.send({ type: 'error', code: 'unknown_delivery_tag', reply_code: 406, message: 'tag 9' });
    await expect(client.purgeQueue('q')).resolves.toEqual({ messageCount: 0 });
    expect(seen.map((error) => [error.code, error.message])).toEqual([['unknown_delivery_tag', 'tag 9']]);
  });
});
