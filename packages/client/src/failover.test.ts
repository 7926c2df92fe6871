import type { WarrenError } from '@warren/protocol';
import { describe, expect, it } from 'vitest';
import { connect, type Client, type ConnectOptions } from './client.js';
import type { ConnectionState } from './connection-states.js';
import type { Message } from './message.js';
import { FakeServer, type FakeSocket, type SentFrame } from './testing/fake-socket.js';
import { bytes, settle } from './testing/helpers.js';
import type { WebSocketConstructor } from './transport.js';

/** A fake broker behind two URLs; a URL in `down` refuses connections as a dead node does (close 1006). */
function brokers(): { server: FakeServer; down: Set<string>; WebSocket: WebSocketConstructor } {
  const server = new FakeServer();
  const down = new Set<string>();
  const WebSocket = function (url: string, protocols?: string | string[]) {
    const socket = new server.WebSocket(url, protocols) as FakeSocket;
    if (down.has(url)) socket.closeWith(1006, '');
    return socket;
  } as unknown as WebSocketConstructor;
  return { server, down, WebSocket };
}

/** Plays a broker that answers every request, names queues declared without one, and confirms publishes when `confirm` says so. */
function play(server: FakeServer, confirm: (frame: SentFrame) => boolean = () => true): void {
  let named = 0;
  server.onFrame = (frame) => {
    const { type, id, seq } = frame.header;
    if (type === 'publish' && confirm(frame)) server.send({ type: 'publish.ack', seq });
    if (type === 'close') server.send({ type: 'close' });
    if (typeof id !== 'number') return;
    if (type === 'queue.declare') server.send({ type: 'ok', id, queue: frame.header.queue || `amq.gen-${++named}`, message_count: 0, consumer_count: 0 });
    else if (type === 'consume') server.send({ type: 'ok', id, consumer_tag: frame.header.consumer_tag ?? 'amq.ctag-1' });
    else server.send({ type: 'ok', id });
  };
}

/** Lets timers of 0 ms and socket microtasks run until `done`, a bounded number of turns. */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 200 && !done(); turn++) {
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  expect(done()).toBe(true);
}

const fast = { minDelay: 0, maxDelay: 0 };

async function failoverClient(options: ConnectOptions = {}) {
  const fake = brokers();
  play(fake.server);
  const client = await connect(['ws://a/ws', 'ws://b/ws'], { WebSocket: fake.WebSocket, reconnect: fast, ...options });
  const states: ConnectionState[] = [];
  void (async () => {
    for await (const change of client.states()) states.push(change);
  })();
  return { ...fake, client, states };
}

/** The frames the client sent on its n-th socket. */
const framesOn = (server: FakeServer, socket: number): SentFrame[] => server.sockets[socket]?.sent ?? [];

/** Resolves on the client's next `reconnected`. */
const reconnected = (client: Client): Promise<void> => new Promise((resolve) => client.on('reconnected', () => resolve()));

