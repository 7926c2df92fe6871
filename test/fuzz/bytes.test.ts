/**
 * Byte mutation of encoded frames, for every client frame type (issue 12, part 4): a valid or
 * structurally broken frame is encoded, then broken byte by byte (bit flips, overwrites, inserts,
 * deletes, bad length prefixes, cuts, repeats). First through the decoder and the validator alone
 * — they may only fail with their documented WarrenErrors — then through a real Session
 * (session-bench.ts has the oracle). Cases per type: WARREN_FUZZ_RUNS (default 300).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFrames, parseClientFrame, WarrenError } from '@warren/protocol';
import { frameTypes, fuzzedFrame, messagesOf, mutatedBytes } from './frame-arbitraries.js';
import { SessionBench } from './session-bench.js';

const RUNS = Number(process.env.WARREN_FUZZ_RUNS ?? 300);
const SEED = process.env.WARREN_FUZZ_SEED === undefined ? undefined : Number(process.env.WARREN_FUZZ_SEED);

const bench = new SessionBench();
afterAll(() => bench.close());

/** One or two frames of `type` (after an optional valid heartbeat), as one message, then mutated. */
const mutatedMessage = (type: string) =>
  fc
    .tuple(fc.array(fuzzedFrame(type), { minLength: 1, maxLength: 2 }), fc.boolean())
    .map(([frames, lead]) => messagesOf(lead ? [{ header: { type: 'heartbeat' }, body: new Uint8Array(0) }, ...frames] : frames, true)[0]!)
    .chain(mutatedBytes);

function decoderProblems(bytes: Uint8Array): string[] {
  let frames;
  try {
    frames = decodeFrames(bytes);
  } catch (error) {
    return error instanceof WarrenError && error.code === 'frame_malformed' ? [] : [`decodeFrames threw ${String(error)}`];
  }
  const problems: string[] = [];
  for (const raw of frames) {
    try {
      parseClientFrame(raw);
    } catch (error) {
      if (!(error instanceof WarrenError && (error.code === 'frame_invalid' || error.code === 'frame_unknown'))) {
        problems.push(`parseClientFrame threw ${String(error)} for ${JSON.stringify(raw.header)?.slice(0, 200)}`);
      }
    }
  }
  // The decoder invents nothing: at least one frame, and no more body bytes than the message has.
  const bodies = frames.reduce((n, f) => n + 8 + f.body.length, 0);
  if (frames.length === 0 || bodies > bytes.length) problems.push(`${frames.length} frames with ${bodies} bytes of bodies from a ${bytes.length}-byte message`);
  return problems;
}

describe.each(frameTypes())('byte-mutated %s frames', (type) => {
  it(`${RUNS} cases through the decoder and validator: only frame_malformed, frame_invalid or frame_unknown`, () => {
    fc.assert(
      fc.property(mutatedMessage(type), (bytes) => {
        const problems = decoderProblems(bytes);
        if (problems.length > 0) throw new Error(problems.join('\n'));
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(RUNS).toBeGreaterThan(0);
  }, 30_000 + RUNS * 5);

  it(`${RUNS} cases through a real session: no crash, registered codes only`, async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(mutatedMessage(type), fc.boolean(), async (bytes, handshake) => {
        cases++;
        const connection = await bench.open(handshake);
        connection.receive(bytes);
        await connection.settle();
        const problems = connection.check();
        if (problems.length > 0) throw new Error(problems.join('\n'));
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(cases).toBeGreaterThanOrEqual(RUNS);
  }, 60_000 + RUNS * 50);
});
