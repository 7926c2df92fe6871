import { describe, expect, it } from 'vitest';
import { check } from './check.js';
import { History } from './history.js';
import type { FaultRecord } from './nemesis.js';

const noLoad = (): undefined => undefined;
const fault = (start: number, end: number): FaultRecord => ({ kind: 'kill-leader', target: 'kill -9 n1', start, healed: start + 1, recovered: start + 2, end, leaders: [], loopLagMs: 0 });

/** A history whose times are set by hand: the checker reads only the recorded fields. */
function historyOf(publishes: { id: string; queue: string; at: number; outcome: 'confirmed' | 'nacked' | 'open'; settledAt?: number }[], deliveries: { id: string; queue: string; at: number; redelivered?: boolean }[]): History {
  const history = new History();
  for (const p of publishes) history.publishes.set(p.id, { id: p.id, queue: p.queue, producer: 'p', at: p.at, outcome: p.outcome, ...(p.settledAt === undefined ? {} : { settledAt: p.settledAt }) });
  for (const d of deliveries) history.deliveries.push({ id: d.id, queue: d.queue, consumer: 'c', at: d.at, redelivered: d.redelivered ?? false });
  return history;
}

describe('the fault suite checker', () => {
  it('counts a confirmed message never delivered as lost, and one delivered from the wrong queue or never published as unexpected', () => {
    const history = historyOf(
      [
        { id: 'a', queue: 'q1', at: 0, outcome: 'confirmed', settledAt: 10 },
        { id: 'b', queue: 'q1', at: 0, outcome: 'confirmed', settledAt: 10 },
        { id: 'c', queue: 'q2', at: 0, outcome: 'nacked', settledAt: 10 },
      ],
      [
        { id: 'a', queue: 'q1', at: 20 },
        { id: 'a', queue: 'q1', at: 30, redelivered: true },
        { id: 'c', queue: 'q1', at: 40 },
        { id: 'zz', queue: 'q2', at: 50 },
      ],
    );
    const verdict = check(history, ['q1', 'q2'], [fault(0, 100)], true, noLoad);
    expect(verdict.lostIds).toEqual(['b']);
    expect(verdict.unexpectedIds).toEqual(['c', 'zz']);
    expect(verdict.totals).toMatchObject({ attempted: 3, confirmed: 2, nacked: 1, lost: 1, unexpected: 2, duplicates: 1, redelivered: 1, deliveries: 4, delivered: 3, unconfirmedDelivered: 1 });
    expect(verdict.valid).toBe(false);
  });

  it("measures a fault's stall per queue, from its start to the next fault, the window's edges included", () => {
    const confirmed = (id: string, queue: string, settledAt: number) => ({ id, queue, at: settledAt - 1, outcome: 'confirmed' as const, settledAt });
    // q1 confirms steadily; q2 not between 1,000 and 7,500 (a gap of 6.5 s inside the window 0..9,000).
    const publishes = [...[500, 1_000, 7_500, 8_000].map((t) => confirmed(`q2-${t}`, 'q2', t)), ...Array.from({ length: 18 }, (_, i) => confirmed(`q1-${i}`, 'q1', i * 500))];
    const deliveries = publishes.map((p) => ({ id: p.id, queue: p.queue, at: p.settledAt + 5 }));
    const verdict = check(historyOf(publishes, deliveries), ['q1', 'q2'], [fault(0, 9_000)], true, noLoad);
    expect(verdict.faults[0]!.publishStall).toEqual({ ms: 6_500, queue: 'q2', from: 1_000 });
    expect(verdict.faults[0]!.deliveryStall).toMatchObject({ ms: 6_500, queue: 'q2' });
    expect(verdict.problems).toEqual(['kill-leader at 0.0 s: no publish to q2 confirmed for 6.5 s', 'kill-leader at 0.0 s: nothing delivered from q2 for 6.5 s']);
  });

  it('fails a run with a publish never settled, queues not drained, or a fault the cluster did not recover from', () => {
    const history = historyOf([{ id: 'a', queue: 'q1', at: 0, outcome: 'open' }], []);
    const unrecovered: FaultRecord = { ...fault(0, 1_000), unhealthy: 'n2 is down' };
    delete (unrecovered as { recovered?: number }).recovered;
    const verdict = check(history, ['q1'], [unrecovered], false, noLoad);
    expect(verdict.problems).toContain('1 publishes never settled');
    expect(verdict.problems).toContain('the queues were not drained');
    expect(verdict.problems).toContain('kill-leader at 0.0 s: the cluster did not recover (n2 is down)');
  });
});
