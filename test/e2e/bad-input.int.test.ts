/**
 * Bad input over a raw connection, one test per kind. Each shows the stable error code (and the
 * close code when the connection ends), that an operation-scoped error leaves the offending
 * connection working, and that a bystander — a real client connected before the bad input, with
 * a durable queue holding 3 persistent messages — is unaffected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, PublishNackedError, type Client } from '@warren/client';
import { encodeFrame, ERRORS, type ErrorCode } from '@warren/protocol';
import { startBroker, type TestBroker } from '../support/broker.js';
import { RawClient, type ReceivedFrame } from '../support/raw-client.js';
import { depth, take, texts } from '../support/messages.js';

const SMALL_MAX = 1024;
const WS_OVERHEAD = 64 * 1024;

/** Default limits. */
let broker: TestBroker;
/** maxMessageSize 1024: the WebSocket limit is 1024 + 64 KiB. */
let small: TestBroker;
let n = 0;
const unique = (base: string) => `${base}-${++n}`;

beforeAll(async () => {
  [broker, small] = await Promise.all([startBroker(), startBroker({ maxMessageSize: SMALL_MAX })]);
});
afterAll(async () => {
  await Promise.all([broker?.dispose(), small?.dispose()]);
});

// --- shared checks ------------------------------------------------------------------------------

interface Bystander {
  /** (c) a publish + consume round trip still works; (d) the durable queue still holds exactly its 3 persistent messages. */
  verify(): Promise<void>;
}

/** A real client connected before the bad input, with a durable queue of 3 persistent messages. */
async function bystander(on: TestBroker = broker): Promise<Bystander> {
  const client: Client = await connect(on.url);
  const stored = unique('stored');
  await client.declareQueue(stored, { durable: true });
  const bodies = ['one', 'two', 'three'].map((b) => `${stored}/${b}`);
  for (const body of bodies) await client.publish('', stored, body, { persistent: true });
  expect(await depth(client, stored)).toBe(3);
  return {
    async verify() {
      const { queue } = await client.declareQueue('', { exclusive: true });
      await client.publish('', queue, 'round trip');
      const [echo] = await take(client, queue, 1);
      expect(echo!.text()).toBe('round trip');
      echo!.ack();

      expect(await depth(client, stored)).toBe(3);
      const kept = await take(client, stored, 3);
      expect(texts(kept)).toEqual(bodies);
      expect(kept.map((m) => [m.properties.persistent, m.redelivered])).toEqual([
        [true, false],
        [true, false],
        [true, false],
      ]);
      for (const m of kept) m.ack();
      expect(await depth(client, stored)).toBe(0);
      await client.deleteQueue(stored);
      await client.close();
    },
  };
}

/** Waits only for frames received after this call (a connection may get the same error twice). */
function from(raw: RawClient): (match: (f: ReceivedFrame) => boolean) => Promise<ReceivedFrame> {
  const start = raw.frames.length;
  return (match) => raw.next((f) => raw.frames.indexOf(f) >= start && match(f));
}

const errorFrame = (code: ErrorCode) => (f: ReceivedFrame) => f.header.type === 'error' && f.header.code === code;
const nackOf = (seq: number) => (f: ReceivedFrame) => f.header.type === 'publish.nack' && f.header.seq === seq;
const ackCovering = (seq: number) => (f: ReceivedFrame) => f.header.type === 'publish.ack' && (f.header.seq as number) >= seq;
const answerTo = (seq: number) => (f: ReceivedFrame) => nackOf(seq)(f) || ackCovering(seq)(f);

/** The error frame carries the code's registered reply code. */
function expectError(frame: ReceivedFrame, code: ErrorCode, fields: Record<string, unknown> = {}): void {
  expect(frame.header).toMatchObject({ type: 'error', code, reply_code: ERRORS[code].replyCode, ...fields });
  expect(typeof frame.header.message).toBe('string');
}

/** A connection-scoped error: the error frame, then the close with the code's close code. */
async function expectClosedWith(raw: RawClient, code: ErrorCode, closeCode: number): Promise<void> {
  expect((ERRORS[code] as { closeCode?: number }).closeCode).toBe(closeCode);
  expectError(await raw.next(errorFrame(code)), code);
  expect((await raw.closed).code).toBe(closeCode);
}

/** The error message names `field`, beyond the frame type it starts with ("queue.declare: …"). */
function expectNames(frame: ReceivedFrame, type: string, field: string): void {
  const message = frame.header.message as string;
  expect(message.replaceAll(type, ''), message).toContain(field);
}