describe('failover', () => {
  it('moves to the next URL, declares the topology again in order and resumes the consumer with its tag', async () => {
    const { server, client, states } = await failoverClient();
    await client.declareExchange('orders', 'topic');
    await client.declareQueue('orders.eu', { arguments: { 'x-dedup-window': 60_000 } });
    await client.bind('orders.eu', 'orders', 'eu.*');
    await client.bindExchange('audit', 'orders', '#');
    const got: string[] = [];
    const consumer = await client.consume('orders.eu', (message) => void got.push(message.text()), { prefetch: 7 });

    const back = reconnected(client);
    server.close(1001, 'shutting_down');
    await back;
    await until(() => states.length === 3);
    expect(server.sockets[1]?.url).toBe('ws://b/ws');
    expect(framesOn(server, 1).map((frame) => frame.header)).toEqual([
      expect.objectContaining({ type: 'hello' }),
      expect.objectContaining({ type: 'exchange.declare', exchange: 'orders', kind: 'topic', durable: true }),
      expect.objectContaining({ type: 'queue.declare', queue: 'orders.eu', durable: true, arguments: { 'x-dedup-window': 60_000 } }),
      expect.objectContaining({ type: 'queue.bind', queue: 'orders.eu', exchange: 'orders', routing_key: 'eu.*' }),
      expect.objectContaining({ type: 'exchange.bind', destination: 'audit', source: 'orders', routing_key: '#' }),
      expect.objectContaining({ type: 'consume', queue: 'orders.eu', prefetch: 7, consumer_tag: consumer.tag }),
    ]);
    expect(states.map((change) => change.state)).toEqual(['disconnected', 'reconnecting', 'open']);
    expect(states[0]).toMatchObject({ url: 'ws://a/ws', error: { code: 'shutting_down' } });

    server.send([{ type: 'deliver', consumer_tag: consumer.tag, delivery_tag: 1, exchange: 'orders', routing_key: 'eu.1', redelivered: true, delivery_count: 2 }, bytes('again')]);
    await until(() => got.length === 1);
    expect(got).toEqual(['again']);
  });

  it('leaves a node cut off from its cluster (node_isolated, 4008) for the next URL', async () => {
    const { server, client, states } = await failoverClient();
    const back = reconnected(client);
    server.close(4008, 'node_isolated');
    await back;
    expect(server.sockets[1]?.url).toBe('ws://b/ws');
    expect(states[0]).toMatchObject({ state: 'disconnected', url: 'ws://a/ws', error: { code: 'node_isolated' } });
  });

  it('forgets what was deleted or unbound, and gives a server-named queue a new name its bindings and consumer follow', async () => {
    const { server, client } = await failoverClient();
    const renamed: Record<string, string>[] = [];
    client.on('reconnected', (event) => renamed.push(event.renamedQueues));
    await client.declareExchange('gone', 'fanout');
    await client.deleteExchange('gone');
    await client.declareQueue('dropped');
    await client.bind('dropped', 'amq.fanout');
    await client.deleteQueue('dropped');
    await client.declareQueue('kept');
    await client.bind('kept', 'amq.direct', 'a');
    await client.unbind('kept', 'amq.direct', 'a');
    await client.declareQueue('kept', { passive: true });
    const { queue } = await client.declareQueue('', { exclusive: true });
    expect(queue).toBe('amq.gen-1');
    await client.bind(queue, 'amq.fanout');
    await client.consume(queue, () => {}, { consumerTag: 'mine' });

    const back = reconnected(client);
    server.close(4010, 'connection_forced');
    await back;
    expect(framesOn(server, 1).slice(1).map((frame) => frame.header)).toEqual([
      expect.objectContaining({ type: 'queue.declare', queue: 'kept', durable: true }),
      expect.objectContaining({ type: 'queue.declare', queue: '', exclusive: true }),
      expect.objectContaining({ type: 'queue.bind', queue: 'amq.gen-2', exchange: 'amq.fanout' }),
      expect.objectContaining({ type: 'consume', queue: 'amq.gen-2', consumer_tag: 'mine' }),
    ]);
    expect(renamed).toEqual([{ 'amq.gen-1': 'amq.gen-2' }]);
  });

  it('republishes every unconfirmed publish on the new connection, in order, with new seqs, and resolves each once', async () => {
    const fake = brokers();
    let confirming = false;
    play(fake.server, () => confirming);
    const client = await connect(['ws://a/ws', 'ws://b/ws'], { WebSocket: fake.WebSocket, reconnect: fast });
    const receipts = [1, 2, 3].map((n) => client.publish('', 'q', `m${n}`, { messageId: `id-${n}` }));
    await settle();
    const back = reconnected(client);
    const gone = new Promise((resolve) => client.on('disconnected', resolve));
    fake.server.close(1001, 'shutting_down');
    // Right after the loss (before any reconnect timer): a new publish waits too.
    await gone;
    const during = client.publish('', 'q', 'm4', { messageId: 'id-4' });
    expect(client.writable).toBe(false);
    confirming = true;
    const drained = new Promise<void>((resolve) => client.on('drain', resolve));
    await back;
    expect(await Promise.all([...receipts, during])).toEqual([1, 2, 3, 4].map((seq) => ({ seq, durable: true, replicas: 1, duplicate: false })));
    const again = framesOn(fake.server, 1).filter((frame) => frame.header.type === 'publish');
    expect(again.map((frame) => [frame.header.seq, frame.header.properties])).toEqual([1, 2, 3, 4].map((n) => [n, expect.objectContaining({ message_id: `id-${n}` })]));
    expect(new TextDecoder().decode(again[0]?.body)).toBe('m1');
    await drained;
    expect(client.writable).toBe(true);
  });

  it('makes settling a delivery of the lost connection a no-op that throws nothing, and tracks new deliveries afresh', async () => {
    const { server, client } = await failoverClient();
    const got: Message[] = [];
    await client.consume('q', (message) => void got.push(message), { consumerTag: 'c' });
    const deliver = (tag: number) => server.send([{ type: 'deliver', consumer_tag: 'c', delivery_tag: tag, exchange: '', routing_key: 'q', redelivered: false, delivery_count: 1 }, bytes(`d${tag}`)]);
    deliver(1);
    await until(() => got.length === 1);
    const back = reconnected(client);
    server.close(1006);
    await back;
    deliver(1);
    await until(() => got.length === 2);
    const [old, fresh] = got as [Message, Message];
    expect(old.settled).toBe(true);
    expect(() => old.ack()).not.toThrow();
    expect(() => old.nack()).not.toThrow();
    expect(fresh.settled).toBe(false);
    fresh.ack();
    await settle();
    expect(framesOn(server, 1).filter((frame) => frame.header.type === 'ack').map((frame) => frame.header)).toEqual([{ type: 'ack', delivery_tag: 1 }]);
  });

  it('resends idempotent requests in flight, rejects the others with connection_lost, and sends requests made meanwhile after the recovery', async () => {
    const fake = brokers();
    play(fake.server);
    const client = await connect(['ws://a/ws', 'ws://b/ws'], { WebSocket: fake.WebSocket, reconnect: fast });
    fake.server.onFrame = () => {};
    const declared = client.declareQueue('q');
    const purged = expect(client.purgeQueue('q')).rejects.toMatchObject({ code: 'connection_lost' });
    await settle();
    play(fake.server);
    const back = reconnected(client);
    const gone = new Promise((resolve) => client.on('disconnected', resolve));
    fake.server.close(1006);
    await gone;
    const bound = client.bind('q', 'amq.direct', 'k');
    await back;
    await purged;
    await expect(declared).resolves.toMatchObject({ queue: 'q' });
    await expect(bound).resolves.toBeUndefined();
    expect(framesOn(fake.server, 1).slice(1).map((frame) => frame.header.type)).toEqual(['queue.declare', 'queue.bind']);
  });

  it('tries the URLs round-robin, then gives up with reconnect_failed: publishes, requests and iterators end, closed says why', async () => {
    const { server, down, client, states } = await failoverClient({ reconnect: { ...fast, maxAttempts: 3 } });
    const iterator = client.messages('q');
    const first = expect(iterator.next()).rejects.toMatchObject({ code: 'reconnect_failed' });
    await settle();
    down.add('ws://a/ws');
    down.add('ws://b/ws');
    server.onFrame = () => {};
    const publish = expect(client.publish('', 'q', 'x')).rejects.toMatchObject({ code: 'reconnect_failed' });
    await settle();
    const failed = new Promise<WarrenError>((resolve) => client.on('failed', ({ error }) => resolve(error)));
    server.close(1006);
    const request = expect(client.declareQueue('later')).rejects.toMatchObject({ code: 'reconnect_failed' });
    expect(await failed).toMatchObject({ code: 'reconnect_failed' });
    expect(server.sockets.slice(1).map((socket) => socket.url)).toEqual(['ws://b/ws', 'ws://a/ws', 'ws://b/ws']);
    await until(() => states.length === 5);
    expect(states.map((change) => change.state)).toEqual(['disconnected', 'reconnecting', 'reconnecting', 'reconnecting', 'failed']);
    await Promise.all([first, publish, request]);
    expect(await client.closed).toMatchObject({ code: 'reconnect_failed', cause: { code: 'internal_error' } });
    await expect(client.publish('', 'q', 'y')).rejects.toMatchObject({ code: 'reconnect_failed' });
  });

  it('does not reconnect after an auth failure, on a reconnect or on the connection itself', async () => {
    const { server, client } = await failoverClient();
    server.welcome = null;
    server.onFrame = () => {};
    const original = server.receive.bind(server);
    server.receive = (data) => {
      original(data);
      if (server.framesOf('hello').length === 2) {
        server.send({ type: 'error', code: 'not_authorized', reply_code: 403, message: 'user deleted' });
        server.close(4013, 'not_authorized');
      }
    };
    server.close(1001, 'shutting_down');
    expect(await client.closed).toMatchObject({ code: 'not_authorized' });
    expect(server.sockets).toHaveLength(2);
    expect(client.state).toMatchObject({ state: 'failed', error: { code: 'not_authorized' } });

    const other = await failoverClient();
    other.server.send({ type: 'error', code: 'token_expired', reply_code: 320, message: 'expired' });
    other.server.close(4012, 'token_expired');
    expect(await other.client.closed).toMatchObject({ code: 'token_expired' });
    expect(other.server.sockets).toHaveLength(1);
  });

  it('stops reconnecting on close(): what waits rejects with shutting_down and closed resolves clean', async () => {
    const { server, down, client, states } = await failoverClient({ reconnect: { minDelay: 60_000, maxDelay: 60_000 } });
    down.add('ws://b/ws');
    server.close(1006);
    await until(() => client.state.state === 'reconnecting');
    const publish = client.publish('', 'q', 'x');
    await client.close();
    await expect(publish).rejects.toMatchObject({ code: 'shutting_down' });
    expect(await client.closed).toBeUndefined();
    await until(() => states.length === 3);
    expect(states.map((change) => change.state)).toEqual(['disconnected', 'reconnecting', 'closed']);
  });

  it('logs in again with the same credentials, and with a fresh token from the token provider', async () => {
    const { server, client } = await failoverClient({ username: 'app', password: 'secret' });
    const back = reconnected(client);
    server.close(1006);
    await back;
    expect(server.framesOf('hello').map((frame) => [frame.header.username, frame.header.password])).toEqual([
      ['app', 'secret'],
      ['app', 'secret'],
    ]);

    let issued = 0;
    const withTokens = await failoverClient({ token: () => `token-${++issued}` });
    const again = reconnected(withTokens.client);
    withTokens.server.close(4010, 'connection_forced');
    await again;
    expect(withTokens.server.framesOf('hello').map((frame) => frame.header.token)).toEqual(['token-1', 'token-2']);
  });

  it('forgets an auto-delete queue once its last consumer is cancelled, and ends a consumer whose queue the new broker refuses', async () => {
    const { server, client } = await failoverClient();
    const errors: string[] = [];
    client.onError = (error) => errors.push(error.code);
    await client.declareQueue('temp', { autoDelete: true });
    const consumer = await client.consume('temp', () => {});
    await consumer.cancel();
    await client.declareQueue('clash');
    const ended = client.messages('clash');
    const next = ended.next();
    await settle();
    play(server);
    const answer = server.onFrame;
    server.onFrame = (frame) => {
      const { type, id, queue } = frame.header;
      if (type === 'queue.declare' && queue === 'clash') server.send({ type: 'error', id, code: 'queue_conflict', reply_code: 406, message: 'different arguments' });
      else if (type === 'consume' && queue === 'clash') server.send({ type: 'error', id, code: 'queue_not_found', reply_code: 404, message: "no queue 'clash'" });
      else answer(frame);
    };
    const back = reconnected(client);
    server.close(1006);
    await back;
    expect(framesOn(server, 1).map((frame) => [frame.header.type, frame.header.queue])).toEqual([
      ['hello', undefined],
      ['queue.declare', 'clash'],
      ['consume', 'clash'],
    ]);
    await expect(next).rejects.toMatchObject({ code: 'queue_not_found' });
    expect(errors).toEqual(['queue_conflict', 'queue_not_found']);
  });

  it('keeps a single URL string as it was: no reconnect unless asked for', async () => {
    const server = new FakeServer();
    const client: Client = await connect('ws://a/ws', { WebSocket: server.WebSocket });
    server.close(1001, 'shutting_down');
    expect(await client.closed).toMatchObject({ code: 'shutting_down' });
    expect(client.state).toMatchObject({ state: 'failed' });
    expect(server.sockets).toHaveLength(1);

    const again = new FakeServer();
    play(again);
    const reconnecting = await connect('ws://a/ws', { WebSocket: again.WebSocket, reconnect: fast });
    const back = reconnected(reconnecting);
    again.close(1001, 'shutting_down');
    await back;
    expect(again.sockets.map((socket) => socket.url)).toEqual(['ws://a/ws', 'ws://a/ws']);
    await reconnecting.close();
  });

  it('refuses an empty list, a URL that does not parse and nonsense back-off options before connecting', async () => {
    const { server, WebSocket } = brokers();
    await expect(connect([], { WebSocket })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(connect(['ws://a/ws', 'not a url'], { WebSocket })).rejects.toMatchObject({ code: 'invalid_argument', message: 'not a URL: not a url' });
    await expect(connect(['ws://a/ws'], { WebSocket, reconnect: { minDelay: 10, maxDelay: 1 } })).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(server.sockets).toHaveLength(0);
  });

  it('connects to the next URL when the first is down, and rejects when every one is', async () => {
    const { server, down, WebSocket } = brokers();
    down.add('ws://a/ws');
    const client = await connect(['ws://a/ws', 'ws://b/ws'], { WebSocket });
    expect(client.url).toBe('ws://b/ws');
    down.add('ws://b/ws');
    await expect(connect(['ws://a/ws', 'ws://b/ws'], { WebSocket })).rejects.toMatchObject({ code: 'internal_error' });
    expect(server.sockets.length).toBe(4);
  });
});
