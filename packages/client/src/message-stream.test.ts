import { describe, expect, it } from 'vitest';
import type { FakeServer } from './testing/fake-socket.js';
import { bytes, connected, settle } from './testing/helpers.js';

function deliver(server: FakeServer, tag: number, body: string): void {
  server.send([
    { type: 'deliver', consumer_tag: 'c1', delivery_tag: tag, exchange: '', routing_key: 'q', redelivered: false, delivery_count: 1, properties: { message_id: `m${tag}` } },
    bytes(body),
  ]);
}

/** Answers consume with tag c1 and delivers `count` messages right after; answers cancel with ok. */
function playQueue(server: FakeServer, count: number): void {
  server.onFrame = (frame) => {
    if (frame.header.type === 'consume') {
      server.send({ type: 'ok', id: frame.header.id, consumer_tag: 'c1' });
      for (let tag = 1; tag <= count; tag++) deliver(server, tag, `m${tag}`);
    }
    if (frame.header.type === 'cancel') server.send({ type: 'ok', id: frame.header.id });
    if (frame.header.type === 'close') server.send({ type: 'close' });
  };
}

describe('messages()', () => {
  it('starts consuming on the first next() and yields deliveries in order', async () => {
    const { client, server } = await connected();
    playQueue(server, 3);
    const stream = client.messages('q', { prefetch: 10 });
    await settle();
    expect(server.framesOf('consume')).toHaveLength(0);
    const texts: string[] = [];
    for await (const message of stream) {
      texts.push(message.text());
      message.ack();
      if (texts.length === 3) break;
    }
    expect(texts).toEqual(['m1', 'm2', 'm3']);
    expect(server.framesOf('consume')[0]?.header).toMatchObject({ queue: 'q', prefetch: 10 });
    expect(server.framesOf('ack').map((frame) => frame.header.delivery_tag)).toEqual([1, 2, 3]);
  });

  it('cancels the consumer on break and requeues what it had buffered, cancel first', async () => {
    const { client, server } = await connected();
    playQueue(server, 4);
    for await (const message of client.messages('q')) {
      await settle();
      message.ack();
      break;
    }
    await settle();
    const after = server.frames.filter((frame) => ['cancel', 'nack'].includes(frame.header.type)).map((frame) => [frame.header.type, frame.header.delivery_tag]);
    expect(after).toEqual([
      ['cancel', undefined],
      ['nack', 2],
      ['nack', 3],
      ['nack', 4],
    ]);
    expect(server.framesOf('nack').every((frame) => frame.header.requeue === true)).toBe(true);
  });

  it('requeues deliveries that arrive after the loop ended', async () => {
    const { client, server } = await connected();
    playQueue(server, 1);
    server.onFrame = ((play) => (frame) => {
      if (frame.header.type === 'cancel') deliver(server, 2, 'late');
      play(frame);
    })(server.onFrame);
    for await (const message of client.messages('q')) {
      message.ack();
      break;
    }
    await settle();
    expect(server.framesOf('nack').map((frame) => frame.header)).toEqual([{ type: 'nack', delivery_tag: 2, requeue: true }]);
  });

  it('ends the loop when the client closes', async () => {
    const { client, server } = await connected();
    playQueue(server, 1);
    const seen: string[] = [];
    const loop = (async () => {
      for await (const message of client.messages('q')) {
        seen.push(message.text());
        message.ack();
        void client.close();
      }
    })();
    await expect(loop).resolves.toBeUndefined();
    expect(seen).toEqual(['m1']);
  });

  it('throws from the loop when the connection fails', async () => {
    const { client, server } = await connected();
    playQueue(server, 0);
    const loop = (async () => {
      for await (const message of client.messages('q')) message.ack();
    })();
    await settle();
    server.close(1006);
    await expect(loop).rejects.toMatchObject({ code: 'internal_error' });
  });

  it('throws the broker reason when the broker cancels the consumer, after the buffered messages', async () => {
    const { client, server } = await connected();
    playQueue(server, 2);
    client.onError = () => {};
    const seen: string[] = [];
    const loop = (async () => {
      for await (const message of client.messages('q')) {
        if (seen.length === 0) server.send({ type: 'consumer.cancelled', consumer_tag: 'c1', code: 'queue_deleted', message: 'gone' });
        await settle();
        seen.push(message.text());
      }
    })();
    await expect(loop).rejects.toMatchObject({ code: 'queue_deleted' });
    expect(seen).toEqual(['m1', 'm2']);
  });

  it('throws when the consume is refused', async () => {
    const { client, server } = await connected();
    server.onFrame = (frame) => server.send({ type: 'error', id: frame.header.id, code: 'queue_not_found', reply_code: 404, message: 'no queue' });
    const loop = (async () => {
      for await (const message of client.messages('q')) message.ack();
    })();
    await expect(loop).rejects.toMatchObject({ code: 'queue_not_found' });
  });
});
