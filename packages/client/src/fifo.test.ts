import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('returns items in push order while it grows, shifts and compacts', () => {
    const fifo = new Fifo<number>();
    const pushed: number[] = [];
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      fifo.push(2 * i);
      fifo.push(2 * i + 1);
      pushed.push(2 * i, 2 * i + 1);
      out.push(fifo.shift() as number);
    }
    expect(fifo.size).toBe(5000);
    out.push(...fifo.drain());
    expect(out).toEqual(pushed);
    expect(fifo.size).toBe(0);
    expect(fifo.shift()).toBeUndefined();
  });
});
