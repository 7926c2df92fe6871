import { describe, expect, it } from 'vitest';
import { MeasureWindow } from './measure-window.js';
import { ProducerLoop, type Pacing } from './producer-loop.js';

const pacing = (overrides: Partial<Pacing>): Pacing => ({ bodyBytes: 16, routingKeys: ['a', 'b'], maxInFlight: 4, ...overrides });
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ProducerLoop', () => {
  it('keeps at most maxInFlight unanswered and refills a slot per answer', async () => {
    const keys: string[] = [];
    let answer = (_ok: boolean): void => {};
    const loop = new ProducerLoop(
      (a) => {
        answer = a;
        return { publish: (_body, key) => (keys.push(key), true) };
      },
      pacing({}),
      new MeasureWindow(),
    );
    loop.start();
    expect(keys).toEqual(['a', 'b', 'a', 'b']);
    answer(true);
    answer(false);
    expect(keys).toHaveLength(6);
    expect(loop.failed).toBe(1);
    loop.stop();
    answer(true);
    expect(keys).toHaveLength(6);
  });

  it('counts completed publishes only while the window is open', async () => {
    let answer = (_ok: boolean): void => {};
    const window = new MeasureWindow();
    const loop = new ProducerLoop((a) => ((answer = a), { publish: () => true }), pacing({}), window);
    loop.start();
    answer(true);
    window.start();
    answer(true);
    answer(true);
    window.stop();
    answer(true);
    loop.stop();
    expect(loop.published).toBe(2);
  });

  it('waits for drain when the transport says its buffer is full', async () => {
    let sent = 0;
    let writable = true;
    let drained = (): void => {};
    const loop = new ProducerLoop(
      (answer, d) => {
        drained = d;
        // No confirms: answered at once, so only the transport's buffer holds the loop back.
        return { publish: () => (sent++, answer(true), (writable = sent % 10 !== 0), writable) };
      },
      pacing({ maxInFlight: Number.POSITIVE_INFINITY }),
      new MeasureWindow(),
    );
    loop.start();
    await tick();
    expect(sent).toBe(10);
    drained();
    await tick();
    expect(sent).toBe(20);
    loop.stop();
  });

  it('prefills exactly the count asked, answered, before it starts', async () => {
    const pending: Array<(ok: boolean) => void> = [];
    let sent = 0;
    const loop = new ProducerLoop(
      (answer) => ({ publish: () => (sent++, pending.push(answer), true) }),
      pacing({ maxInFlight: 3 }),
      new MeasureWindow(),
    );
    let done = false;
    const prefilled = loop.prefill(7).then(() => (done = true));
    while (pending.length > 0) {
      pending.shift()?.(true);
      await tick();
    }
    await prefilled;
    expect(done).toBe(true);
    expect(sent).toBe(7);
  });

  it('holds a fixed rate', async () => {
    let sent = 0;
    const loop = new ProducerLoop((answer) => ({ publish: () => (sent++, answer(true), true) }), pacing({ maxInFlight: 100, perSecond: 1000 }), new MeasureWindow());
    const startedAt = performance.now();
    loop.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    loop.stop();
    const elapsed = performance.now() - startedAt;
    // Never ahead of the schedule; behind it only by what a late timer costs.
    expect(sent).toBeLessThanOrEqual(Math.floor(elapsed) + 1);
    expect(sent).toBeGreaterThan(elapsed / 2);
  });
});
