/**
 * Deeply nested JSON in the fields that take any JSON (x-arguments, binding arguments, message
 * headers, policy definitions) or that are echoed in an error (`type`), found by the fuzzers' nested junk: a
 * 20,000-deep array is 40 KB, well under every size limit, and JSON.parse takes it, but the
 * broker's later JSON.stringify (storing, comparing, delivering) runs out of stack. Whatever the
 * broker decides about such a value, it must answer with a registered operation error or accept
 * it, keep the connection, and never let it hurt another connection: a message it enqueued must
 * be deliverable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { encodeFrame } from '@warren/protocol';
import { startBroker, type TestBroker } from '../support/broker.js';
import { RawClient, type ReceivedFrame } from '../support/raw-client.js';
import { depth } from '../support/messages.js';

const DEEP = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;

let broker: TestBroker;
let client: Client;
beforeAll(async () => {
  broker = await startBroker();
  client = await connect(broker.url);
});
afterAll(async () => {
  await client?.close();
  await broker?.dispose();
});

/** Sends one frame, given as JSON text, and returns its answer or the close that came instead. */
async function answer(text: string, match: (f: ReceivedFrame) => boolean): Promise<{ frame?: ReceivedFrame; closed?: number }> {
  const raw = await RawClient.open(broker.url);
  raw.sendBytes(encodeFrame(text));
  const result: { frame?: ReceivedFrame; closed?: number } = await Promise.race([
    raw.next(match).then((frame) => ({ frame })),
    raw.closed.then(({ code }) => ({ closed: code })),
  ]);
  if (result.closed === undefined) await raw.close();
  return result;
}

describe('deeply nested JSON values', () => {
  it.each([
    ['a frame type', `{"type":${DEEP},"id":1}`],
    ['queue.declare arguments', `{"type":"queue.declare","id":1,"queue":"deep-q","arguments":{"x-custom":${DEEP}}}`],
    ['a known x-argument', `{"type":"queue.declare","id":1,"queue":"deep-q2","arguments":{"x-max-length":${DEEP}}}`],
    ['exchange.declare arguments', `{"type":"exchange.declare","id":1,"exchange":"deep-x","kind":"direct","arguments":{"x-custom":${DEEP}}}`],
    ['queue.bind arguments', `{"type":"queue.bind","id":1,"queue":"deep-bound","exchange":"amq.headers","arguments":{"h":${DEEP}}}`],
    ['policy.declare definition', `{"type":"policy.declare","id":1,"name":"deep","policy":{"pattern":"^deep-none$","definition":{"x":${DEEP}}}}`],
  ])('%s: answered with a registered operation error or ok, and the connection stays', async (_, text) => {
    await client.declareQueue('deep-bound', { durable: false });
    const result = await answer(text, (f) => f.header.id === 1);
    expect(result.closed).toBeUndefined();
    expect(result.frame?.header.code).not.toBe('internal_error');
  });

  it('a persistent message with nested headers is confirmed or refused, never left half-enqueued', async () => {
    await client.declareQueue('deep-durable', { durable: true });
    const text = `{"type":"publish","seq":1,"exchange":"","routing_key":"deep-durable","properties":{"persistent":true},"headers":{"x":${DEEP}}}`;
    const result = await answer(text, (f) => f.header.seq === 1);
    expect(result.closed).toBeUndefined();
    const acked = result.frame?.header.type === 'publish.ack';
    expect(await depth(client, 'deep-durable')).toBe(acked ? 1 : 0);
  });

  it('a message with nested headers that was enqueued does not kill the connections consuming it', async () => {
    await client.declareQueue('deep-transient', { durable: false });
    const text = `{"type":"publish","seq":1,"exchange":"","routing_key":"deep-transient","headers":{"x":${DEEP}}}`;
    const result = await answer(text, (f) => f.header.seq === 1);
    expect(result.closed).toBeUndefined();
    await client.publish('', 'deep-transient', 'after');

    const consumer = await RawClient.open(broker.url);
    consumer.send({ type: 'consume', id: 7, queue: 'deep-transient', no_ack: true });
    const got = await Promise.race([consumer.next((f) => f.header.type === 'deliver' && new TextDecoder().decode(f.body) === 'after'), consumer.closed]);
    expect(got).toHaveProperty('body');
    expect(consumer.frames.filter((f) => f.header.type === 'error')).toEqual([]);
    await consumer.close();
  });
});