/** (b) The connection still answers a request with ok. */
async function expectStillWorks(raw: RawClient): Promise<void> {
  const reply = await raw.request({ type: 'queue.declare', queue: '', exclusive: true });
  expect(reply.header).toMatchObject({ type: 'ok', message_count: 0 });
  expect(raw.ws.readyState).toBe(raw.ws.OPEN);
}

async function queueExists(raw: RawClient, queue: string): Promise<boolean> {
  const reply = await raw.request({ type: 'queue.declare', queue, passive: true });
  if (reply.header.type === 'ok') return true;
  expect(reply.header.code).toBe('queue_not_found');
  return false;
}

const publish = (raw: RawClient, seq: number, fields: Record<string, unknown>, body = new TextEncoder().encode(`m${seq}`)) =>
  raw.send({ type: 'publish', seq, exchange: '', ...fields }, body);

/** The first frame in `bytes` with its header length prefix replaced. */
function withLength(bytes: Uint8Array, at: number, length: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, length);
  return copy;
}

// --- connection-scoped: the message cannot be framed ------------------------------------------

describe('framing faults close the connection with frame_malformed (1002)', () => {
  it('a header that is not valid JSON', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    raw.sendBytes(encodeFrame('{"type": "queue.declare", "id": 1, "queue": '));
    await expectClosedWith(raw, 'frame_malformed', 1002);

    // Not UTF-8 either: a lone continuation byte inside the JSON string.
    const header = new TextEncoder().encode('{"type":"heartbeat","x":"?"}');
    header[header.indexOf('?'.charCodeAt(0))] = 0x80;
    const message = new Uint8Array(8 + header.length);
    new DataView(message.buffer).setUint32(0, header.length);
    message.set(header, 4);
    const notUtf8 = await RawClient.open(broker.url);
    notUtf8.sendBytes(message);
    await expectClosedWith(notUtf8, 'frame_malformed', 1002);
    await witness.verify();
  });

  it('a length prefix larger than the data', async () => {
    const witness = await bystander();
    const whole = encodeFrame({ type: 'queue.declare', id: 1, queue: 'q' }, new Uint8Array([1, 2, 3]));
    const headerLength = new DataView(whole.buffer).getUint32(0);

    const longHeader = await RawClient.open(broker.url);
    longHeader.sendBytes(withLength(whole, 0, whole.length + 100));
    await expectClosedWith(longHeader, 'frame_malformed', 1002);

    const longBody = await RawClient.open(broker.url);
    longBody.sendBytes(withLength(whole, 4 + headerLength, 1000));
    await expectClosedWith(longBody, 'frame_malformed', 1002);

    // A valid frame ahead of the truncated one in the same message is not acted on either.
    const name = unique('never-declared');
    const valid = encodeFrame({ type: 'queue.declare', id: 1, queue: name });
    const mixed = await RawClient.open(broker.url);
    const message = new Uint8Array(valid.length + whole.length);
    message.set(valid);
    message.set(withLength(whole, 0, whole.length + 100), valid.length);
    mixed.sendBytes(message);
    await expectClosedWith(mixed, 'frame_malformed', 1002);
    expect(mixed.frames.some((f) => f.header.type === 'ok')).toBe(false);
    const checker = await RawClient.open(broker.url);
    expect(await queueExists(checker, name)).toBe(false);
    await checker.close();

    // A message that ends inside a length, and an empty one.
    for (const bytes of [new Uint8Array([0, 0]), new Uint8Array(0)]) {
      const raw = await RawClient.open(broker.url);
      raw.sendBytes(bytes);
      await expectClosedWith(raw, 'frame_malformed', 1002);
    }

    await witness.verify();
  });

  it('a text WebSocket message', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    raw.sendBytes('{"type":"heartbeat"}');
    await expectClosedWith(raw, 'frame_malformed', 1002);
    await witness.verify();
  });

  it('a WebSocket message over max_message_size + 64 KiB closes with 1009', async () => {
    const witness = await bystander(small);
    const raw = await RawClient.open(small.url);
    const welcome = raw.frames.find((f) => f.header.type === 'welcome')!;
    expect(welcome.header.max_message_size).toBe(SMALL_MAX);
    raw.sendBytes(encodeFrame({ type: 'publish', seq: 1, exchange: '', routing_key: 'q' }, new Uint8Array(SMALL_MAX + WS_OVERHEAD + 1024)));
    expect(ERRORS.frame_too_large.closeCode).toBe(1009);
    expect((await raw.closed).code).toBe(1009);
    // ws itself closes the socket: no error frame, and the publish is never answered.
    expect(raw.frames.map((f) => f.header.type)).toEqual(['welcome']);
    await witness.verify();
  });
});

// --- operation-scoped: the frame is answered, the connection stays ---------------------------

