import { describe, expect, it } from 'vitest';
import type { RawFrame } from '@warren/protocol';
import { FrameTurns } from './frame-turns.js';

const frames = (from: number, count: number): RawFrame[] => Array.from({ length: count }, (_, i) => ({ header: { n: from + i }, body: new Uint8Array(0) }));
const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock that moves 1 ms each time it is read: every look at it ends the turn. */
function harness() {
  let clock = 0;
  const handled: number[] = [];
  const gate: string[] = [];
  let turnsEnded = 0;
  const turns = new FrameTurns(
    (frame) => handled.push((frame.header as { n: number }).n),
    () => turnsEnded++,
    { pause: () => gate.push('pause'), resume: () => gate.push('resume') },
    () => clock++,
  );
  return { turns, handled, gate, turnsEnded: () => turnsEnded };
}

describe('FrameTurns', () => {
  it('handles a small message at once, in one turn, without touching the socket', () => {
    const { turns, handled, gate, turnsEnded } = harness();
    turns.add(frames(0, 10));
    expect(handled).toEqual([...Array(10).keys()]);
    expect([turnsEnded(), gate]).toEqual([1, []]);
  });

  it('spreads a long message over turns, reading nothing meanwhile, and keeps later messages in order', async () => {
    const { turns, handled, gate, turnsEnded } = harness();
    turns.add(frames(0, 40));
    expect(handled).toHaveLength(16);
    expect(gate).toEqual(['pause']);
    // ws may still emit a message it had buffered when the socket paused.
    turns.add(frames(40, 5));
    while (handled.length < 45) await immediate();
    expect(handled).toEqual([...Array(45).keys()]);
    expect(gate).toEqual(['pause', 'resume']);
    expect(turnsEnded()).toBe(3);
  });

  it('drops what waits once stopped', async () => {
    const { turns, handled } = harness();
    turns.add(frames(0, 40));
    turns.stop();
    await immediate();
    await immediate();
    turns.add(frames(40, 5));
    expect(handled).toHaveLength(16);
  });

  it('handles nothing while any of its holders holds it, and goes on in order once all have let go', async () => {
    const { turns, handled } = harness();
    turns.hold('send buffer');
    turns.hold('queue flow');
    turns.add(frames(0, 5));
    turns.release('send buffer');
    await immediate();
    expect(handled).toEqual([]);
    turns.release('send buffer');
    await immediate();
    expect(handled).toEqual([]);
    turns.release('queue flow');
    while (handled.length < 5) await immediate();
    expect(handled).toEqual([0, 1, 2, 3, 4]);
  });
});
