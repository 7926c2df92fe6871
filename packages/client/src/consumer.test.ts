import type { WarrenError } from '@warren/protocol';
import { describe, expect, it } from 'vitest';
import type { Message } from './message.js';
import type { FakeServer } from './testing/fake-socket.js';
import { bytes, connected, settle } from './testing/helpers.js';

/** Answers consume with the tag asked for (or ctag-N) and cancel with ok. */
function playConsumers(server: FakeServer): void {
  let n = 0;
  server.onFrame = (frame) => {
    const { type, id } = frame.header;
    if (type === 'consume') server.send({ type: 'ok', id, consumer_tag: frame.header.consumer_tag ?? `ctag-${++n}` });
    if (type === 'cancel') server.send({ type: 'ok', id });
  };
}

function deliver(server: FakeServer, tag: number, body: string, extra: object = {}): void {
  server.send([
    { type: 'deliver', consumer_tag: 'c1', delivery_tag: tag, exchange: 'x', routing_key: 'rk', redelivered: false, delivery_count: 1, properties: { message_id: `m${tag}` }, ...extra },
    bytes(body),
  ]);
}

const settlements = (server: FakeServer) =>
  server.frames.filter((frame) => ['ack', 'nack', 'reject'].includes(frame.header.type)).map((frame) => frame.header);