describe('invalid frames are answered and the connection stays open', () => {
  it('an unknown frame type is frame_unknown carrying its id', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    raw.send({ type: 'queue.explode', id: 4242, queue: 'q' });
    expectError(await raw.next(errorFrame('frame_unknown')), 'frame_unknown', { id: 4242 });
    await expectStillWorks(raw);
    await witness.verify();
    await raw.close();
  });

  it('wrong field types are frame_invalid naming the field; a bad publish is nacked for its seq', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    const name = unique('typed');
    raw.send({ type: 'queue.declare', id: 4243, queue: name, durable: 'yes' });
    const declare = await raw.next(errorFrame('frame_invalid'));
    expectError(declare, 'frame_invalid', { id: 4243 });
    expectNames(declare, 'queue.declare', 'durable');
    expect(await queueExists(raw, name)).toBe(false);

    const { queue } = (await raw.request({ type: 'queue.declare', queue: '', exclusive: true })).header as { queue: string };
    publish(raw, 1, { routing_key: 42 });
    const nack = await raw.next(answerTo(1));
    expect(nack.header).toMatchObject({ type: 'publish.nack', seq: 1, code: 'frame_invalid' });
    expectNames(nack, 'publish', 'routing_key');

    publish(raw, 2, { routing_key: queue });
    expect((await raw.next(answerTo(2))).header.type).toBe('publish.ack');
    const count = await raw.request({ type: 'queue.declare', queue, passive: true });
    expect(count.header).toMatchObject({ type: 'ok', message_count: 1 });
    await expectStillWorks(raw);
    await witness.verify();
    await raw.close();
  });

  it('a missing required field is frame_invalid naming the field', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    raw.send({ type: 'queue.declare', id: 4244, durable: true });
    const declare = await raw.next(errorFrame('frame_invalid'));
    expectError(declare, 'frame_invalid', { id: 4244 });
    expectNames(declare, 'queue.declare', 'queue');

    publish(raw, 1, { routing_key: undefined });
    const nack = await raw.next(answerTo(1));
    expect(nack.header).toMatchObject({ type: 'publish.nack', seq: 1, code: 'frame_invalid' });
    expectNames(nack, 'publish', 'routing_key');

    await expectStillWorks(raw);
    await witness.verify();
    await raw.close();
  });

  it('a header that is a JSON array is frame_invalid', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    raw.sendBytes(encodeFrame('[{"type":"queue.declare","id":4245,"queue":"q"}]'));
    const error = await raw.next(errorFrame('frame_invalid'));
    expectError(error, 'frame_invalid');
    expect(error.header).not.toHaveProperty('id');
    await expectStillWorks(raw);
    await witness.verify();
    await raw.close();
  });

  it('a body over max_message_size but within the WebSocket limit is nacked message_too_large', async () => {
    const witness = await bystander(small);
    const raw = await RawClient.open(small.url);
    const { queue } = (await raw.request({ type: 'queue.declare', queue: '', exclusive: true })).header as { queue: string };
    publish(raw, 1, { routing_key: queue }, new Uint8Array(SMALL_MAX + 1));
    expect((await raw.next(answerTo(1))).header).toMatchObject({ type: 'publish.nack', seq: 1, code: 'message_too_large' });
    publish(raw, 2, { routing_key: queue }, new Uint8Array(SMALL_MAX));
    expect((await raw.next(answerTo(2))).header.type).toBe('publish.ack');
    const count = await raw.request({ type: 'queue.declare', queue, passive: true });
    expect(count.header).toMatchObject({ type: 'ok', message_count: 1 });
    await expectStillWorks(raw);
    await witness.verify();
    await raw.close();
  });

  it('settling an unknown delivery tag, or one already acked, is unknown_delivery_tag without an id', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    const { queue } = (await raw.request({ type: 'queue.declare', queue: '', exclusive: true })).header as { queue: string };
    publish(raw, 1, { routing_key: queue });
    await raw.next(ackCovering(1));
    expect((await raw.request({ type: 'consume', queue })).header.type).toBe('ok');
    const tag = (await raw.next((f) => f.header.type === 'deliver')).header.delivery_tag as number;

    for (const type of ['ack', 'nack', 'reject']) {
      const next = from(raw);
      raw.send({ type, delivery_tag: tag + 100 });
      const error = await next(errorFrame('unknown_delivery_tag'));
      expectError(error, 'unknown_delivery_tag');
      expect(error.header).not.toHaveProperty('id');
    }

    // The first ack is accepted: nothing but the reply to the following request comes back.
    const sinceAck = raw.frames.length;
    const afterFirstAck = from(raw);
    raw.send({ type: 'ack', delivery_tag: tag });
    await expectStillWorks(raw);
    expect(raw.frames.slice(sinceAck).map((f) => f.header.type)).toEqual(['ok']);

    raw.send({ type: 'ack', delivery_tag: tag });
    const twice = await afterFirstAck(errorFrame('unknown_delivery_tag'));
    expectError(twice, 'unknown_delivery_tag');
    expect(twice.header).not.toHaveProperty('id');
    await expectStillWorks(raw);
    await witness.verify();
    await raw.close();
  });

  it('publishing to a missing exchange is nacked exchange_not_found', async () => {
    const witness = await bystander();
    const missing = unique('no-such-exchange');
    const raw = await RawClient.open(broker.url);
    publish(raw, 1, { exchange: missing, routing_key: 'k' });
    expect((await raw.next(answerTo(1))).header).toMatchObject({ type: 'publish.nack', seq: 1, code: 'exchange_not_found' });
    await expectStillWorks(raw);

    const offender = await connect(broker.url);
    const failed = offender.publish(missing, 'k', 'lost');
    await expect(failed).rejects.toBeInstanceOf(PublishNackedError);
    await expect(failed).rejects.toMatchObject({ code: 'exchange_not_found', replyCode: 404 });
    const { queue } = await offender.declareQueue('', { exclusive: true });
    await offender.publish('', queue, 'after');
    expect(texts(await take(offender, queue, 1))).toEqual(['after']);
    await offender.close();

    await witness.verify();
    await raw.close();
  });

  it('declaring a queue with bad arguments is invalid_argument naming the argument', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    const bad: [string, unknown][] = [
      ['x-max-length', 'ten'],
      ['x-overflow', 'explode'],
      ['x-message-ttl', -1],
    ];
    for (const [key, value] of bad) {
      const name = unique('bad-args');
      const reply = await raw.request({ type: 'queue.declare', queue: name, arguments: { [key]: value } });
      expectError(reply, 'invalid_argument');
      expect(reply.header.message).toContain(key);
      expect(await queueExists(raw, name)).toBe(false);
    }
    await expectStillWorks(raw);
    await witness.verify();
    await raw.close();
  });

  it('declaring an exchange with a non-string alternate-exchange is invalid_argument', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    const name = unique('bad-alternate');
    const reply = await raw.request({ type: 'exchange.declare', exchange: name, kind: 'direct', arguments: { 'alternate-exchange': 5 } });
    expectError(reply, 'invalid_argument');
    expect(reply.header.message).toContain('alternate-exchange');
    const passive = await raw.request({ type: 'exchange.declare', exchange: name, kind: 'direct', passive: true });
    expectError(passive, 'exchange_not_found');
    await expectStillWorks(raw);
    await witness.verify();
    await raw.close();
  });

  it('a publish seq that does not increase is nacked frame_invalid for that seq', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    const { queue } = (await raw.request({ type: 'queue.declare', queue: '', exclusive: true })).header as { queue: string };
    publish(raw, 1, { routing_key: queue });
    publish(raw, 2, { routing_key: queue });
    await raw.next(ackCovering(2));

    const again = from(raw);
    publish(raw, 2, { routing_key: queue });
    expect((await again(answerTo(2))).header).toMatchObject({ type: 'publish.nack', seq: 2, code: 'frame_invalid' });
    const back = from(raw);
    publish(raw, 1, { routing_key: queue });
    expect((await back(answerTo(1))).header).toMatchObject({ type: 'publish.nack', seq: 1, code: 'frame_invalid' });

    publish(raw, 3, { routing_key: queue });
    expect((await raw.next(answerTo(3))).header.type).toBe('publish.ack');
    const count = await raw.request({ type: 'queue.declare', queue, passive: true });
    expect(count.header).toMatchObject({ type: 'ok', message_count: 3 });
    await expectStillWorks(raw);
    await witness.verify();
    await raw.close();
  });

  it('cancelling an unknown consumer tag is consumer_not_found', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    const reply = await raw.request({ type: 'cancel', consumer_tag: 'amq.ctag-nobody' });
    expectError(reply, 'consumer_not_found');
    await expectStillWorks(raw);
    await witness.verify();
    await raw.close();
  });

  it('a hello after the handshake is frame_invalid', async () => {
    const witness = await bystander();
    const raw = await RawClient.open(broker.url);
    raw.send({ type: 'hello', version: 1 });
    const error = await raw.next(errorFrame('frame_invalid'));
    expectError(error, 'frame_invalid');
    expect(error.header).not.toHaveProperty('id');
    expect(raw.frames.filter((f) => f.header.type === 'welcome')).toHaveLength(1);
    await expectStillWorks(raw);
    await witness.verify();
    await raw.close();
  });
});
