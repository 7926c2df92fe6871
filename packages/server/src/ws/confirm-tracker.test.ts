import { describe, expect, it } from 'vitest';
import { WarrenError } from '@warren/protocol';
import { ConfirmTracker, Receipt, type ConfirmSink } from './confirm-tracker.js';

function harness(window: number) {
  const sent: Record<string, unknown>[] = [];
  const waiting = new Map<number, ((error?: Error) => void)[]>();
  const socket = { paused: false, pauses: 0, pause() { this.paused = true; this.pauses++; }, resume() { this.paused = false; } };
  const sink: ConfirmSink = {
    broker: { whenWritten: (ticket, done) => waiting.set(ticket, [...(waiting.get(ticket) ?? []), done]), counters: { confirmed: 0 } },
    socket,
    send: (header) => sent.push(header as Record<string, unknown>),
  };
  const write = (ticket: number, error?: Error) => {
    for (const done of waiting.get(ticket) ?? []) done(error);
    waiting.delete(ticket);
  };
  return { tracker: new ConfirmTracker(sink, window), sent, socket, write, waiting };
}

describe('ConfirmTracker', () => {
  it('acks publishes that waited for nothing at once, cumulatively', () => {
    const { tracker, sent } = harness(10);
    for (const seq of [1, 2, 3]) {
      tracker.next(seq);
      tracker.accept(seq, 0);
    }
    tracker.flush();
    expect(sent).toEqual([{ type: 'publish.ack', seq: 3, multiple: true }]);
  });

  it('holds later publishes behind one waiting for the store, and asks once per ticket', () => {
    const { tracker, sent, write, waiting } = harness(10);
    tracker.accept(1, 0);
    tracker.accept(2, 7);
    tracker.accept(3, 7);
    tracker.accept(4, 0);
    tracker.flush();
    expect(sent).toEqual([{ type: 'publish.ack', seq: 1, multiple: true }]);
    expect(waiting.get(7)).toHaveLength(1);
    write(7);
    expect(sent.at(-1)).toEqual({ type: 'publish.ack', seq: 4, multiple: true });
  });

  it('nacks the publishes of a failed write with store_failed', () => {
    const { tracker, sent, write } = harness(10);
    tracker.accept(1, 3);
    tracker.accept(2, 3);
    write(3, new Error('disk full'));
    expect(sent.map((f) => [f.type, f.seq, f.code])).toEqual([
      ['publish.nack', 1, 'store_failed'],
      ['publish.nack', 2, 'store_failed'],
    ]);
  });

  it('pauses the socket above the window and resumes at half of it', () => {
    const { tracker, socket, write } = harness(4);
    for (let seq = 1; seq <= 5; seq++) tracker.accept(seq, seq);
    expect(socket.paused).toBe(true);
    write(1);
    write(2);
    expect(socket.paused).toBe(true);
    write(3);
    expect(socket.paused).toBe(false);
    expect(socket.pauses).toBe(1);
  });

  it('lists duplicates in the ack that covers them, and adds nothing when there are none', () => {
    const { tracker, sent } = harness(10);
    tracker.accept(1, 0);
    tracker.accept(2, 0, Receipt.Duplicate);
    tracker.accept(3, 0);
    tracker.accept(4, 0, Receipt.Duplicate);
    tracker.flush();
    tracker.accept(5, 0);
    tracker.flush();
    expect(sent).toEqual([
      { type: 'publish.ack', seq: 4, multiple: true, duplicate: [2, 4] },
      { type: 'publish.ack', seq: 5, multiple: true },
    ]);
  });

  it('confirms a run of persistent publishes on no disk with an ack of its own, marked transient', () => {
    const { tracker, sent } = harness(10);
    tracker.accept(1, 0);
    tracker.accept(2, 0, Receipt.Transient);
    tracker.accept(3, 0, Receipt.Transient | Receipt.Duplicate);
    tracker.accept(4, 0);
    tracker.flush();
    expect(sent).toEqual([
      { type: 'publish.ack', seq: 1, multiple: true },
      { type: 'publish.ack', seq: 3, multiple: true, transient: true, duplicate: [3] },
      { type: 'publish.ack', seq: 4, multiple: true },
    ]);
  });

  it('forgets the receipt of a publish nacked by a failed write', () => {
    const { tracker, sent, write } = harness(10);
    tracker.accept(1, 3, Receipt.Duplicate);
    write(3, new Error('disk full'));
    tracker.accept(2, 0);
    tracker.flush();
    expect(sent.map((f) => [f.type, f.seq, f.duplicate])).toEqual([
      ['publish.nack', 1, undefined],
      ['publish.ack', 2, undefined],
    ]);
  });

  it('refuses a seq that does not increase', () => {
    const { tracker } = harness(4);
    tracker.next(5);
    expect(() => tracker.next(5)).toThrow(WarrenError);
    expect(() => tracker.next(4)).toThrowError(/not greater/);
  });
});
