import { describe, expect, it } from 'vitest';
import { FakeClock } from '../testing/fake-clock.js';
import { QueueFlow, type FlowMarks } from './queue-flow.js';

const MARKS: FlowMarks = { highMessages: 10, lowMessages: 5, highBytes: 1_000, lowBytes: 500, maxHoldMs: 100 };

function flow(): { clock: FakeClock; flow: QueueFlow } {
  const clock = new FakeClock();
  const queueFlow = new QueueFlow(clock, MARKS);
  return { clock, flow: queueFlow };
}

describe('QueueFlow', () => {
  it('holds publishers above the high mark while consumers drain the queue, and lets them go at the low mark', () => {
    const { flow: f } = flow();
    f.enqueued(10, 100, 1);
    expect(f.holding).toBe(false);
    f.enqueued(11, 110, 1);
    expect(f.holding).toBe(true);
    let resumed = 0;
    f.wait(() => resumed++);
    f.wait(() => resumed++);
    f.drained(6, 60, 1);
    expect(resumed).toBe(0);
    f.drained(5, 50, 1);
    expect(resumed).toBe(2);
    expect(f.holding).toBe(false);
  });

  it('holds on bytes as well as on messages', () => {
    const { flow: f } = flow();
    f.enqueued(2, 1_001, 1);
    expect(f.holding).toBe(true);
    f.drained(1, 600, 1);
    expect(f.holding).toBe(true);
    f.drained(1, 500, 1);
    expect(f.holding).toBe(false);
  });

  it('never holds for a queue without consumers, and lets go when its last consumer leaves', () => {
    const { flow: f } = flow();
    f.enqueued(1_000, 0, 0);
    expect(f.holding).toBe(false);
    f.enqueued(1_001, 0, 1);
    expect(f.holding).toBe(true);
    let resumed = false;
    f.wait(() => (resumed = true));
    f.drained(1_001, 0, 0);
    expect(resumed).toBe(true);
  });

  it('takes consumers that do not drain within maxHoldMs for slow ones: nobody is held until the backlog is low again', () => {
    const { clock, flow: f } = flow();
    f.enqueued(11, 0, 1);
    let resumed = false;
    f.wait(() => (resumed = true));
    clock.advance(99);
    expect(resumed).toBe(false);
    clock.advance(1);
    expect(resumed).toBe(true);
    f.enqueued(500, 0, 1);
    expect(f.holding).toBe(false);
    f.drained(5, 0, 1);
    f.enqueued(11, 0, 1);
    expect(f.holding).toBe(true);
  });

  it('forgets a slow spell once an enqueue finds the backlog low', () => {
    const { clock, flow: f } = flow();
    f.enqueued(11, 0, 1);
    clock.advance(100);
    f.enqueued(4, 0, 1);
    f.enqueued(11, 0, 1);
    expect(f.holding).toBe(true);
  });

  it('resumes at once a publisher that waits on a queue holding nobody', () => {
    const { flow: f } = flow();
    let resumed = false;
    f.wait(() => (resumed = true));
    expect(resumed).toBe(true);
  });
});
