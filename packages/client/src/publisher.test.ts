import { WarrenError } from '@warren/protocol';
import { describe, expect, it } from 'vitest';
import { MessageReturnedError, PublishNackedError } from './errors.js';
import { Publisher } from './publisher.js';
import { connected, fakeServer, settle } from './testing/helpers.js';

/** Records how each promise settled, so a test can look without awaiting. */
function track(promises: Promise<unknown>[]): Array<'pending' | 'acked' | Error> {
  const outcomes: Array<'pending' | 'acked' | Error> = promises.map(() => 'pending');
  promises.forEach((promise, i) =>
    promise.then(
      () => (outcomes[i] = 'acked'),
      (error: Error) => (outcomes[i] = error),
    ),
  );
  return outcomes;
}

describe('publish', () => {
  it('sends seq from 1 with the body as bytes and resolves on publish.ack', async () => {
    const { client, server } = await connected();
    server.onFrame = (frame) => server.send({ type: 'publish.ack', seq: frame.header.seq });
    await client.publish('x', 'k', new Uint8Array([1, 2, 3]));
    await client.publish('x', 'k', 'two');
    const [first, second] = server.framesOf('publish');
    expect(first?.header).toEqual({ type: 'publish', seq: 1, exchange: 'x', routing_key: 'k', properties: { persistent: true } });
    expect([...(first?.body ?? [])]).toEqual([1, 2, 3]);
    expect(second?.header.seq).toBe(2);
  });

  it('resolves with a receipt: durable when published persistent, corrected by the ack', async () => {
    const { client, server } = await connected();
    const receipts = [
      client.publish('x', 'k', 'a'),
      client.publish('x', 'k', 'b', { persistent: false }),
      client.publish('x', 'k', 'c'),
      client.publish('x', 'k', 'd'),
    ];
    await settle();
    server.send(
      { type: 'publish.ack', seq: 2, multiple: true, duplicate: [1] },
      { type: 'publish.ack', seq: 3, multiple: true, transient: true },
      { type: 'publish.ack', seq: 4, multiple: true, replicas: 3 },
    );
    expect(await Promise.all(receipts)).toEqual([
      { seq: 1, durable: true, replicas: 1, duplicate: true },
      { seq: 2, durable: false, replicas: 1, duplicate: false },
      { seq: 3, durable: false, replicas: 1, duplicate: false },
      { seq: 4, durable: true, replicas: 3, duplicate: false },
    ]);
  });

  it('settles every pending seq up to a cumulative ack, and only those', async () => {
    const { client, server } = await connected();
    const outcomes = track([1, 2, 3, 4, 5].map((n) => client.publish('', 'q', n)));
    await settle();
    server.send({ type: 'publish.ack', seq: 3, multiple: true });
    await settle();
    expect(outcomes).toEqual(['acked', 'acked', 'acked', 'pending', 'pending']);
    server.send({ type: 'publish.ack', seq: 5 });
    await settle();
    expect(outcomes).toEqual(['acked', 'acked', 'acked', 'pending', 'acked']);
    server.send({ type: 'publish.ack', seq: 4 });
    await settle();
    expect(outcomes).toEqual(['acked', 'acked', 'acked', 'acked', 'acked']);
  });

  it('rejects a nacked publish with PublishNackedError, which a later cumulative ack does not undo', async () => {
    const { client, server } = await connected();
    const outcomes = track([client.publish('nope', 'k', 'a'), client.publish('x', 'k', 'b')]);
    await settle();
    server.send({ type: 'publish.nack', seq: 1, code: 'exchange_not_found', message: 'no exchange "nope"' }, { type: 'publish.ack', seq: 2, multiple: true });
    await settle();
    const error = outcomes[0];
    expect(error).toBeInstanceOf(PublishNackedError);
    expect(error).toBeInstanceOf(WarrenError);
    expect(error).toMatchObject({ code: 'exchange_not_found', seq: 1, message: 'no exchange "nope"', context: { seq: 1 } });
    expect(outcomes[1]).toBe('acked');
  });

  it('rejects a returned mandatory publish with MessageReturnedError and ignores its ack', async () => {
    const { client, server } = await connected({ publishWindow: 1 });
    const outcomes = track([client.publish('x', 'nowhere', 'a', { mandatory: true }), client.publish('x', 'k', 'b')]);
    await settle();
    expect(server.framesOf('publish')[0]?.header).toMatchObject({ mandatory: true });
    server.send([
      { type: 'publish.return', seq: 1, exchange: 'x', routing_key: 'nowhere', reply_code: 312, code: 'unroutable', message: 'NO_ROUTE' },
      new TextEncoder().encode('a'),
    ]);
    await settle();
    const error = outcomes[0];
    expect(error).toBeInstanceOf(MessageReturnedError);
    expect(error).toMatchObject({ code: 'unroutable', exchange: 'x', routingKey: 'nowhere', replyCode: 312, seq: 1 });
    // The returned publish keeps its window room until the broker acks it.
    expect(server.framesOf('publish')).toHaveLength(1);
    server.send({ type: 'publish.ack', seq: 1 });
    await settle();
    expect(outcomes[0]).toBe(error);
    expect(server.framesOf('publish')).toHaveLength(2);
    server.send({ type: 'publish.ack', seq: 2 });
    await settle();
    expect(outcomes[1]).toBe('acked');
  });

  it('keeps at most publishWindow publishes in flight and sends the rest in call order as room frees', async () => {
    const { client, server } = await connected({ publishWindow: 2 });
    const outcomes = track(['a', 'b', 'c', 'd', 'e'].map((key) => client.publish('x', key, key)));
    await settle();
    expect(server.framesOf('publish').map((frame) => frame.header.routing_key)).toEqual(['a', 'b']);
    server.send({ type: 'publish.ack', seq: 1 });
    await settle();
    expect(server.framesOf('publish').map((frame) => frame.header.routing_key)).toEqual(['a', 'b', 'c']);
    server.send({ type: 'publish.ack', seq: 3, multiple: true });
    await settle();
    const sent = server.framesOf('publish').map((frame) => [frame.header.seq, frame.header.routing_key]);
    expect(sent).toEqual([[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'e']]);
    expect(outcomes).toEqual(['acked', 'acked', 'acked', 'pending', 'pending']);
  });

  it("defaults the window to the welcome's publish_window", async () => {
    const { client, server } = await connected({}, fakeServer({ publish_window: 3 }));
    for (let i = 0; i < 10; i++) void client.publish('x', 'k', i).catch(() => {});
    await settle();
    expect(server.framesOf('publish')).toHaveLength(3);
  });

  it('says when a publish would wait, and emits drain once the window has room again', async () => {
    const { client, server } = await connected({}, fakeServer({ publish_window: 2 }));
    let drains = 0;
    client.on('drain', () => drains++);
    expect(client.writable).toBe(true);
    const first = client.publish('x', 'k', 'a');
    expect(client.writable).toBe(true);
    const second = client.publish('x', 'k', 'b');
    expect(client.writable).toBe(false);
    const third = client.publish('x', 'k', 'c');
    await settle();
    server.send({ type: 'publish.ack', seq: 1 });
    await first;
    expect([client.writable, drains]).toEqual([false, 0]);
    server.send({ type: 'publish.ack', seq: 3, multiple: true });
    await Promise.all([second, third]);
    expect([client.writable, drains]).toEqual([true, 1]);
    server.send({ type: 'connection.blocked', reason: 'memory' });
    await settle();
    expect(client.writable).toBe(false);
    const held = client.publish('x', 'k', 'd');
    server.onFrame = (frame) => {
      if (frame.header.type === 'publish') server.send({ type: 'publish.ack', seq: frame.header.seq });
    };
    server.send({ type: 'connection.unblocked' });
    await held;
    expect([client.writable, drains]).toEqual([true, 2]);
  });

  it('keeps about 16 MiB of bodies unanswered, whatever the count window allows', async () => {
    const { client, server } = await connected({}, fakeServer({ publish_window: 4096 }));
    server.onFrame = () => {};
    const body = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 20; i++) void client.publish('x', 'k', body).catch(() => {});
    await settle();
    expect(server.framesOf('publish')).toHaveLength(16);
    server.send({ type: 'publish.ack', seq: 2, multiple: true });
    await settle();
    expect(server.framesOf('publish')).toHaveLength(18);
  });

  it('sends a body larger than the byte window when nothing else is unanswered', async () => {
    const { client, server } = await connected({}, fakeServer({ max_message_size: 64 * 1024 * 1024 }));
    server.onFrame = () => {};
    const huge = new Uint8Array(17 * 1024 * 1024);
    void client.publish('x', 'k', huge).catch(() => {});
    void client.publish('x', 'k', 'small').catch(() => {});
    await settle();
    expect(server.framesOf('publish')).toHaveLength(1);
    server.send({ type: 'publish.ack', seq: 1 });
    await settle();
    expect(server.framesOf('publish')).toHaveLength(2);
  });

  it('rejects a body over max_message_size without sending it', async () => {
    const { client, server } = await connected({}, fakeServer({ max_message_size: 10 }));
    await expect(client.publish('x', 'k', new Uint8Array(11))).rejects.toMatchObject({ code: 'message_too_large' });
    await settle();
    expect(server.framesOf('publish')).toHaveLength(0);
  });

  it('on close() rejects publishes still waiting for room; those in flight get their acks', async () => {
    const { client, server } = await connected({ publishWindow: 1 });
    server.onFrame = (frame) => {
      if (frame.header.type === 'close') server.send({ type: 'publish.ack', seq: 1 }, { type: 'close' });
    };
    const outcomes = track([client.publish('x', 'k', 'a'), client.publish('x', 'k', 'b')]);
    await client.close();
    await settle();
    expect(outcomes[0]).toBe('acked');
    expect(outcomes[1]).toMatchObject({ code: 'shutting_down' });
    expect(server.framesOf('publish')).toHaveLength(1);
  });

  it('rejects unconfirmed publishes with the error that ended the connection', async () => {
    const { client, server } = await connected();
    const pending = client.publish('x', 'k', 'a');
    await settle();
    server.close(1006);
    await expect(pending).rejects.toMatchObject({ code: 'internal_error' });
  });
});

