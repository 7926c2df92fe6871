/**
 * A Clock the test moves by hand: time stands still during a command, and `advance` fires the
 * timers that fall due, earliest first, each at its own due time (as a punctual real clock
 * would). `fireDue` runs the timers armed for "now" or earlier without moving time, as Node's
 * event loop would right after the current task.
 */
import type { Clock } from '@warren/core';

interface Timer {
  due: number;
  order: number;
  fire: () => void;
}

export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private armed = 0;

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fire: () => void): () => void {
    const timer: Timer = { due: this.current + Math.max(0, ms), order: this.armed++, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    const target = this.current + ms;
    this.fireUntil(target);
    this.current = target;
  }

  fireDue(): void {
    this.fireUntil(this.current);
  }

  private fireUntil(target: number): void {
    for (let next = this.earliest(); next !== undefined && next.due <= target; next = this.earliest()) {
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.due);
      next.fire();
    }
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (best === undefined || t.due < best.due || (t.due === best.due && t.order < best.order)) best = t;
    return best;
  }
}
