import { describe, expect, it } from 'vitest';
import { ReadGate } from './read-gate.js';

function socket() {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
}

describe('ReadGate', () => {
  it('reads again only when every reason has resumed', () => {
    const s = socket();
    const gate = new ReadGate(s);
    const window = gate.lever('publish window');
    const alarm = gate.lever('resource alarm');
    window.pause();
    alarm.pause();
    window.resume();
    expect(gate.paused).toBe(true);
    expect(s.calls).toEqual(['pause']);
    alarm.resume();
    expect(gate.paused).toBe(false);
    expect(s.calls).toEqual(['pause', 'resume']);
  });

  it('takes a repeated pause or resume of one reason once', () => {
    const s = socket();
    const gate = new ReadGate(s);
    const alarm = gate.lever('resource alarm');
    alarm.resume();
    alarm.pause();
    alarm.pause();
    alarm.resume();
    alarm.resume();
    expect(s.calls).toEqual(['pause', 'resume']);
  });
});