describe('publisher across a lost connection', () => {
  const fields = (n: number) => `{"exchange":"x","routing_key":"k${n}","properties":{}}`;

  it('puts unanswered publishes back ahead of the waiting ones, in order, and sends them again from seq 1 once reconnected', async () => {
    const written: string[] = [];
    const publisher = new Publisher((header) => void written.push(header));
    publisher.window = 2;
    const outcomes = track([1, 2, 3, 4].map((n) => publisher.publish(fields(n), true, new Uint8Array([n]))));
    publisher.onReturn({ type: 'publish.return', seq: 1, exchange: 'x', routing_key: 'k1', reply_code: 312, code: 'unroutable', message: 'NO_ROUTE' });
    await settle();
    expect(written).toHaveLength(2);

    publisher.disconnect();
    expect(publisher.writable).toBe(false);
    const during = track([publisher.publish(fields(5), true, new Uint8Array([5]))]);
    publisher.onAck({ type: 'publish.ack', seq: 2 }); // a late ack of the lost connection means nothing now
    await settle();
    expect(written).toHaveLength(2);
    expect(outcomes.slice(1)).toEqual(['pending', 'pending', 'pending']);

    publisher.reconnect(10);
    // The returned one was answered already; 2, 3, 4 and 5 go out again with new seqs.
    expect(written.slice(2).map((header) => JSON.parse(header) as { seq: number; routing_key: string }).map(({ seq, routing_key }) => [seq, routing_key])).toEqual([
      [1, 'k2'],
      [2, 'k3'],
      [3, 'k4'],
      [4, 'k5'],
    ]);
    publisher.onAck({ type: 'publish.ack', seq: 4, multiple: true });
    await settle();
    expect(outcomes[0]).toBeInstanceOf(MessageReturnedError);
    expect([...outcomes.slice(1), ...during]).toEqual(['acked', 'acked', 'acked', 'acked']);
  });
});
