/**
 * docs/protocol.md, "Limits": a server `error.message` is at most 4096 characters. The fuzzers'
 * huge strings found error messages that quote the offending input whole: an unknown frame type,
 * a bad x-argument value. Each test sends a 100,000-character value and checks the error's code and
 * the length of its message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';
import { RawClient } from '../support/raw-client.js';

const HUGE = 'x'.repeat(100_000);

let broker: TestBroker;
let raw: RawClient;
beforeAll(async () => {
  broker = await startBroker();
  raw = await RawClient.open(broker.url);
});
afterAll(async () => {
  await raw?.close();
  await broker?.dispose();
});

describe('error messages stay within 4096 characters', () => {
  it.each([
    ['an unknown frame type', { type: HUGE }, 'frame_unknown'],
    ['a bad x-argument value', { type: 'queue.declare', queue: 'long-error', arguments: { 'x-overflow': HUGE } }, 'invalid_argument'],
    ['a bad alternate-exchange', { type: 'exchange.declare', exchange: 'long-error', kind: 'direct', arguments: { 'alternate-exchange': HUGE } }, 'invalid_argument'],
  ])('%s', async (_, header, code) => {
    const reply = await raw.request(header);
    expect(reply.header).toMatchObject({ type: 'error', code });
    expect((reply.header.message as string).length).toBeLessThanOrEqual(4096);
  });
});
