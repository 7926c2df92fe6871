/**
 * Structure-aware fuzzing of every client frame type (issue 12, part 4): frames built from the
 * type's own schema, then broken (frame-arbitraries.ts), encoded by the real codec and fed, one to
 * three per case, batched or not, through a real server Session over a real Broker
 * (session-bench.ts has the oracle). Some cases start before the handshake (most of them for
 * hello); of the others, half first give the connection a consumer holding deliveries, so
 * settlements meet real tags. Cases per type: WARREN_FUZZ_RUNS (default 300; the long
 * form is 100,000, docs/testing.md); WARREN_FUZZ_SEED replays a run.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '@warren/protocol';
import { frameTypes, fuzzedFrame, messagesOf } from './frame-arbitraries.js';
import { SessionBench, type Connection } from './session-bench.js';

const RUNS = Number(process.env.WARREN_FUZZ_RUNS ?? 300);
const SEED = process.env.WARREN_FUZZ_SEED === undefined ? undefined : Number(process.env.WARREN_FUZZ_SEED);

const bench = new SessionBench();
afterAll(() => bench.close());

/** A consumer with three deliveries outstanding (tags 1–3), and a few messages left ready. */
async function withDeliveries(connection: Connection): Promise<void> {
  connection.receive(encodeFrame({ type: 'queue.declare', id: 9001, queue: 'fz-q1' }));
  for (let seq = 1; seq <= 3; seq++) connection.receive(encodeFrame({ type: 'publish', seq, exchange: '', routing_key: 'fz-q1' }, new Uint8Array([seq])));
  connection.receive(encodeFrame({ type: 'consume', id: 9002, queue: 'fz-q1', prefetch: 3 }));
  await connection.settle();
  connection.mark();
}

describe.each(frameTypes())('fuzzing %s frames through a real session', (type) => {
  it(`${RUNS} cases: no crash, registered codes only, every request answered once`, async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        // Before the handshake, the fuzzed frames are the connection's first: mostly for hello.
        fc.oneof({ arbitrary: fc.constant(true), weight: type === 'hello' ? 1 : 6 }, { arbitrary: fc.constant(false), weight: type === 'hello' ? 4 : 1 }),
        fc.boolean(),
        fc.array(fuzzedFrame(type), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (handshake, prelude, frames, batched) => {
          cases++;
          const connection = await bench.open(handshake);
          if (handshake && prelude) await withDeliveries(connection);
          for (const message of messagesOf(frames, batched)) connection.receive(message);
          await connection.settle();
          const problems = connection.check();
          if (problems.length > 0) throw new Error(problems.join('\n'));
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
    expect(cases).toBeGreaterThanOrEqual(RUNS);
  }, 60_000 + RUNS * 50);
});