describe('consume', () => {
  it('sends consume with prefetch 100 by default and returns the tag', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    const consumer = await client.consume('q', () => {});
    expect(consumer.tag).toBe('ctag-1');
    expect(server.framesOf('consume')[0]?.header).toEqual({ type: 'consume', id: 1, queue: 'q', prefetch: 100 });
  });

  it('maps the options to the consume frame', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    await client.consume('q', () => {}, { prefetch: 5, noAck: true, consumerTag: 'mine', exclusive: true, arguments: { 'x-priority': 1 }, ackTimeout: 500 });
    expect(server.framesOf('consume')[0]?.header).toEqual({
      type: 'consume', id: 1, queue: 'q', prefetch: 5, consumer_tag: 'mine', no_ack: true, exclusive: true, arguments: { 'x-priority': 1 }, ack_timeout: 500,
    });
  });

  it('hands each delivery to the handler as a Message', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    const got: Message[] = [];
    await client.consume('q', (message) => void got.push(message), { consumerTag: 'c1' });
    deliver(server, 1, '{"n":1}', {
      redelivered: true,
      delivery_count: 2,
      headers: { h: 'v' },
      properties: { content_type: 'application/json', message_id: 'm1', correlation_id: 'c', timestamp: 1700000000000, persistent: true },
    });
    await settle();
    const [message] = got;
    expect(message?.json()).toEqual({ n: 1 });
    expect(message?.text()).toBe('{"n":1}');
    expect(message).toMatchObject({ exchange: 'x', routingKey: 'rk', redelivered: true, deliveryCount: 2, deliveryTag: 1, consumerTag: 'c1', headers: { h: 'v' } });
    expect(message?.properties).toEqual({ contentType: 'application/json', messageId: 'm1', correlationId: 'c', timestamp: 1700000000000, persistent: true });
  });

  it('sends ack, nack and reject frames, once per message', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    const got: Message[] = [];
    await client.consume('q', (message) => void got.push(message), { consumerTag: 'c1' });
    for (let tag = 1; tag <= 3; tag++) deliver(server, tag, 'b');
    await settle();
    const [one, two, three] = got;
    one?.ack();
    one?.ack();
    one?.nack();
    two?.nack({ requeue: false });
    three?.reject();
    three?.reject();
    await settle();
    expect(settlements(server)).toEqual([
      { type: 'ack', delivery_tag: 1 },
      { type: 'nack', delivery_tag: 2, requeue: false },
      { type: 'reject', delivery_tag: 3, requeue: true },
    ]);
    expect(got.every((message) => message.settled)).toBe(true);
  });

  it('acks every earlier delivery with multiple, and later calls on those send nothing', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    const got: Message[] = [];
    await client.consume('q', (message) => void got.push(message), { consumerTag: 'c1' });
    for (let tag = 1; tag <= 4; tag++) deliver(server, tag, 'b');
    await settle();
    got[1]?.ack();
    got[2]?.ack({ multiple: true });
    got[0]?.ack();
    got[3]?.nack({ multiple: true });
    await settle();
    expect(settlements(server)).toEqual([
      { type: 'ack', delivery_tag: 2 },
      { type: 'ack', delivery_tag: 3, multiple: true },
      { type: 'nack', delivery_tag: 4, multiple: true, requeue: true },
    ]);
    expect(got.map((message) => message.settled)).toEqual([true, true, true, true]);
  });

  it('nacks with requeue when the handler throws or rejects, unless it settled first', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    await client.consume(
      'q',
      async (message) => {
        if (message.deliveryTag === 1) throw new Error('rejected at once');
        if (message.deliveryTag === 2) {
          message.reject({ requeue: false });
          throw new Error('after settling');
        }
        await Promise.resolve();
        if (message.deliveryTag === 3) throw new Error('async failure');
        message.ack();
      },
      { consumerTag: 'c1' },
    );
    for (let tag = 1; tag <= 4; tag++) deliver(server, tag, 'b');
    await settle();
    const byTag = settlements(server).sort((a, b) => Number(a.delivery_tag) - Number(b.delivery_tag));
    expect(byTag).toEqual([
      { type: 'nack', delivery_tag: 1, requeue: true, error: 'rejected at once' },
      { type: 'reject', delivery_tag: 2, requeue: false },
      { type: 'nack', delivery_tag: 3, requeue: true, error: 'async failure' },
      { type: 'ack', delivery_tag: 4 },
    ]);
  });

  it('sends the error of a failed attempt as text, and refuses one that is not a string or an Error', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    const got: Message[] = [];
    await client.consume('q', (message) => void got.push(message), { consumerTag: 'c1' });
    for (let tag = 1; tag <= 4; tag++) deliver(server, tag, 'b');
    await settle();
    got[0]?.nack({ requeue: false, error: 'bad input' });
    got[1]?.reject({ error: new Error('no handler for it') });
    got[2]?.retry({ delay: 5, error: 'x'.repeat(10) });
    expect(() => got[3]?.nack({ error: 42 as unknown as string })).toThrow(expect.objectContaining({ code: 'frame_invalid' }));
    await settle();
    expect(settlements(server).concat(server.frames.filter((f) => f.header.type === 'retry').map((f) => f.header))).toEqual([
      { type: 'nack', delivery_tag: 1, requeue: false, error: 'bad input' },
      { type: 'reject', delivery_tag: 2, requeue: true, error: 'no handler for it' },
      { type: 'retry', delivery_tag: 3, delay: 5, error: 'xxxxxxxxxx' },
    ]);
    expect(got[3]?.settled).toBe(false);
  });

  it('renews a lease with an extend frame and reads the attempt log from the headers', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    const got: Message[] = [];
    await client.consume('q', (message) => void got.push(message), { consumerTag: 'c1' });
    const log = [{ attempt: 1, time: 5, queue: 'q', consumer_tag: 'c0', connection: 'k', reason: 'nack', error: 'boom' }];
    deliver(server, 1, 'b', { headers: { 'x-warren-attempts': log } });
    await settle();
    got[0]?.extend(30_000);
    await settle();
    expect(server.frames.filter((f) => f.header.type === 'extend').map((f) => f.header)).toEqual([{ type: 'extend', delivery_tag: 1, ms: 30_000 }]);
    expect(got[0]?.attempts).toEqual(log);
  });

  it('survives a handler that throws synchronously', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    await client.consume(
      'q',
      () => {
        throw new Error('boom');
      },
      { consumerTag: 'c1' },
    );
    deliver(server, 1, 'b');
    deliver(server, 2, 'b');
    await settle();
    expect(settlements(server)).toEqual([
      { type: 'nack', delivery_tag: 1, requeue: true, error: 'boom' },
      { type: 'nack', delivery_tag: 2, requeue: true, error: 'boom' },
    ]);
  });

  it('sends nothing for no_ack deliveries, which count as settled', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    const got: Message[] = [];
    await client.consume(
      'q',
      (message) => {
        got.push(message);
        throw new Error('ignored');
      },
      { consumerTag: 'c1', noAck: true },
    );
    deliver(server, 1, 'b');
    await settle();
    got[0]?.ack();
    await settle();
    expect(got[0]?.settled).toBe(true);
    expect(settlements(server)).toEqual([]);
  });

  it('delivers messages that arrive before the consume reply names the tag', async () => {
    const { client, server } = await connected();
    server.onFrame = (frame) => {
      if (frame.header.type !== 'consume') return;
      deliver(server, 1, 'early');
      server.send({ type: 'ok', id: frame.header.id, consumer_tag: 'c1' });
    };
    const got: string[] = [];
    await client.consume('q', (message) => void got.push(message.text()));
    await settle();
    expect(got).toEqual(['early']);
  });

  it('cancel() sends cancel and stops the handler', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    const consumer = await client.consume('q', () => {}, { consumerTag: 'c1' });
    await consumer.cancel();
    expect(server.framesOf('cancel')[0]?.header).toMatchObject({ type: 'cancel', consumer_tag: 'c1' });
    await consumer.cancel();
    expect(server.framesOf('cancel')).toHaveLength(1);
  });

  it('reports a consumer the broker cancelled through onError', async () => {
    const { client, server } = await connected();
    playConsumers(server);
    const errors: WarrenError[] = [];
    client.onError = (error) => errors.push(error);
    const consumer = await client.consume('q', () => {}, { consumerTag: 'c1' });
    server.send({ type: 'consumer.cancelled', consumer_tag: 'c1', code: 'queue_deleted', message: 'queue q deleted' });
    await settle();
    expect(errors.map((error) => error.code)).toEqual(['queue_deleted']);
    await consumer.cancel();
    expect(server.framesOf('cancel')).toHaveLength(0);
  });

  it('rejects consume with the server error', async () => {
    const { client, server } = await connected();
    server.onFrame = (frame) =>
      server.send({ type: 'error', id: frame.header.id, code: 'queue_not_found', reply_code: 404, message: 'no queue "q"' });
    await expect(client.consume('q', () => {})).rejects.toMatchObject({ code: 'queue_not_found' });
  });
});
