import { describe, expect, it } from 'vitest';
import { PendingCommit } from '@warren/core';
import { WarrenError } from '@warren/protocol';
import { ConfirmTracker, Receipt, type ConfirmSink } from './confirm-tracker.js';

/** A commit handle that counts how often it is waited on. */
class CountedCommit extends PendingCommit {
  waits = 0;

  override onSettled(settled: (error?: Error) => void): void {
    this.waits++;
    super.onSettled(settled);
  }
}

function harness(window: number) {
  const sent: Record<string, unknown>[] = [];
  const handles = new Map<number, CountedCommit>();
  const socket = { paused: false, pauses: 0, pause() { this.paused = true; this.pauses++; }, resume() { this.paused = false; } };
  const sink: ConfirmSink = { socket, send: (header) => sent.push(header as Record<string, unknown>) };
  /** The handle of store batch `n` (0: nothing to wait for). */
  const batch = (n: number): CountedCommit | undefined => {
    if (n === 0) return undefined;
    if (!handles.has(n)) handles.set(n, new CountedCommit());
    return handles.get(n);
  };
  const write = (n: number, error?: Error) => batch(n)?.settle(error);
  return { tracker: new ConfirmTracker(sink, window), sent, socket, write, batch };
}

describe('ConfirmTracker', () => {
  it('acks publishes that waited for nothing at once, cumulatively', () => {
    const { tracker, sent } = harness(10);
    for (const seq of [1, 2, 3]) {
      tracker.next(seq);
      tracker.accept(seq, undefined);
    }
    tracker.flush();
    expect(sent).toEqual([{ type: 'publish.ack', seq: 3, multiple: true }]);
  });

  it('holds later publishes behind one waiting for the store, and waits once per handle', () => {
    const { tracker, sent, write, batch } = harness(10);
    tracker.accept(1, batch(0));
    tracker.accept(2, batch(7));
    tracker.accept(3, batch(7));
    tracker.accept(4, batch(0));
    tracker.flush();
    expect(sent).toEqual([{ type: 'publish.ack', seq: 1, multiple: true }]);
    expect(batch(7)?.waits).toBe(1);
    write(7);
    expect(sent.at(-1)).toEqual({ type: 'publish.ack', seq: 4, multiple: true });
  });

  it('confirms in sequence order when handles of different writers settle out of order', () => {
    // One connection publishing to a classic queue (the store's fsync) and to a replicated one
    // (a majority commit): the replicated commit lands first, yet its confirm waits its turn.
    const { tracker, sent } = harness(10);
    const fsync = new PendingCommit();
    const majority = new PendingCommit();
    tracker.accept(1, fsync);
    tracker.accept(2, majority);
    tracker.accept(3, fsync);
    tracker.accept(4, undefined);
    majority.settle();
    tracker.flush();
    expect(sent).toEqual([]);
    fsync.settle();
    expect(sent).toEqual([{ type: 'publish.ack', seq: 4, multiple: true }]);
  });

  it('nacks only the publishes of the handle that failed, each in its place', () => {
    const { tracker, sent } = harness(10);
    const fsync = new PendingCommit();
    const majority = new PendingCommit();
    tracker.accept(1, fsync);
    tracker.accept(2, majority);
    tracker.accept(3, fsync);
    majority.settle(new Error('no majority: leader lost'));
    fsync.settle();
    expect(sent.map((f) => [f.type, f.seq, f.code])).toEqual([
      ['publish.ack', 1, undefined],
      ['publish.nack', 2, 'store_failed'],
      ['publish.ack', 3, undefined],
    ]);
  });

  it('nacks the publishes of a failed write with store_failed', () => {
    const { tracker, sent, write, batch } = harness(10);
    tracker.accept(1, batch(3));
    tracker.accept(2, batch(3));
    write(3, new Error('disk full'));
    expect(sent.map((f) => [f.type, f.seq, f.code])).toEqual([
      ['publish.nack', 1, 'store_failed'],
      ['publish.nack', 2, 'store_failed'],
    ]);
  });

  it('pauses the socket above the window and resumes at half of it', () => {
    const { tracker, socket, write, batch } = harness(4);
    for (let seq = 1; seq <= 5; seq++) tracker.accept(seq, batch(seq));
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
    tracker.accept(1, undefined);
    tracker.accept(2, undefined, Receipt.Duplicate);
    tracker.accept(3, undefined);
    tracker.accept(4, undefined, Receipt.Duplicate);
    tracker.flush();
    tracker.accept(5, undefined);
    tracker.flush();
    expect(sent).toEqual([
      { type: 'publish.ack', seq: 4, multiple: true, duplicate: [2, 4] },
      { type: 'publish.ack', seq: 5, multiple: true },
    ]);
  });

  it('confirms a run of persistent publishes on no disk with an ack of its own, marked transient', () => {
    const { tracker, sent } = harness(10);
    tracker.accept(1, undefined);
    tracker.accept(2, undefined, Receipt.Transient);
    tracker.accept(3, undefined, Receipt.Transient | Receipt.Duplicate);
    tracker.accept(4, undefined);
    tracker.flush();
    expect(sent).toEqual([
      { type: 'publish.ack', seq: 1, multiple: true },
      { type: 'publish.ack', seq: 3, multiple: true, transient: true, duplicate: [3] },
      { type: 'publish.ack', seq: 4, multiple: true },
    ]);
  });

  it('forgets the receipt of a publish nacked by a failed write', () => {
    const { tracker, sent, write, batch } = harness(10);
    tracker.accept(1, batch(3), Receipt.Duplicate);
    write(3, new Error('disk full'));
    tracker.accept(2, undefined);
    tracker.flush();
    expect(sent.map((f) => [f.type, f.seq, f.duplicate])).toEqual([
      ['publish.nack', 1, undefined],
      ['publish.ack', 2, undefined],
    ]);
  });

  it('says on how many replicas a run of publishes is held, in an ack of its own', () => {
    const { tracker, sent } = harness(10);
    tracker.accept(1, undefined);
    tracker.accept(2, undefined, 0, 2);
    tracker.accept(3, undefined, 0, 2);
    tracker.accept(4, undefined);
    tracker.flush();
    expect(sent).toEqual([
      { type: 'publish.ack', seq: 1, multiple: true },
      { type: 'publish.ack', seq: 3, multiple: true, replicas: 2 },
      { type: 'publish.ack', seq: 4, multiple: true },
    ]);
  });

  it("nacks with a replicated queue's own code when its commit fails", () => {
    const { tracker, sent, write, batch } = harness(10);
    tracker.accept(1, batch(7), 0, 2);
    write(7, new WarrenError('cluster_unavailable', 'no majority'));
    tracker.flush();
    expect(sent).toEqual([{ type: 'publish.nack', seq: 1, code: 'cluster_unavailable', message: 'no majority' }]);
  });

  it('refuses a seq that does not increase', () => {
    const { tracker } = harness(4);
    tracker.next(5);
    expect(() => tracker.next(5)).toThrow(WarrenError);
    expect(() => tracker.next(4)).toThrowError(/not greater/);
  });
});
