/** The crash loop's rules, one test each: the ledger must be able to fail, or the loop proves nothing. */
import { describe, expect, it } from 'vitest';
import { bodyOf, History } from './history.js';

/** Publishes and confirms `count` messages on a new run; returns their bodies. */
function confirmed(history: History, count: number): string[] {
  const run = history.newRun();
  return Array.from({ length: count }, (_, n) => {
    const body = history.publish(run, n);
    history.confirmed(run, n);
    return body;
  });
}

describe('crash loop history', () => {
  it('a clean history: everything delivered once, acked and applied', () => {
    const history = new History();
    const bodies = confirmed(history, 3);
    const ids = bodies.map((b) => history.delivered(b)!);
    for (const id of ids) history.ackSent(id);
    history.acksApplied(ids);
    expect(history.verdict()).toMatchObject({ published: 3, confirmed: 3, delivered: 3, acked: 3, acksConfirmed: 3, duplicates: 0, lost: 0, lostUnacked: 0, unexpected: 0, unexpectedDuplicates: 0 });
    expect(history.problems).toEqual([]);
  });

  it('a confirmed message never delivered is lost', () => {
    const history = new History();
    const [first] = confirmed(history, 2);
    history.ackSent(history.delivered(first!)!);
    history.crashed();
    expect(history.verdict()).toMatchObject({ lost: 1, lostUnacked: 0 });
    expect(history.problems).toEqual(['m0.1 was confirmed and never delivered']);
  });

  it('an unconfirmed message may vanish', () => {
    const history = new History();
    const run = history.newRun();
    history.publish(run, 0);
    history.crashed();
    expect(history.verdict()).toMatchObject({ published: 1, confirmed: 0, lost: 0 });
  });

  it('a message delivered and not acked at a kill must come back', () => {
    const history = new History();
    const [body] = confirmed(history, 1);
    history.delivered(body!);
    history.crashed();
    expect(history.verdict()).toMatchObject({ lost: 0, lostUnacked: 1 });

    history.delivered(body!);
    expect(history.verdict(false)).toMatchObject({ lostUnacked: 0, duplicates: 1, unexpectedDuplicates: 0 });
  });

  it('an ack sent but not known applied allows one redelivery per kill, no more', () => {
    const history = new History();
    const [body] = confirmed(history, 1);
    history.ackSent(history.delivered(body!)!);
    history.crashed();
    expect(history.verdict(false)).toMatchObject({ lostUnacked: 0 });
    history.delivered(body!);
    expect(history.verdict(false)).toMatchObject({ duplicates: 1, unexpectedDuplicates: 0 });
    history.delivered(body!); // again, with no kill in between
    expect(history.verdict(false)).toMatchObject({ duplicates: 1, unexpectedDuplicates: 1 });
  });

  it('a redelivery after an ack known applied is an unexpected duplicate', () => {
    const history = new History();
    const [body] = confirmed(history, 1);
    const id = history.delivered(body!)!;
    history.ackSent(id);
    history.acksApplied([id]);
    history.crashed();
    history.delivered(body!);
    expect(history.verdict()).toMatchObject({ duplicates: 0, unexpectedDuplicates: 1 });
  });

  it('a body never published, or altered, is unexpected', () => {
    const history = new History();
    const [body] = confirmed(history, 1);
    expect(history.delivered(bodyOf('m0.7'))).toBeUndefined();
    expect(history.delivered(bodyOf('m9.0'))).toBeUndefined();
    expect(history.delivered(`${body!.slice(0, -1)}?`)).toBeUndefined();
    expect(history.delivered('garbage')).toBeUndefined();
    expect(history.verdict(false)).toMatchObject({ unexpected: 4 });
  });
});
